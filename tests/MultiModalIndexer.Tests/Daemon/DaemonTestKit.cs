using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Daemon;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Daemon;

/// <summary>
/// Stand-in for the indexer in host tests: the real pipeline is tested by the indexing stage; here
/// the host's own behaviour (scheduling, overlap, shutdown, path checks) is observed. Documents go
/// into a real <see cref="EmbeddedStore"/>.
/// </summary>
internal sealed class RecordingIndexingBackend : IIndexingBackend
{
    private int active;
    public ConcurrentQueue<string[]> Runs { get; } = new();
    public int MaxConcurrent;
    public int CancelledRuns;
    public Dictionary<string, string> MediaPaths { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, byte[]> Thumbnails { get; } = new(StringComparer.Ordinal);
    /// <summary>What a run does while "indexing" (default: nothing).</summary>
    public Func<CancellationToken, Task> Work { get; set; } = _ => Task.CompletedTask;
    public SemaphoreSlim RunStarted { get; } = new(0);

    public async Task<IndexRunReport> RunAsync(IReadOnlyList<SourceOptions> sources, CancellationToken ct)
    {
        var now = Interlocked.Increment(ref active);
        InterlockedMax(ref MaxConcurrent, now);
        Runs.Enqueue(sources.Select(s => s.Name).ToArray());
        RunStarted.Release();
        try
        {
            await Work(ct);
            return new IndexRunReport(0, 0, 0, MediaPaths.Count, []);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref CancelledRuns);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref active);
        }
    }

    public IndexingStatus Status => new(active > 0, active > 0 ? "/media/now.webm" : null, active > 0 ? 0.5 : null,
        [new SourceStatus("media", MediaPaths.Count, MediaPaths.Count, 0, 0, 3)], 0, null, null);

    public string? ResolveMediaPath(string videoId) => MediaPaths.GetValueOrDefault(videoId);

    public Task<byte[]?> GetThumbnailAsync(string thumbnailRef, CancellationToken ct) => Task.FromResult(Thumbnails.GetValueOrDefault(thumbnailRef));

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}

/// <summary>
/// Search over the real embedded store; text is embedded by a deterministic stand-in for the CLIP
/// text encoder (no CLIP weights exist here), so hybrid and vector paths run end to end.
/// </summary>
internal sealed class StoreSearchBackend(ISegmentStore store) : ISearchBackend
{
    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct) =>
        store.SearchAsync(request.Mode == SearchMode.Text || request.Query is null ? request : request with { QueryVector = TestVectors.For(request.Query) }, ct);

    public Task<SearchResponse> SearchByImageAsync(string imagePath, SearchRequest options, CancellationToken ct)
    {
        // The host hands over a temp file it sniffed; prove it exists and is what was uploaded.
        var bytes = File.ReadAllBytes(imagePath);
        return store.SearchAsync(options with { Mode = SearchMode.Vector, Query = null, QueryVector = TestVectors.For(Convert.ToHexString(SHA256.HashData(bytes))) }, ct);
    }

    public Task<SearchResponse> SimilarAsync(string segmentId, SearchRequest options, CancellationToken ct) =>
        store.SearchAsync(options with { Mode = SearchMode.Vector, SimilarToSegmentId = segmentId }, ct);

    public IReadOnlyList<float[]>? Embed(IReadOnlyList<string> texts) => texts.Select(TestVectors.For).ToArray();
}

internal static class TestVectors
{
    public static float[] For(string text)
    {
        var seed = BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
        var rng = new Random(seed);
        var v = new float[SearchLimits.VectorDimension];
        double norm = 0;
        for (var i = 0; i < v.Length; i++) { v[i] = (float)(rng.NextDouble() * 2 - 1); norm += v[i] * v[i]; }
        var inv = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < v.Length; i++) v[i] *= inv;
        return v;
    }
}

/// <summary>Small real media for host tests: a VP8 WebM clip (Chromium plays it) and a JPEG thumbnail, made by ffmpeg.</summary>
internal static class TestMedia
{
    private static readonly Lazy<(string Video, string Thumb)> Generated = new(Generate);

    public static string VideoFixture => Generated.Value.Video;
    public static string ThumbnailFixture => Generated.Value.Thumb;

    private static (string, string) Generate()
    {
        var dir = TestPaths.FixtureDir("daemon-media-v1");
        var video = Path.Combine(dir, "clip.webm");
        var thumb = Path.Combine(dir, "thumb.jpg");
        if (!File.Exists(video))
        {
            var tmp = video + ".tmp.webm";
            RunFfmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10", "-t", "12", "-c:v", "libvpx", "-b:v", "150k", "-an", tmp);
            File.Move(tmp, video, overwrite: true);
        }
        if (!File.Exists(thumb))
        {
            var tmp = thumb + ".tmp.jpg";
            RunFfmpeg("-ss", "1", "-i", video, "-frames:v", "1", "-q:v", "4", tmp);
            File.Move(tmp, thumb, overwrite: true);
        }
        return (video, thumb);
    }

    private static void RunFfmpeg(params string[] args)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in (string[])["-hide_banner", "-loglevel", "error", "-y", .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException("ffmpeg did not finish in 60 s"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {err.Result}");
    }
}

/// <summary>One video's documents as the indexer would write them.</summary>
internal sealed record TestVideo(string Id, string Path, IReadOnlyList<SegmentDocument> Segments);

/// <summary>A daemon on a free loopback port over a real embedded store in a scratch folder.</summary>
internal sealed class DaemonTestServer : IAsyncDisposable
{
    public required WebApplication App { get; init; }
    public required string DataDir { get; init; }
    public required string MediaRoot { get; init; }
    public required RecordingIndexingBackend Indexing { get; init; }
    public required EmbeddedStore Store { get; init; }
    public required Uri BaseAddress { get; init; }
    public HttpClient Http { get; } = new();

    public static async Task<DaemonTestServer> StartAsync(string name, Dictionary<string, string?>? settings = null,
        Action<string>? prepareMediaRoot = null, Action<RecordingIndexingBackend>? configure = null, bool start = true,
        Action<string>? prepareDataDir = null)
    {
        var scratch = TestPaths.NewScratchDir(name);
        var media = Path.Combine(scratch, "media");
        Directory.CreateDirectory(media);
        prepareMediaRoot?.Invoke(media);
        var data = Path.Combine(scratch, "data");
        Directory.CreateDirectory(data);
        prepareDataDir?.Invoke(data);
        var store = new EmbeddedStore(Path.Combine(data, "index.db"), new EmbeddedStoreOptions());
        var indexing = new RecordingIndexingBackend();
        configure?.Invoke(indexing);
        var all = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = "media",
            ["Sources:0:Root"] = media,
            ["Sources:0:Schedule"] = "0 0 3 * * ?",
            ["Daemon:CrawlOnStart"] = "false",
            ["Daemon:WatchSources"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var app = DaemonHost.Build([], new DaemonHostOptions
        {
            DataDir = data,
            Urls = "http://127.0.0.1:0",
            Settings = all,
            ComposeCore = (services, _) =>
            {
                services.AddSingleton<ISegmentStore>(store);
                services.AddSingleton<IIndexingBackend>(indexing);
                services.AddSingleton<ISearchBackend>(sp => new StoreSearchBackend(sp.GetRequiredService<ISegmentStore>()));
            },
            EnvironmentName = "Production",
        });
        if (start) await app.StartAsync();
        var url = start ? DaemonHost.ListeningUrls(app)[0] : "http://127.0.0.1:1";
        return new DaemonTestServer
        {
            App = app, DataDir = data, MediaRoot = media, Indexing = indexing, Store = store,
            BaseAddress = new Uri(url.TrimEnd('/') + "/"),
        };
    }

    public Uri Url(string relative) => new(BaseAddress, relative);

    /// <summary>Writes one video (copy of the fixture clip under the media root) and its segments.</summary>
    public async Task<TestVideo> AddVideoAsync(string fileName, string title, IReadOnlyList<(double Start, double End, string Transcript, string Ocr)> segments,
        string storage = "media", string? root = null)
    {
        var path = Path.Combine(root ?? MediaRoot, fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(TestMedia.VideoFixture, path, overwrite: true);
        var videoId = DocumentIds.VideoId(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path))));
        var meta = new MediaMeta("webm", segments[^1].End, new FileInfo(path).Length, 320, 180, 10, "vp8", null, null);
        var now = DateTimeOffset.UtcNow;
        var docs = segments.Select((s, i) => new SegmentDocument
        {
            Id = DocumentIds.SegmentId(videoId, i),
            VideoId = videoId,
            Ordinal = i,
            SourcePath = path,
            Storage = storage,
            FileName = fileName,
            Title = title,
            Start = s.Start,
            End = s.End,
            KeyframeTimes = [s.Start + (s.End - s.Start) / 2],
            ThumbnailRef = $"{videoId}-{i:D5}/0",
            Transcript = s.Transcript,
            OcrText = s.Ocr,
            Vector = TestVectors.For($"{title} {i}"),
            Language = "en",
            Media = meta,
            IndexedAt = now,
            ModelVersions = new Dictionary<string, string> { ["pipeline"] = "test" },
        }).ToArray();
        var video = new VideoDocument
        {
            Id = videoId, SourcePath = path, Storage = storage, FileName = fileName, Title = title,
            Duration = segments[^1].End, Media = meta, SegmentCount = docs.Length,
            Transcript = string.Join(" ", segments.Select(s => s.Transcript)), Language = "en", IndexedAt = now,
        };
        await Store.UpsertVideoAsync(video, docs);
        Indexing.MediaPaths[videoId] = path;
        var thumb = await File.ReadAllBytesAsync(TestMedia.ThumbnailFixture);
        foreach (var d in docs) Indexing.Thumbnails[d.ThumbnailRef!] = thumb;
        return new TestVideo(videoId, path, docs);
    }

    /// <summary>
    /// Sends raw bytes (for requests HttpClient would normalise or refuse to send) and returns the
    /// response's status code, or 0 when the server closed without one. With <paramref name="hangUp"/>
    /// the client drops the connection right after sending.
    /// </summary>
    public async Task<int> RawAsync(string request, bool hangUp = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(BaseAddress.Host, BaseAddress.Port);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        }
        catch (IOException)
        {
            // The server may answer (e.g. 413) and close before reading everything; read what it said.
        }
        if (hangUp) return 0;
        var buffer = new byte[65536];
        var n = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (n < buffer.Length)
            {
                var r = await stream.ReadAsync(buffer.AsMemory(n), cts.Token);
                if (r == 0) break;
                n += r;
                if (Encoding.Latin1.GetString(buffer, 0, n).Contains("\r\n\r\n")) break;
            }
        }
        catch (IOException) { /* reset by the server */ }
        var head = Encoding.Latin1.GetString(buffer, 0, n);
        return head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(head.AsSpan(9, 3), out var code) ? code : 0;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Store.DisposeAsync();
    }
}
