using MultiModalIndexer.Crawl;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Indexing;

/// <summary>
/// Issue 11 (never lose the index): vanished roots and folders, lost or corrupt stores and ledgers,
/// errors of the data folder itself, two writers, stale readers and growing files. Real pipeline,
/// real SQLite, real files.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class HealingTests
{
    private static string MediaCopy(string name)
    {
        var dir = TestPaths.NewScratchDir(name);
        foreach (var f in TestVideos.Trio()) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    private static async Task<long> HitsAsync(IndexingHarness h, string query) =>
        (await h.Store.SearchAsync(new SearchRequest { Query = query, Mode = SearchMode.Text, Size = 5 })).Total;

    [Fact]
    public async Task A_root_moved_away_keeps_its_documents_and_its_return_reindexes_nothing()
    {
        var media = MediaCopy("heal-root");
        await using var h = new IndexingHarness("heal-root");
        Assert.Equal(3, (await h.RunAsync(media)).Indexed);

        var away = media + "-away";
        Directory.Move(media, away);
        var gone = await h.RunAsync(media);
        Assert.Equal(0, gone.Deleted);
        Assert.Equal(3, (await h.Store.StatsAsync()).Videos);
        Assert.True(await HitsAsync(h, "quiet meadow") > 0, "documents of an unavailable root must stay searchable");
        Assert.Equal(3, Assert.Single(h.Indexer.Status.Sources).Unavailable); // new-api

        Directory.Move(away, media);
        var back = await h.RunAsync(media);
        Assert.Equal((0, 3, 0), (back.Indexed, back.Unchanged, back.Deleted));
        Assert.Equal(0, Assert.Single(h.Indexer.Status.Sources).Unavailable); // new-api
    }

    [Fact]
    public async Task After_MissingGrace_an_unavailable_root_gives_up_its_documents()
    {
        var media = MediaCopy("heal-grace");
        await using var h = new IndexingHarness("heal-grace");
        IReadOnlyList<SourceOptions> sources = [new SourceOptions { Name = "s0", Root = media, MissingGrace = TimeSpan.FromMilliseconds(300) }];
        Assert.Equal(3, (await h.Indexer.RunAsync(sources)).Indexed);

        Directory.Move(media, media + "-away");
        var first = await h.Indexer.RunAsync(sources);
        Assert.Equal((0, 3), (first.Deleted, first.Unavailable));
        await Task.Delay(400);
        var later = await h.Indexer.RunAsync(sources);
        Assert.Equal(3, later.Deleted);
        Assert.Equal(0, (await h.Store.StatsAsync()).Videos);
    }

    [Fact]
    public async Task Doctor_reports_without_changing_anything_and_repair_queues_the_rebuild()
    {
        var media = MediaCopy("heal-doctor");
        var data = TestPaths.NewScratchDir("heal-doctor-data");
        await using (var h = new IndexingHarness("heal-doctor", dataDir: data))
        {
            await h.RunAsync(media);
            Assert.True((await h.Indexer.CheckAsync(repair: false)).Healthy);
        }
        foreach (var f in Directory.GetFiles(data, "index.db*")) File.Delete(f);

        await using var again = new IndexingHarness("heal-doctor", dataDir: data);
        var look = await again.Indexer.CheckAsync(repair: false);
        Assert.False(look.Healthy);
        Assert.True(look.StoreReplaced || look.Mismatches == 3, string.Join(" | ", look.Lines));
        Assert.All(again.Indexer.Ledger.All(), r => Assert.Equal(LedgerStatus.Indexed, r.Status)); // nothing changed

        var fix = await again.Indexer.CheckAsync(repair: true);
        Assert.NotEmpty(fix.Lines);
        Assert.All(again.Indexer.Ledger.All(), r => Assert.Equal(LedgerStatus.Pending, r.Status));
        Assert.Equal(3, (await again.RunAsync(media)).Indexed);
        Assert.True((await again.Indexer.CheckAsync(repair: false)).Healthy);
    }

    [Fact]
    public async Task An_unreadable_folder_is_unavailable_not_deleted()
    {
        var media = TestPaths.NewScratchDir("heal-chmod");
        var sub = Directory.CreateDirectory(Path.Combine(media, "sub")).FullName;
        File.Copy(TestVideos.Trio()[0], Path.Combine(sub, "zebra.mp4"));
        File.Copy(TestVideos.Trio()[2], Path.Combine(media, "cobalt.mp4"));
        await using var h = new IndexingHarness("heal-chmod");
        Assert.Equal(2, (await h.RunAsync(media)).Indexed);

        File.SetUnixFileMode(sub, UnixFileMode.None);
        try
        {
            var run = await h.RunAsync(media);
            Assert.Equal(0, run.Deleted);
            Assert.Equal(2, (await h.Store.StatsAsync()).Videos);
        }
        finally
        {
            File.SetUnixFileMode(sub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var back = await h.RunAsync(media);
        Assert.Equal((0, 2, 0), (back.Indexed, back.Unchanged, back.Deleted));
    }

    [Fact]
    public async Task A_lost_index_db_is_rebuilt_from_the_media()
    {
        var media = MediaCopy("heal-lost");
        var data = TestPaths.NewScratchDir("heal-lost-data");
        await using (var h = new IndexingHarness("heal-lost", dataDir: data))
            Assert.Equal(3, (await h.RunAsync(media)).Indexed);
        foreach (var f in Directory.GetFiles(data, "index.db*")) File.Delete(f);

        await using var again = new IndexingHarness("heal-lost", dataDir: data);
        var run = await again.RunAsync(media);
        Assert.Equal(3, run.Indexed);
        Assert.True(await HitsAsync(again, "quiet meadow") > 0);
    }

    [Fact]
    public async Task A_corrupt_index_db_is_rebuilt_from_the_media()
    {
        var media = MediaCopy("heal-corrupt");
        var data = TestPaths.NewScratchDir("heal-corrupt-data");
        await using (var h = new IndexingHarness("heal-corrupt", dataDir: data))
            Assert.Equal(3, (await h.RunAsync(media)).Indexed);
        var db = Path.Combine(data, "index.db");
        foreach (var f in Directory.GetFiles(data, "index.db-*")) File.Delete(f);
        // Keep the header, smash the pages after it: "database disk image is malformed".
        var bytes = await File.ReadAllBytesAsync(db);
        new Random(7).NextBytes(bytes.AsSpan(4096));
        await File.WriteAllBytesAsync(db, bytes);

        await using var again = new IndexingHarness("heal-corrupt", dataDir: data);
        var run = await again.RunAsync(media);
        Assert.Equal(3, run.Indexed);
        Assert.True(await HitsAsync(again, "quiet meadow") > 0);
        Assert.Single(Directory.GetFiles(data, "index.db.corrupt-*"));
    }

    [Fact]
    public async Task A_lost_or_corrupt_ledger_is_rebuilt_and_documents_of_files_deleted_meanwhile_go()
    {
        var media = MediaCopy("heal-ledger");
        var data = TestPaths.NewScratchDir("heal-ledger-data");
        await using (var h = new IndexingHarness("heal-ledger", dataDir: data))
            Assert.Equal(3, (await h.RunAsync(media)).Indexed);
        foreach (var f in Directory.GetFiles(data, "ledger.db*")) File.Delete(f);
        File.Delete(Path.Combine(media, "zebra.mp4"));

        await using (var h = new IndexingHarness("heal-ledger", dataDir: data))
        {
            var run = await h.RunAsync(media);
            Assert.Equal(0, run.Indexed); // the two present files are adopted from the store, not re-run
            Assert.Equal(2, (await h.Store.StatsAsync()).Videos);
            Assert.Equal(0, await HitsAsync(h, "zebra harbor"));
        }

        await File.WriteAllTextAsync(Path.Combine(data, "ledger.db"), "this is not a ledger, it is garbage text that fills a page or two");
        foreach (var f in Directory.GetFiles(data, "ledger.db-*")) File.Delete(f);
        await using (var h = new IndexingHarness("heal-ledger", dataDir: data))
        {
            var run = await h.RunAsync(media);
            Assert.Equal((0, 0), (run.Indexed, run.Failed.Count));
            Assert.Equal(2, (await h.Store.StatsAsync()).Videos);
            Assert.Equal(2, h.Indexer.Ledger.All().Count(r => r.Status == LedgerStatus.Indexed));
        }
    }

    [Fact]
    public async Task Errors_of_the_data_folder_stop_the_run_without_using_retry_budgets()
    {
        var media = MediaCopy("heal-env");
        await using var h = new IndexingHarness("heal-env", new Dictionary<string, string?> { ["Indexing:MaxAttempts"] = "1" });
        var thumbs = Path.Combine(h.DataDir, "thumbs");
        await File.WriteAllTextAsync(thumbs, "a file where the thumbnail folder belongs");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => h.RunAsync(media));
        Assert.Contains("thumbs", error.Message);
        Assert.All(h.Indexer.Ledger.All(), r => Assert.Equal(0, r.Attempts));

        File.Delete(thumbs);
        var fixedRun = await h.RunAsync(media);
        Assert.Equal((3, 0), (fixedRun.Indexed, fixedRun.Failed.Count));
    }

    [Fact]
    public async Task Deleted_thumbnails_come_back_on_demand_and_with_the_next_crawl()
    {
        var media = MediaCopy("heal-thumbs");
        await using var h = new IndexingHarness("heal-thumbs");
        await h.RunAsync(media);
        var segments = await h.AllSegmentsAsync();

        Directory.Delete(Path.Combine(h.DataDir, "thumbs"), recursive: true);
        var jpeg = await h.Indexer.GetThumbnailAsync(segments[0].ThumbnailRef!);
        Assert.NotNull(jpeg);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg![..2]);

        Directory.Delete(Path.Combine(h.DataDir, "thumbs"), recursive: true);
        var run = await h.RunAsync(media);
        Assert.Equal(0, run.Indexed);
        foreach (var s in segments)
            Assert.True(File.Exists(Path.Combine(h.DataDir, "thumbs", s.VideoId, $"{s.Ordinal}.jpg")), s.ThumbnailRef);
    }

    [Fact]
    public async Task A_second_writer_on_one_data_folder_is_refused_naming_the_holder()
    {
        var media = MediaCopy("heal-lock");
        var data = TestPaths.NewScratchDir("heal-lock-data");
        await using var first = new IndexingHarness("heal-lock", dataDir: data);
        await first.RunAsync(media);
        await using (var second = new IndexingHarness("heal-lock", dataDir: data))
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => second.RunAsync(media));
            Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
            Assert.Contains("POST /api/crawl", e.Message);
        }
    }

    [Fact]
    public async Task A_stale_lock_of_a_dead_process_is_taken_over()
    {
        var media = MediaCopy("heal-stale");
        var data = TestPaths.NewScratchDir("heal-stale-data");
        // A process that has exited: its pid is free (or reused by another start time).
        using var p = System.Diagnostics.Process.Start("true")!;
        await p.WaitForExitAsync();
        await File.WriteAllTextAsync(Path.Combine(data, "writer.lock"),
            $$"""{"pid": {{p.Id}}, "command": "mmi index", "started": "2020-01-01T00:00:00+00:00"}""");
        await using var h = new IndexingHarness("heal-stale", dataDir: data);
        Assert.Equal(3, (await h.RunAsync(media)).Indexed);
    }

    [Fact]
    public async Task A_reader_sees_writes_committed_by_another_connection_without_restart()
    {
        var dir = TestPaths.NewScratchDir("heal-reader");
        var path = Path.Combine(dir, "index.db");
        await using var writer = new EmbeddedStore(path, new EmbeddedStoreOptions());
        await using var reader = new EmbeddedStore(path, new EmbeddedStoreOptions());
        await writer.UpsertVideoAsync(Video("a", "first lantern"), [Segment("a", "first lantern")]);
        Assert.Equal(1, (await reader.SearchAsync(new SearchRequest { Query = "lantern", Mode = SearchMode.Text })).Total);

        await writer.UpsertVideoAsync(Video("b", "second lantern"), [Segment("b", "second lantern")]);
        Assert.Equal(2, (await reader.SearchAsync(new SearchRequest { Query = "lantern", Mode = SearchMode.Text })).Total);
        await writer.DeleteVideoAsync(DocumentIds.VideoId(new string('a', 64)));
        Assert.Equal(1, (await reader.SearchAsync(new SearchRequest { Query = "lantern", Mode = SearchMode.Text })).Total);

        static VideoDocument Video(string c, string title) => new()
        {
            Id = DocumentIds.VideoId(new string(c[0], 64)), SourcePath = $"/m/{c}.mp4", Storage = "m", FileName = $"{c}.mp4",
            Title = title, Duration = 2, SegmentCount = 1, IndexedAt = DateTimeOffset.UtcNow,
        };
        static SegmentDocument Segment(string c, string text) => new()
        {
            Id = DocumentIds.SegmentId(DocumentIds.VideoId(new string(c[0], 64)), 0), VideoId = DocumentIds.VideoId(new string(c[0], 64)),
            Ordinal = 0, SourcePath = $"/m/{c}.mp4", Storage = "m", FileName = $"{c}.mp4", Title = text, Start = 0, End = 2,
            Transcript = text, OcrText = "", IndexedAt = DateTimeOffset.UtcNow,
        };
    }

    [Fact]
    public async Task A_file_still_being_written_is_deferred_until_it_is_stable()
    {
        var media = TestPaths.NewScratchDir("heal-growing");
        var bytes = await File.ReadAllBytesAsync(TestVideos.Trio()[0]);
        var path = Path.Combine(media, "recording.mp4");
        await using var h = new IndexingHarness("heal-growing", new Dictionary<string, string?> { ["Indexing:StableSeconds"] = "1.5" });

        // StableSeconds is generous against a busy machine stalling the writer; the test still takes seconds, not minutes.
        using var stop = new CancellationTokenSource();
        var written = bytes.Length / 4;
        await File.WriteAllBytesAsync(path, bytes[..written]);
        var writer = Task.Run(async () =>
        {
            // Bursts every 40 ms, as a recorder flushes; the last burst only after the first crawl.
            await using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            while (!stop.IsCancellationRequested && written < bytes.Length - 4096)
            {
                await f.WriteAsync(bytes.AsMemory(written, 64));
                await f.FlushAsync();
                written += 64;
                await Task.Delay(40);
            }
            await f.WriteAsync(bytes.AsMemory(written));
        });
        var during = await h.RunAsync(media);
        await stop.CancelAsync();
        await writer;
        Assert.Equal((0, 0), (during.Indexed, during.Failed.Count));
        Assert.Equal(1, during.Deferred); // new-api

        await Task.Delay(1700); // older than StableSeconds now: one look is enough
        var after = await h.RunAsync(media);
        Assert.Equal((1, 0), (after.Indexed, after.Failed.Count));
        Assert.Equal(0, after.Deferred); // new-api
    }
}
