using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Inference;
using Spectre.Console;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// `./mmi index PATH... [--data DIR] [--json]`: indexes folders/files as ad-hoc sources into the store
/// under --data. Exit 0 when the run completed, even if some files failed (they are listed).
/// </summary>
public sealed class IndexCommand : ICliCommand
{
    public Command Build()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Folders or video files to index.", Arity = ArgumentArity.OneOrMore };
        var data = new Option<string?>("--data") { Description = "Data folder (ledger, embedded store, thumbnails). Default: Indexing:DataDir from appsettings.json/MMI__Indexing__DataDir, else ./data." };
        var json = new Option<bool>("--json") { Description = "Print {\"indexed\", \"segments\", \"failed\"} as JSON." };
        var verbose = new Option<bool>("--verbose") { Description = "Log each file." };
        var cmd = new Command("index", "Index video folders or files (new/changed files only; deleted files are removed).") { paths, data, json, verbose };
        cmd.SetAction(async (pr, ct) =>
        {
            var sources = new List<SourceOptions>();
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in pr.GetValue(paths) ?? [])
            {
                var full = Path.GetFullPath(p);
                if (!Directory.Exists(full) && !File.Exists(full))
                {
                    Console.Error.WriteLine($"index: '{p}' does not exist.");
                    return 2;
                }
                var baseName = Path.GetFileName(full.TrimEnd('/'));
                if (baseName.Length == 0) baseName = "root";
                var name = baseName;
                for (var i = 2; !names.Add(name); i++) name = $"{baseName}-{i}";
                sources.Add(new SourceOptions { Name = name, Root = full });
            }

            var config = IndexCliHost.BuildConfiguration(pr.GetValue(data));
            await using var sp = IndexCliHost.Build(config, pr.GetValue(verbose));
            if (sp is null) return 1;
            var indexer = sp.GetRequiredService<Indexer>();
            var asJson = pr.GetValue(json);

            IndexRunReport report;
            try
            {
                report = !asJson && AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected
                    ? await RunWithProgressAsync(indexer, sources, ct)
                    : await indexer.RunAsync(sources, ct);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("index: cancelled; the next run resumes where this one stopped.");
                return 130;
            }

            if (asJson)
            {
                CliJson.Write(new
                {
                    indexed = report.Indexed,
                    segments = report.Segments,
                    failed = report.Failed.Select(f => new { path = f.Path, error = f.Error }).ToList(),
                });
                return 0;
            }
            Console.WriteLine($"Indexed {report.Indexed} file(s), {report.Segments} segment(s); {report.Unchanged} unchanged, {report.Touched} touched, " +
                              $"{report.Moved} moved, {report.Deleted} deleted; {report.MediaSeconds:0.#} s of media in {report.Elapsed.TotalSeconds:0.#} s.");
            foreach (var (modality, reason) in indexer.Modalities.OffReasons) Console.WriteLine($"  ({modality} off) {reason}");
            if (report.Failed.Count > 0)
            {
                Console.WriteLine($"{report.Failed.Count} file(s) not indexed:");
                foreach (var f in report.Failed) Console.WriteLine($"  {f.Path}: {f.Error}");
            }
            return 0;
        });
        return cmd;
    }

    private static async Task<IndexRunReport> RunWithProgressAsync(Indexer indexer, IReadOnlyList<SourceOptions> sources, CancellationToken ct)
    {
        IndexRunReport? report = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var files = ctx.AddTask("files", maxValue: 1);
                var current = ctx.AddTask("current file", maxValue: 1);
                var run = indexer.RunAsync(sources, ct);
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(250, CancellationToken.None));
                    var st = indexer.Status;
                    files.MaxValue = Math.Max(1, st.RunPlanned);
                    files.Value = st.RunDone;
                    files.Description = $"files {st.RunDone}/{st.RunPlanned}  {st.MediaSecondsPerSecond:0.0}x real time";
                    current.Value = st.CurrentFileProgress ?? 0;
                    current.Description = Markup.Escape(st.CurrentFile is null ? "waiting" : Path.GetFileName(st.CurrentFile));
                }
                report = await run;
                files.Value = files.MaxValue;
                current.Value = current.MaxValue;
                current.Description = "done";
            });
        return report!;
    }
}
