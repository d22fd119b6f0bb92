using System.Diagnostics;
using System.Net;
using System.Text;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.EndToEnd;
using MultiModalIndexer.Tests.Indexing;

namespace MultiModalIndexer.Tests.Daemon;

/// <summary>Issue 11 at the host: FIFOs behind /media, HTTP details, a broken store, watcher re-arming, CLI storage errors.</summary>
public sealed class DaemonHealingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_fifo_in_place_of_an_indexed_file_is_refused_promptly_and_healthz_stays_up_under_30_requests()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-fifo");
        var video = await s.AddVideoAsync("clip.webm", "Clip", [(0, 5, "hello", "")]);
        File.Delete(video.Path);
        TestVideos.Run("mkfifo", [video.Path]);
        try
        {
            using var http = new HttpClient { BaseAddress = s.BaseAddress, Timeout = Patience };
            var media = Enumerable.Range(0, 30).Select(_ => http.GetAsync($"media/{video.Id}")).ToList();
            for (var i = 0; i < 5; i++)
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
            foreach (var r in await Task.WhenAll(media))
                Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            // The search path (thread pool) still answers too.
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("api/search", new StringContent("""{"query":"hello","mode":"text"}""", Encoding.UTF8, "application/json"))).StatusCode);
        }
        finally
        {
            // Release readers a blocking implementation would have left inside open(2).
            for (var i = 0; i < 40; i++)
            {
                var writer = Task.Run(() => { using var w = new FileStream(video.Path, FileMode.Open, FileAccess.Write); });
                try { await writer.WaitAsync(TimeSpan.FromMilliseconds(50)); }
                catch (TimeoutException) { break; }
            }
            File.Delete(video.Path);
        }
    }

    [Fact]
    public async Task Ranges_that_are_not_bytes_are_ignored()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-range-unit");
        var video = await s.AddVideoAsync("clip.webm", "Clip", [(0, 5, "hello", "")]);
        var req = new HttpRequestMessage(HttpMethod.Get, s.Url($"media/{video.Id}"));
        req.Headers.TryAddWithoutValidation("Range", "items=0-1");
        var r = await s.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(new FileInfo(video.Path).Length, (await r.Content.ReadAsByteArrayAsync()).Length);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("""{"query": "x", "mode": 5}""")]
    [InlineData("""{"query": "x", "size": "ten"}""")]
    [InlineData("""{"query": ["x"]}""")]
    public async Task Null_and_mistyped_bodies_get_a_400_without_dotnet_type_names(string body)
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-body");
        var r = await s.Http.PostAsync(s.Url("api/search"), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var text = await r.Content.ReadAsStringAsync();
        Assert.DoesNotContain("MultiModalIndexer.", text);
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("Nullable", text);
        Assert.DoesNotContain("SearchBody", text);
    }

    [Fact]
    public async Task A_broken_store_answers_503_with_the_command_that_fixes_it()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-broken-store",
            prepareDataDir: data => File.WriteAllText(Path.Combine(data, "index.db"), new string('x', 8192)));
        var r = await s.Http.PostAsync(s.Url("api/search"), new StringContent("""{"query":"x","mode":"text"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        var text = await r.Content.ReadAsStringAsync();
        Assert.Contains("doctor", text);
        Assert.Contains("index.db", text);
    }

    [Fact]
    public async Task The_watcher_re_arms_after_its_root_was_deleted_and_recreated()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-rearm", new()
        {
            ["Daemon:WatchSources"] = "true",
            ["Daemon:WatchDebounceSeconds"] = "0.2",
            ["Daemon:WatchRearmSeconds"] = "0.2",
        });
        Directory.Delete(s.MediaRoot, recursive: true);
        await Task.Delay(1000);
        Directory.CreateDirectory(s.MediaRoot);
        await Task.Delay(1500);
        while (s.Indexing.RunStarted.Wait(0)) { } // crawls the vanish/return itself asked for

        File.Copy(TestMedia.VideoFixture, Path.Combine(s.MediaRoot, "new.webm"));
        Assert.True(await s.Indexing.RunStarted.WaitAsync(Patience), "no crawl after a file appeared under the re-created root");
    }

    [Fact]
    public async Task Cli_storage_errors_are_one_line_with_the_fixing_command_and_a_non_zero_exit()
    {
        var work = TestPaths.NewScratchDir("cli-storage");
        var data = Directory.CreateDirectory(Path.Combine(work, "data")).FullName;
        await File.WriteAllTextAsync(Path.Combine(data, "index.db"), new string('x', 8192));
        var (exit, _, stderr) = await CliRunner.RunAsync(work, TimeSpan.FromMinutes(1), "search", "hello", "--data", data, "--mode", "text");
        Assert.NotEqual(0, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, stderr);
        Assert.Contains("index.db", lines[0]);
        Assert.Contains("doctor", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }
}
