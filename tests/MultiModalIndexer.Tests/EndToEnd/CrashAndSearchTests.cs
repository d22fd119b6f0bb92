using System.Diagnostics;
using System.Text.Json;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.Indexing;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.EndToEnd;

/// <summary>The CLI as users run it: kill -9 at random moments, then `./mmi search` on real media.</summary>
public class CrashAndSearchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_at_five_random_moments_then_resume_ends_with_exactly_the_clean_runs_documents()
    {
        var media = TestPaths.NewScratchDir("crash-media");
        foreach (var f in TestVideos.Trio())
            File.Copy(f, Path.Combine(media, Path.GetFileName(f)));
        var work = TestPaths.NewScratchDir("crash-work");
        var clean = Path.Combine(work, "clean");
        var crashed = Path.Combine(work, "crashed");

        var sw = Stopwatch.StartNew();
        var first = await CliRunner.RunAsync(work, TimeSpan.FromMinutes(2), "index", media, "--data", clean, "--json");
        var cleanSeconds = sw.Elapsed.TotalSeconds;
        Assert.True(first.Exit == 0, first.Stderr);

        var seed = Environment.TickCount;
        var rng = new Random(seed);
        var kills = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var at = TimeSpan.FromSeconds(0.3 + rng.NextDouble() * cleanSeconds);
            using var p = Process.Start(CliRunner.StartInfo(work, "index", media, "--data", crashed, "--json"))!;
            var drainOut = p.StandardOutput.ReadToEndAsync();
            var drainErr = p.StandardError.ReadToEndAsync();
            var exited = p.WaitForExit(at);
            if (!exited) p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            await Task.WhenAll(drainOut, drainErr);
            kills.Add(exited ? $"{at.TotalSeconds:0.00}s (run had finished)" : $"{at.TotalSeconds:0.00}s");
        }
        output.WriteLine($"seed {seed}; clean run {cleanSeconds:0.0}s; kills at {string.Join(", ", kills)}");

        var last = await CliRunner.RunAsync(work, TimeSpan.FromMinutes(2), "index", media, "--data", crashed, "--json");
        Assert.True(last.Exit == 0, last.Stderr);
        Assert.Empty(JsonDocument.Parse(last.Stdout).RootElement.GetProperty("failed").EnumerateArray());

        var expected = await SnapshotAsync(clean);
        var actual = await SnapshotAsync(crashed);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(actual.Count, actual.Distinct().Count());
        Assert.Equal(expected, actual);

        // No orphans beside the store either: one thumbnail folder per video, every ledger row indexed.
        var videoIds = actual.Select(s => s.Split('|')[1]).Distinct().Order().ToArray();
        Assert.Equal(videoIds, Directory.GetDirectories(Path.Combine(crashed, "thumbs")).Select(Path.GetFileName).Order().ToArray());
        using var ledger = new Ledger(Path.Combine(crashed, "ledger.db"));
        Assert.All(ledger.All(), r => Assert.Equal((LedgerStatus.Indexed, (string?)null), (r.Status, r.PendingVideoId)));
        Assert.Equal(3, ledger.All().Count);
    }

    /// <summary>Every segment and video document as a comparable line (everything but the indexing time).</summary>
    private static async Task<List<string>> SnapshotAsync(string dataDir)
    {
        await using var store = new EmbeddedStore(Path.Combine(dataDir, "index.db"), new EmbeddedStoreOptions());
        await store.EnsureSchemaAsync();
        var lines = new List<string>();
        var videos = await store.ListVideosAsync(0, 1000);
        foreach (var v in videos)
        {
            lines.Add($"video|{v.Id}|{v.SourcePath}|{v.SegmentCount}|{v.Duration:0.###}|{v.Transcript}");
            foreach (var s in await store.GetSegmentsOfVideoAsync(v.Id))
                lines.Add($"seg|{s.VideoId}|{s.Id}|{s.SourcePath}|{s.Start:0.###}|{s.End:0.###}|{s.ThumbnailRef}|{s.OcrText}|{s.Transcript}|{string.Join(",", s.KeyframeTimes)}");
        }
        var stats = await store.StatsAsync();
        Assert.Equal(videos.Count, stats.Videos);
        Assert.Equal(lines.Count(l => l.StartsWith("seg|", StringComparison.Ordinal)), stats.Segments);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    [Fact]
    public async Task Search_for_the_manifesto_title_card_returns_manifesto_first_with_a_time_range_inside_it()
    {
        var work = TestPaths.NewScratchDir("e2e-search");
        var data = Path.Combine(work, "data");
        var video = TestPaths.SharedFile("media", "video");
        var index = await CliRunner.RunAsync(work, TimeSpan.FromMinutes(2), "index",
            Path.Combine(video, "manifesto.mp4"), Path.Combine(video, "autocut_test001.mp4"),
            "--data", data, "--json");
        Assert.True(index.Exit == 0, index.Stderr);
        var report = JsonDocument.Parse(index.Stdout).RootElement;
        Assert.Equal(2, report.GetProperty("indexed").GetInt32());
        Assert.True(report.GetProperty("segments").GetInt32() >= 2);
        Assert.Empty(report.GetProperty("failed").EnumerateArray());

        var search = await CliRunner.RunAsync(work, TimeSpan.FromMinutes(1), "search", "Manifesto of the Communist Party", "--data", data, "--json");
        Assert.True(search.Exit == 0, search.Stderr);
        var hits = JsonDocument.Parse(search.Stdout).RootElement.GetProperty("hits");
        var top = hits[0];
        Assert.Equal("manifesto.mp4", Path.GetFileName(top.GetProperty("video").GetString()));
        var (start, end) = (top.GetProperty("start").GetDouble(), top.GetProperty("end").GetDouble());
        Assert.True(start >= 0 && end > start && end <= 88.1, $"{start}-{end}");
        Assert.True(top.GetProperty("score").GetDouble() > 0);
        Assert.Contains("Manifesto", top.GetProperty("ocr").GetString()); // the title card, read by OCR (no ASR weights here)

        var status = await CliRunner.RunAsync(work, TimeSpan.FromMinutes(1), "status", "--data", data, "--json");
        Assert.True(status.Exit == 0, status.Stderr);
        var st = JsonDocument.Parse(status.Stdout).RootElement;
        Assert.Equal(2, st.GetProperty("videos").GetInt32());
        Assert.Equal(2, st.GetProperty("sources").EnumerateArray().Sum(s => s.GetProperty("indexed").GetInt32()));

        // Bad input is one line on stderr and a non-zero exit, not a stack trace.
        var bad = await CliRunner.RunAsync(work, TimeSpan.FromMinutes(1), "search", "x", "--data", Path.Combine(work, "nothing-here"), "--json");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("no index", bad.Stderr);
    }
}
