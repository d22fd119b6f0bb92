using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Daemon.Scheduling;

namespace MultiModalIndexer.Tests.Daemon;

public sealed class DaemonSchedulingTests
{
    private const string AdminKey = "test-admin-key-0123456789abcdef";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static HttpRequestMessage Crawl(DaemonTestServer s, string? source = null)
    {
        var r = new HttpRequestMessage(HttpMethod.Post, s.Url(source is null ? "api/crawl" : $"api/crawl?source={source}"));
        r.Headers.Add("X-Api-Key", AdminKey);
        return r;
    }

    [Fact]
    public async Task Crawls_once_at_startup_then_on_demand_and_never_overlap()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-sched", new()
        {
            ["Api:AdminKey"] = AdminKey,
            ["Daemon:CrawlOnStart"] = "true",
        }, configure: b => b.Work = ct => Task.Delay(400, ct));

        Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience), "no crawl at start-up");
        Assert.Equal(["media"], s.Indexing.Runs.First());

        // Three requests while the first run is busy: they queue behind it, one at a time.
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Accepted, (await s.Http.SendAsync(Crawl(s, i == 0 ? "media" : null))).StatusCode);
        for (var i = 0; i < 3; i++)
            Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience), $"queued crawl {i} never ran");
        Assert.Equal(1, s.Indexing.MaxConcurrent);

        // Once idle, status shows the last finished run.
        var state = s.App.Services.GetRequiredService<CrawlState>();
        for (var i = 0; i < 300 && state.Snapshot is { Running: true } or { RunsCompleted: < 4 }; i++) await Task.Delay(100);
        Assert.Equal(4, state.Snapshot.RunsCompleted);
        Assert.Null(state.Snapshot.LastError);
    }

    [Fact]
    public async Task Cron_schedule_fires_the_sources_crawl()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-cron", new() { ["Sources:0:Schedule"] = "0/1 * * * * ?" });
        Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience), "the every-second schedule never fired");
        Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience), "the schedule fired only once");
        Assert.All(s.Indexing.Runs, r => Assert.Equal(["media"], r));
    }

    [Fact]
    public async Task File_changes_under_a_root_trigger_an_early_crawl()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-watch", new()
        {
            ["Daemon:WatchSources"] = "true",
            ["Daemon:WatchDebounceSeconds"] = "0.3",
        });
        var existing = Path.Combine(s.MediaRoot, "old.webm");
        File.Copy(TestMedia.VideoFixture, existing);
        Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience), "no crawl after a file appeared");
        Assert.Equal(["media"], s.Indexing.Runs.Single());

        // Reading files (as a crawl's decoding does) is not a change: no further crawl.
        for (var i = 0; i < 3; i++) _ = await File.ReadAllBytesAsync(existing);
        Assert.False(await s.Indexing.RunStarted.WaitAsync(TimeSpan.FromSeconds(3)), "reading a file triggered a crawl");

        // Growing a file is.
        await File.AppendAllTextAsync(existing, "more");
        Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience), "no crawl after a file changed");
    }

    [Fact]
    public async Task Shutdown_cancels_the_running_crawl_and_waits_for_it()
    {
        var s = await DaemonTestServer.StartAsync("daemon-stop", new() { ["Daemon:CrawlOnStart"] = "true" },
            configure: b => b.Work = ct => Task.Delay(Timeout.Infinite, ct));
        try
        {
            Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience));
            var state = s.App.Services.GetRequiredService<CrawlState>();
            Assert.True(state.Snapshot.Running);
            await s.App.StopAsync();
            Assert.Equal(1, s.Indexing.CancelledRuns);
            Assert.False(state.Snapshot.Running);
            Assert.Contains("cancelled", state.Snapshot.LastError);
        }
        finally
        {
            await s.DisposeAsync();
        }
    }
}
