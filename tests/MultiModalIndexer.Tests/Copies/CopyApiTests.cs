using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Copies.Evaluation;
using MultiModalIndexer.Daemon;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.Daemon;

namespace MultiModalIndexer.Tests.Copies;

/// <summary>POST /api/search/video on a real daemon over a real embedded store holding one fingerprinted video.</summary>
public class CopyApiTests
{
    [Fact]
    public async Task Uploaded_clip_is_answered_with_spans_and_bad_or_oversized_uploads_are_refused()
    {
        var set = await CopySetGenerator.GenerateAsync(TestPaths.Shared, TestPaths.FixtureDir("copies-set-v3"));
        var data = TestPaths.NewScratchDir("copies-api");
        var store = new EmbeddedStore(Path.Combine(data, "index.db"), new EmbeddedStoreOptions());
        var source = Path.Combine(set.LibraryDir, "edit0.mp4");
        var copies = new CopyOptions { MaxUploadMegabytes = 1 };
        var media = new MediaOptions();
        var info = await new MediaProbe(media).ProbeAsync(source);
        var analysis = await new ShotDetector(media) { Fingerprints = new FrameHashSampling(copies.FingerprintFps, copies.MinContrast) }.AnalyzeAsync(info);
        var id = DocumentIds.VideoId("copies-api-edit0");
        var video = new VideoDocument
        {
            Id = id, SourcePath = source, Storage = "media", FileName = "edit0.mp4", Title = "edit0", Duration = info.Duration, SegmentCount = 1,
            IndexedAt = DateTimeOffset.UtcNow,
            Fingerprint = new VideoFingerprint((float)copies.FingerprintFps, analysis.Fingerprint.Select(f => (float)f.Time).ToArray(),
                analysis.Fingerprint.Select(f => f.Hash).ToArray(), analysis.Fingerprint.Select(f => f.Cropped).ToArray(),
                analysis.Fingerprint.Select(f => f.Chroma).ToArray()),
        };
        var segment = new SegmentDocument
        {
            Id = DocumentIds.SegmentId(id, 0), VideoId = id, Ordinal = 0, SourcePath = source, Storage = "media", FileName = "edit0.mp4",
            Title = "edit0", Start = 0, End = info.Duration, IndexedAt = video.IndexedAt,
        };
        await store.UpsertVideoAsync(video, [segment]);

        var app = DaemonHost.Build([], new DaemonHostOptions
        {
            DataDir = data,
            Urls = "http://127.0.0.1:0",
            Settings = new Dictionary<string, string?> { ["Daemon:CrawlOnStart"] = "false", ["Daemon:WatchSources"] = "false", ["Logging:LogLevel:Default"] = "Warning" },
            ComposeCore = (services, _) =>
            {
                services.AddSingleton<ISegmentStore>(store);
                services.AddSingleton<IIndexingBackend>(new RecordingIndexingBackend());
                services.AddSingleton<ISearchBackend>(sp => new StoreSearchBackend(sp.GetRequiredService<ISegmentStore>()));
                services.AddSingleton(copies);
                services.AddSingleton(new CopyDetector(store, new QueryFingerprinter(media, copies), copies));
            },
            EnvironmentName = "Production",
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(DaemonHost.ListeningUrls(app).First().TrimEnd('/') + "/") };
            var query = set.Queries.Single(q => q.Name.StartsWith("q00-", StringComparison.Ordinal));
            Assert.True(new FileInfo(query.Path).Length < 1024 * 1024, "the query fixture fits the 1 MB test limit");

            using (var form = new MultipartFormDataContent())
            {
                var clip = new ByteArrayContent(await File.ReadAllBytesAsync(query.Path));
                clip.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
                form.Add(clip, "video", "clip.mp4");
                var r = await http.PostAsync("api/search/video", form);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
                var m = body.RootElement.GetProperty("matches")[0];
                Assert.Equal(source, m.GetProperty("video").GetString());
                Assert.Equal(id, m.GetProperty("videoId").GetString());
                Assert.True(CopyScore.IoU(m.GetProperty("start").GetDouble(), m.GetProperty("end").GetDouble(), query.RefStart, query.RefEnd) >= 0.5);
                Assert.True(CopyScore.IoU(m.GetProperty("queryStart").GetDouble(), m.GetProperty("queryEnd").GetDouble(), query.QueryStart, query.QueryEnd) >= 0.5);
            }
            // Footage the library does not hold: an empty list, not an error.
            using (var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(set.Queries.Single(q => q.Name.StartsWith("n0-", StringComparison.Ordinal)).Path)), "video", "n.mp4" } })
            {
                var r = await http.PostAsync("api/search/video", form);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                using var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
                Assert.Equal(0, body.RootElement.GetProperty("matches").GetArrayLength());
            }
            using (var text = new MultipartFormDataContent { { new StringContent("not a video at all"), "video", "clip.mp4" } })
            {
                var r = await http.PostAsync("api/search/video", text);
                Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
                Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            }
            using (var big = new MultipartFormDataContent { { new ByteArrayContent(new byte[2 * 1024 * 1024]), "video", "big.mp4" } })
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.PostAsync("api/search/video", big)).StatusCode);
            Assert.DoesNotContain(Directory.GetFiles(Path.GetTempPath(), "mmi-clip-*"), f => File.GetLastWriteTimeUtc(f) > DateTime.UtcNow.AddMinutes(-1));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await store.DisposeAsync();
        }
    }
}
