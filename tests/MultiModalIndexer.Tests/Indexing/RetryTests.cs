using MultiModalIndexer.Crawl;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Indexing;

public class RetryTests
{
    [Fact]
    public async Task Transient_failures_back_off_and_end_as_failed_with_their_reason_after_MaxAttempts()
    {
        var media = TestPaths.NewScratchDir("retry-media");
        var file = Path.Combine(media, "clip.mp4");
        File.Copy(TestVideos.Trio()[0], file);
        // An impossible probe deadline makes every attempt time out: a transient error by kind.
        await using var h = new IndexingHarness("retry", new Dictionary<string, string?>
        {
            ["Media:ProbeTimeoutSeconds"] = "0.000001",
            ["Indexing:MaxAttempts"] = "2",
        });

        var first = await h.RunAsync(media);
        var f1 = Assert.Single(first.Failed);
        Assert.Contains("attempt 1 of 2; will retry", f1.Error);

        var second = await h.RunAsync(media);
        var f2 = Assert.Single(second.Failed);
        Assert.DoesNotContain("will retry", f2.Error);
        var row = h.Indexer.Ledger.Get(file)!;
        Assert.Equal((LedgerStatus.Failed, 2), (row.Status, row.Attempts));
        Assert.False(string.IsNullOrWhiteSpace(row.LastError));

        // Failed for good: listed with its reason, not attempted again while the bytes stay the same.
        var third = await h.RunAsync(media);
        Assert.Equal(f2.Error, Assert.Single(third.Failed).Error);
        Assert.Equal(2, h.Indexer.Ledger.Get(file)!.Attempts);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1)); // touched, same content: still failed
        Assert.Single((await h.RunAsync(media)).Failed);
        Assert.Equal(2, h.Indexer.Ledger.Get(file)!.Attempts);
        Assert.Equal(1, Assert.Single(h.Indexer.Status.Sources).Failed);

        // `./mmi retry` leaves files failed for good alone; `--failed` gives them a fresh budget.
        Assert.Equal(0, h.Indexer.ResetFailed(includeFinal: false));
        Assert.Equal(1, h.Indexer.ResetFailed(includeFinal: true));
        Assert.Contains("attempt 1 of 2", Assert.Single((await h.RunAsync(media)).Failed).Error);
        Assert.Single((await h.RunAsync(media)).Failed);

                // New content gets a fresh set of attempts.
        File.Copy(TestVideos.Other(), file, overwrite: true);
        var changed = await h.RunAsync(media);
        Assert.Contains("attempt 1 of 2", Assert.Single(changed.Failed).Error);
    }
}
