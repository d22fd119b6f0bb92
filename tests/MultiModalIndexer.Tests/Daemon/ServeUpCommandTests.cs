using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Daemon;

/// <summary>`mmi serve` and `mmi up` as a user runs them: a real process, a real port, a signal to stop.</summary>
public sealed partial class ServeUpCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private sealed class Cli : IAsyncDisposable
    {
        private readonly Process process;
        private readonly TaskCompletionSource<string> url = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly List<string> Output = [];
        public readonly List<string> Errors = [];

        public Cli(string workDir, params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workDir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mmi.dll"));
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["MMI__Logging__LogLevel__Default"] = "Warning";
            process = Process.Start(psi)!;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (Output) Output.Add(e.Data);
                if (ServingLine().Match(e.Data) is { Success: true } m) url.TrySetResult(m.Groups[1].Value);
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Errors) Errors.Add(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public async Task<Uri> UrlAsync()
        {
            var done = await Task.WhenAny(url.Task, process.WaitForExitAsync(), Task.Delay(Patience));
            Assert.True(done == url.Task, $"no 'Serving search on' line; stdout: {string.Join(" | ", Output)}; stderr: {string.Join(" | ", Errors)}");
            return new Uri(url.Task.Result + "/");
        }

        public async Task<int> ExitCodeAsync()
        {
            using var cts = new CancellationTokenSource(Patience);
            await process.WaitForExitAsync(cts.Token);
            return process.ExitCode;
        }

        public void Terminate() => Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }

    [GeneratedRegex(@"Serving search on (http://[^/\s]+)/")]
    private static partial Regex ServingLine();

    [Fact]
    public async Task Serve_listens_on_loopback_answers_and_stops_on_sigterm()
    {
        var dir = TestPaths.NewScratchDir("cli-serve");
        var media = Directory.CreateDirectory(Path.Combine(dir, "media")).FullName;
        await using var cli = new Cli(dir, "serve", "--data", Path.Combine(dir, "data"), "--media", media, "--urls", "http://127.0.0.1:0", "--no-initial-crawl", "--no-fetch");
        var url = await cli.UrlAsync();
        Assert.Equal("127.0.0.1", url.Host);
        using var http = new HttpClient { BaseAddress = url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        var status = JsonDocument.Parse(await http.GetStringAsync("api/status")).RootElement;
        Assert.Equal("media", status.GetProperty("sources")[0].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("api/crawl", null)).StatusCode);
        cli.Terminate();
        Assert.Equal(0, await cli.ExitCodeAsync());
    }

    [Fact]
    public async Task Serve_with_invalid_settings_exits_2_saying_what_to_fix()
    {
        var dir = TestPaths.NewScratchDir("cli-bad");
        await using var cli = new Cli(dir, "serve", "--data", Path.Combine(dir, "data"), "--urls", "ftp://127.0.0.1:21");
        Assert.Equal(2, await cli.ExitCodeAsync());
        Assert.Contains(cli.Errors, l => l.Contains("Api:Urls entry 'ftp://127.0.0.1:21'"));
        Assert.DoesNotContain(cli.Output, l => l.Contains("Serving search on"));
    }

    [Fact]
    public async Task Up_indexes_the_folder_then_serves_it()
    {
        var dir = TestPaths.NewScratchDir("cli-up");
        var media = Directory.CreateDirectory(Path.Combine(dir, "videos")).FullName;
        File.Copy(TestMedia.VideoFixture, Path.Combine(media, "clip.webm"));
        await using var cli = new Cli(dir, "up", "videos", "--urls", "http://127.0.0.1:0", "--no-fetch");
        var url = await cli.UrlAsync();
        Assert.Contains(cli.Output, l => l.Contains("Indexed") && l.Contains("1 file(s)"));
        Assert.True(File.Exists(Path.Combine(dir, "data", "index.db")), "the default data folder is ./data");
        using var http = new HttpClient { BaseAddress = url };
        var videos = JsonDocument.Parse(await http.GetStringAsync("api/videos")).RootElement.GetProperty("videos");
        Assert.Equal("clip.webm", videos[0].GetProperty("fileName").GetString());
        var page = await http.GetStringAsync("");
        Assert.Contains("id=\"q\"", page);
        cli.Terminate();
        Assert.Equal(0, await cli.ExitCodeAsync());
    }
}
