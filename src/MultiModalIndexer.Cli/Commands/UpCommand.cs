using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Daemon;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Daemon.Configuration;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Stores;
using Spectre.Console;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// `./mmi up PATH [--data DIR] [--urls URL]`: index PATH into the embedded store (progress on the
/// terminal), then serve the page and API on loopback; scheduled re-crawls keep it current.
/// (The launcher runs setup first when needed.)
/// </summary>
public sealed class UpCommand : ICliCommand
{
    public Command Build()
    {
        var path = new Argument<string>("PATH") { Description = "Folder of videos to index and serve." };
        var data = new Option<string?>("--data") { Description = "Data folder (default ./data)." };
        var urls = new Option<string?>("--urls") { Description = "Listen URL (default http://127.0.0.1:8080)." };
        var noFetch = ModelFetchUi.NoFetchOption();
        var cmd = new Command("up", "Index a folder and serve search over it (page + API on 127.0.0.1).") { path, data, urls, noFetch };
        cmd.SetAction(async (pr, ct) =>
        {
            var root = pr.GetValue(path)!;
            if (!Directory.Exists(root))
            {
                Console.Error.WriteLine($"{root}: no such folder. Usage: ./mmi up PATH_TO_VIDEOS");
                return 2;
            }
            var dataDir = Path.GetFullPath(pr.GetValue(data) ?? "data");
            var app = ServeSupport.TryBuild(new DaemonHostOptions
            {
                DataDir = dataDir,
                MediaRoots = [root],
                Urls = pr.GetValue(urls) ?? "http://127.0.0.1:8080",
                CrawlOnStart = false, // indexed right here, with progress, before serving
                Settings = new Dictionary<string, string?>
                {
                    // Keep the terminal for the progress display; warnings still show.
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
                },
            });
            if (app is null) return 2;

            if (!pr.GetValue(noFetch)) await ModelFetchUi.EnsureDefaultModelsAsync(app.Services, ct);
            ModelFetchUi.PrintModalities(app.Services);
            var sources = app.Services.GetRequiredService<SourceCatalog>().Sources;
            AnsiConsole.MarkupLine($"[bold]Indexing[/] {Markup.Escape(Path.GetFullPath(root))} → {Markup.Escape(dataDir)}");
            IndexRunReport report;
            try
            {
                await SchemaGate.EnsureAsync(app.Services.GetRequiredService<ISegmentStore>(), ct);
                report = await IndexWithProgressAsync(app.Services.GetRequiredService<IIndexingBackend>(), sources, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("Stopped; the next `./mmi up` resumes where this one stopped.");
                await app.DisposeAsync();
                return 130;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"Indexing failed: {e.Message}");
                await app.DisposeAsync();
                return 1;
            }
            PrintReport(report);
            return await ServeSupport.RunAsync(app, ct);
        });
        return cmd;
    }

    private static async Task<IndexRunReport> IndexWithProgressAsync(IIndexingBackend backend, IReadOnlyList<SourceOptions> sources, CancellationToken ct)
    {
        if (Console.IsOutputRedirected)
            return await backend.RunAsync(sources, ct);
        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var files = ctx.AddTask("files", maxValue: 1);
                var current = ctx.AddTask("current file", maxValue: 1);
                var run = backend.RunAsync(sources, ct);
                while (!run.IsCompleted)
                {
                    Update(files, current, SafeStatus(backend));
                    await Task.WhenAny(run, Task.Delay(250, CancellationToken.None));
                }
                var report = await run;
                Update(files, current, SafeStatus(backend));
                files.Value = files.MaxValue;
                current.Description = "done";
                current.Value = current.MaxValue;
                return report;
            });
    }

    private static IndexingStatus? SafeStatus(IIndexingBackend backend)
    {
        try { return backend.Status; }
        catch (InvalidOperationException) { return null; }
    }

    private static void Update(ProgressTask files, ProgressTask current, IndexingStatus? s)
    {
        if (s is null) return;
        var total = s.Sources.Sum(x => x.Files);
        var done = s.Sources.Sum(x => x.Files - x.Pending);
        if (total > 0)
        {
            files.MaxValue = total;
            files.Value = Math.Clamp(done, 0, total);
        }
        var rate = s.MediaSecondsPerSecond > 0 ? $" · {s.MediaSecondsPerSecond:0.0}× real time" : "";
        var eta = s.Eta is { } e ? $" · ETA {e:hh\\:mm\\:ss}" : "";
        files.Description = Markup.Escape($"{done}/{total} files · {s.Sources.Sum(x => x.Segments)} segments{rate}{eta}");
        current.Description = Markup.Escape(s.CurrentFile is { } f ? Shorten(Path.GetFileName(f), 40) : "…");
        current.Value = s.CurrentFileProgress ?? 0;
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : "…" + s[^(max - 1)..];

    private static void PrintReport(IndexRunReport r)
    {
        AnsiConsole.MarkupLine(
            $"[green]Indexed[/] {r.Indexed} file(s), {r.Segments} segments; {r.Unchanged} unchanged, {r.Deleted} removed, " +
            (r.Failed.Count == 0 ? "none failed." : $"[yellow]{r.Failed.Count} not indexed:[/]"));
        foreach (var f in r.Failed)
            AnsiConsole.MarkupLine($"  [yellow]-[/] {Markup.Escape(f.Path)}: {Markup.Escape(f.Error)}");
    }
}
