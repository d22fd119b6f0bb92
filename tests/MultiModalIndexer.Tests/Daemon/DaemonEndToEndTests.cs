using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Daemon;
using MultiModalIndexer.Daemon.Scheduling;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Daemon;

/// <summary>The daemon over the real core (composition, indexer, embedded store, search service).</summary>
public sealed class DaemonEndToEndTests
{
    [Fact]
    public async Task Real_core_crawls_at_startup_then_serves_search_media_and_thumbnails()
    {
        var scratch = TestPaths.NewScratchDir("daemon-e2e");
        var media = Directory.CreateDirectory(Path.Combine(scratch, "media")).FullName;
        File.Copy(TestMedia.VideoFixture, Path.Combine(media, "clip.webm"));
        File.WriteAllText(Path.Combine(media, "notes.txt"), "not a video");

        await using var app = DaemonHost.Build([], new DaemonHostOptions
        {
            DataDir = Path.Combine(scratch, "data"),
            MediaRoots = [media],
            Urls = "http://127.0.0.1:0",
            CrawlOnStart = true,
            Settings = new Dictionary<string, string?>
            {
                ["Daemon:WatchSources"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
                // No CLIP/Whisper weights here: those modalities are off, OCR and shots still run.
                ["Clip:ImageModel"] = Path.Combine(scratch, "none", "image.onnx"),
                ["Clip:TextModel"] = Path.Combine(scratch, "none", "text.onnx"),
            },
        });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(DaemonHost.ListeningUrls(app)[0]) };

        var crawl = app.Services.GetRequiredService<CrawlState>();
        for (var i = 0; i < 1200 && crawl.Snapshot.RunsCompleted == 0 && crawl.Snapshot.LastError is null; i++) await Task.Delay(100);
        Assert.Null(crawl.Snapshot.LastError);
        Assert.Equal(1, crawl.Snapshot.LastReport!.Indexed);
        Assert.Empty(crawl.Snapshot.LastReport.Failed);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        var status = JsonDocument.Parse(await http.GetStringAsync("/api/status")).RootElement;
        Assert.Equal(1, status.GetProperty("store").GetProperty("videos").GetInt64());

        var videos = JsonDocument.Parse(await http.GetStringAsync("/api/videos")).RootElement.GetProperty("videos");
        var video = videos[0];
        Assert.Equal("clip.webm", video.GetProperty("fileName").GetString());
        var videoId = video.GetProperty("id").GetString()!;

        var file = await http.GetByteArrayAsync($"/media/{videoId}");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(media, "clip.webm")), file);

        var segments = JsonDocument.Parse(await http.GetStringAsync($"/api/videos/{videoId}/segments")).RootElement;
        Assert.True(segments.GetArrayLength() >= 1);
        var thumbUrl = segments[0].GetProperty("thumbnailUrl").GetString()!;
        var thumb = await http.GetAsync(thumbUrl);
        Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, (await thumb.Content.ReadAsByteArrayAsync())[..2]);

        // The search service answers (text-only without CLIP); embedding says CLIP is off.
        var search = await http.PostAsJsonAsync("/api/search", new { query = "clip", mode = "hybrid" });
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        var embed = await http.PostAsJsonAsync("/api/embed", new { input = "x" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, embed.StatusCode);
        Assert.Contains("CLIP is switched off", await embed.Content.ReadAsStringAsync());

        await app.StopAsync();
    }
}
