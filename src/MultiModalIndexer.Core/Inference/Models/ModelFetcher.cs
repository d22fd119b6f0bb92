using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using ICSharpCode.SharpZipLib.BZip2;

namespace MultiModalIndexer.Inference.Models;

/// <summary>One download's progress (bytes so far of <see cref="Total"/>, when the server said).</summary>
public sealed record DownloadProgress(string Name, long Received, long? Total, bool Done);

/// <summary>What happened to one model: fetched, already present, or why not (offline = the host could not be reached).</summary>
public sealed record ModelFetchOutcome(ModelEntry Model, bool Ok, bool Offline, string Detail);

public sealed class ModelFetchOptions
{
    public required string ModelsDir { get; init; }
    /// <summary>Base URL of an internal mirror holding the files under their download names; replaces the public URLs.</summary>
    public string? Mirror { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Tries per URL; each one resumes the .part file with an HTTP Range request.</summary>
    public int Attempts { get; init; } = 3;
    /// <summary>Also re-fetch files that are present but fail their check (./mmi models fetch); up/serve only fill gaps.</summary>
    public bool ReplaceCorrupt { get; init; }

    /// <summary>MMI_MODELS_MIRROR wins over the configured Models:Mirror.</summary>
    public static string? ResolveMirror(string? configured) =>
        Environment.GetEnvironmentVariable("MMI_MODELS_MIRROR") is { Length: > 0 } env ? env
        : string.IsNullOrWhiteSpace(configured) ? null : configured;
}

/// <summary>
/// Downloads model files into models/: resumable (.part + HTTP Range), sha256-checked against the manifest or,
/// for files without a published hash, against models.lock.json (pinned on the first verified download), and
/// archive members (tar, tar.gz, tar.bz2) extracted in-process. A file lands only complete and verified; on any
/// failure nothing half-written is left in place of a model.
/// </summary>
public sealed class ModelFetcher : IDisposable
{
    private readonly ModelFetchOptions _options;
    private readonly HttpClient _http;
    private readonly HashSet<string> _unreachableHosts = new(StringComparer.OrdinalIgnoreCase);

    public ModelFetcher(ModelFetchOptions options, HttpMessageHandler? handler = null)
    {
        _options = options;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("MultiModalIndexer-models/2");
    }

    public string DownloadsDir => Path.Combine(_options.ModelsDir, ".downloads");

    /// <summary>True when the file is missing (or, with <see cref="ModelFetchOptions.ReplaceCorrupt"/>, fails its check).</summary>
    public bool Needs(ModelFile file)
    {
        var path = Path.Combine(_options.ModelsDir, file.Path);
        if (!File.Exists(path)) return true;
        return _options.ReplaceCorrupt && ModelManifest.Check(file, _options.ModelsDir).State == FileState.Corrupt;
    }

    public async Task<IReadOnlyList<ModelFetchOutcome>> FetchAsync(IEnumerable<ModelEntry> models, IProgress<DownloadProgress>? progress,
        Action<string> log, CancellationToken ct)
    {
        var outcomes = new List<ModelFetchOutcome>();
        foreach (var model in models)
        {
            var needed = model.Files.Where(Needs).ToList();
            if (needed.Count == 0)
            {
                outcomes.Add(new ModelFetchOutcome(model, true, false, "present"));
                continue;
            }
            try
            {
                // Files from one archive are fetched once and extracted together.
                foreach (var group in needed.GroupBy(f => f.Member is null ? "file:" + f.Path : "archive:" + string.Join("|", f.Urls)))
                {
                    var files = group.ToList();
                    if (files[0].Member is null) await FetchFileAsync(files[0], progress, log, ct);
                    else await FetchArchiveMembersAsync(files, progress, log, ct);
                }
                outcomes.Add(new ModelFetchOutcome(model, true, false, $"fetched {needed.Count} file(s)"));
            }
            catch (ModelDownloadException e)
            {
                outcomes.Add(new ModelFetchOutcome(model, false, e.Offline, e.Message));
            }
        }
        return outcomes;
    }

    /// <summary>The URLs to try: the mirror's (flat download name, then the models/ path) or the public ones.</summary>
    public IReadOnlyList<string> UrlsFor(ModelFile file)
    {
        if (_options.Mirror is not { } mirror) return file.Urls;
        var b = mirror.TrimEnd('/') + "/";
        var list = file.Urls.Select(u => b + Uri.EscapeDataString(DownloadName(u))).ToList();
        if (file.Member is null) list.Add(b + string.Join('/', file.Path.Split('/').Select(Uri.EscapeDataString)));
        return list.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string DownloadName(string url) => Path.GetFileName(new Uri(url).AbsolutePath);

    private async Task FetchFileAsync(ModelFile file, IProgress<DownloadProgress>? progress, Action<string> log, CancellationToken ct)
    {
        var target = Path.Combine(_options.ModelsDir, file.Path);
        var downloaded = await DownloadAnyAsync(UrlsFor(file), file.Path, progress, log, ct);
        try
        {
            var (hash, size) = HashFile(downloaded.Path);
            Verify(file, hash, size, downloaded.Url);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(downloaded.Path, target, overwrite: true);
            PinIfUnpublished(file, hash, size, downloaded.Url, log);
            log($"[models] {file.Path}: {Bytes(size)}, sha256 {hash[..12]}… ok");
        }
        finally
        {
            TryDelete(downloaded.Path);
        }
    }

    private async Task FetchArchiveMembersAsync(IReadOnlyList<ModelFile> files, IProgress<DownloadProgress>? progress, Action<string> log, CancellationToken ct)
    {
        var first = files[0];
        var name = DownloadName(first.Urls[0]);
        var downloaded = await DownloadAnyAsync(UrlsFor(first), name, progress, log, ct);
        var wanted = files.ToDictionary(f => NormalizeMember(f.Member!), StringComparer.Ordinal);
        var staged = new List<(ModelFile File, string Part, string Hash, long Size)>();
        var installed = false;
        try
        {
            try
            {
                await using var raw = File.OpenRead(downloaded.Path);
                await using var decompressed = Decompress(raw, name);
                await using var tar = new TarReader(decompressed);
                while (staged.Count < wanted.Count && await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
                {
                    if (entry.DataStream is null || !wanted.TryGetValue(NormalizeMember(entry.Name), out var file)) continue;
                    if (staged.Any(s => s.File == file)) continue;
                    var target = Path.Combine(_options.ModelsDir, file.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    var part = target + ".part";
                    staged.Add((file, part, "", 0));
                    var (hash, size) = await CopyHashingAsync(entry.DataStream, part, ct);
                    Verify(file, hash, size, $"{downloaded.Url} [{file.Member}]");
                    staged[^1] = (file, part, hash, size);
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ICSharpCode.SharpZipLib.SharpZipBaseException
                                          or (IOException and not ModelDownloadException))
            {
                TryDelete(downloaded.Path); // a broken archive is fetched afresh next time
                throw new ModelDownloadException($"archive {name} from {downloaded.Url} is truncated or corrupt ({e.Message}); deleted, run again to download it afresh.");
            }
            var missing = wanted.Keys.Where(m => staged.All(s => NormalizeMember(s.File.Member!) != m)).ToList();
            if (missing.Count > 0)
                throw new ModelDownloadException($"archive {name} from {downloaded.Url} has no member {string.Join(", ", missing)}; nothing was installed from it.");
            // All members verified: only now do they replace anything in models/.
            foreach (var s in staged)
            {
                File.Move(s.Part, Path.Combine(_options.ModelsDir, s.File.Path), overwrite: true);
                PinIfUnpublished(s.File, s.Hash, s.Size, $"{downloaded.Url} [{s.File.Member}]", log);
                log($"[models] {s.File.Path}: {Bytes(s.Size)} from {name}, sha256 {s.Hash[..12]}… ok");
            }
            staged.Clear();
            installed = true;
        }
        finally
        {
            foreach (var s in staged) TryDelete(s.Part);
            TryDelete(downloaded.Path); // installed, or not worth keeping (wrong checksum, missing member)
        }
        _ = installed;
    }

    private static Stream Decompress(Stream raw, string name) =>
        name.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tbz2", StringComparison.OrdinalIgnoreCase)
            ? new BZip2InputStream(raw) { IsStreamOwner = false }
            : name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true)
                : raw;

    private static string NormalizeMember(string m) => m.Replace('\\', '/').TrimStart('.', '/');

    private void Verify(ModelFile file, string hash, long size, string from)
    {
        if (file.Size is { } want && want != size)
            throw new ModelDownloadException($"{file.Path} from {from}: {size} bytes, expected {want}; not installed.");
        var expected = file.Sha256 != ModelManifest.Unknown ? file.Sha256 : ModelLock.Load(_options.ModelsDir).Find(file.Path)?.Sha256;
        if (expected is not null && !string.Equals(expected, hash, StringComparison.OrdinalIgnoreCase))
            throw new ModelDownloadException($"{file.Path} from {from}: sha256 {hash[..12]}…, expected {expected[..12]}… ({(file.Sha256 == ModelManifest.Unknown ? "pinned in " + ModelLock.FileName : "models.json")}); not installed.");
    }

    private void PinIfUnpublished(ModelFile file, string hash, long size, string from, Action<string> log)
    {
        if (file.Sha256 != ModelManifest.Unknown) return;
        var lockFile = ModelLock.Load(_options.ModelsDir);
        if (lockFile.Find(file.Path) is not null) return;
        lockFile.Pin(file.Path, hash, size, from);
        lockFile.Save(_options.ModelsDir);
        log($"[models] {file.Path}: no published sha256; pinned {hash[..12]}… in {ModelLock.FileName}");
    }

    private sealed record Downloaded(string Path, string Url);

    private async Task<Downloaded> DownloadAnyAsync(IReadOnlyList<string> urls, string label, IProgress<DownloadProgress>? progress, Action<string> log, CancellationToken ct)
    {
        var errors = new List<string>();
        var offline = true;
        foreach (var url in urls)
        {
            var host = new Uri(url).Authority;
            if (_unreachableHosts.Contains(host))
            {
                errors.Add($"{host} unreachable");
                continue;
            }
            try
            {
                return new Downloaded(await DownloadAsync(url, label, progress, log, ct), url);
            }
            catch (HttpRequestException e) when (IsConnectFailure(e))
            {
                _unreachableHosts.Add(host);
                errors.Add($"cannot reach {host} ({Reason(e)})");
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                _unreachableHosts.Add(host);
                errors.Add($"cannot reach {host} (connect timed out)");
            }
            catch (ModelDownloadException e)
            {
                offline = false;
                errors.Add(e.Message);
            }
        }
        throw new ModelDownloadException(string.Join("; ", errors), offline);
    }

    private static bool IsConnectFailure(HttpRequestException e) =>
        e.StatusCode is null && (e.InnerException is SocketException || e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError);

    private static string Reason(HttpRequestException e) => e.InnerException is SocketException s ? s.SocketErrorCode.ToString() : e.HttpRequestError.ToString();

    /// <summary>GET into downloads/NAME.part, resuming with Range after a cut connection; the finished file is downloads/NAME.</summary>
    private async Task<string> DownloadAsync(string url, string label, IProgress<DownloadProgress>? progress, Action<string> log, CancellationToken ct)
    {
        Directory.CreateDirectory(DownloadsDir);
        var final = Path.Combine(DownloadsDir, DownloadName(url));
        var part = final + ".part";
        string? lastCut = null;
        for (var attempt = 1; attempt <= Math.Max(1, _options.Attempts); attempt++)
        {
            var have = File.Exists(part) ? new FileInfo(part).Length : 0;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                TryDelete(part); // the .part is not a prefix of what the server has now: start over
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                TryDelete(part);
                throw new ModelDownloadException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            var resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed) have = 0;
            long? total = response.Content.Headers.ContentLength is { } len ? have + len : null;
            if (attempt == 1 || !resumed)
                log($"[models] downloading {label}: {(total is { } t ? Bytes(t) : "size unknown")} from {url}{(resumed ? $" (resuming at {Bytes(have)})" : "")}");
            else
                log($"[models] resuming {label} at {Bytes(have)} of {(total is { } t2 ? Bytes(t2) : "?")}");
            var received = have;
            try
            {
                await using var src = await response.Content.ReadAsStreamAsync(ct);
                await using (var dst = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = await src.ReadAsync(buffer, ct)) > 0)
                    {
                        await dst.WriteAsync(buffer.AsMemory(0, n), ct);
                        received += n;
                        progress?.Report(new DownloadProgress(label, received, total, false));
                    }
                }
                if (total is { } expected && received != expected)
                    throw new IOException($"connection closed at {received} of {expected} bytes");
            }
            catch (IOException e) when (!ct.IsCancellationRequested)
            {
                lastCut = $"{url}: connection cut at {Bytes(received)} ({e.Message})";
                log($"[models] {label}: connection cut at {Bytes(received)}; {(attempt < _options.Attempts ? "resuming" : "giving up")}");
                continue;
            }
            progress?.Report(new DownloadProgress(label, received, total ?? received, true));
            File.Move(part, final, overwrite: true);
            return final;
        }
        throw new ModelDownloadException((lastCut ?? $"{url}: download did not complete") + $"; the partial download is kept in {DownloadsDir} and resumes on the next run.");
    }

    private static (string Hash, long Size) HashFile(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return (Convert.ToHexStringLower(SHA256.HashData(f)), f.Length);
    }

    private static async Task<(string Hash, long Size)> CopyHashingAsync(Stream src, string path, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        await using var dst = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        int n;
        while ((n = await src.ReadAsync(buffer, ct)) > 0)
        {
            sha.AppendData(buffer, 0, n);
            await dst.WriteAsync(buffer.AsMemory(0, n), ct);
            size += n;
        }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), size);
    }

    public static string Bytes(long n) => n switch
    {
        >= 1L << 30 => $"{n / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{n / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{n / 1024.0:0.0} KiB",
        _ => $"{n} B",
    };

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: a leftover .part is resumed or replaced */ }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A download or extraction that failed, with a message that says what and why.</summary>
public sealed class ModelDownloadException(string message, bool offline = false) : IOException(message)
{
    public bool Offline { get; } = offline;
}
