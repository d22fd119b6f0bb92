using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Indexing;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// `./mmi doctor --data DIR [--repair]`: the store and the ledger verify each other (integrity check,
/// store id, segment counts per video, orphans either way, thumbnails, writer lock). With --repair a
/// damaged store or ledger is moved aside, files whose documents are gone are queued for re-indexing,
/// orphans are adopted or removed and thumbnails rendered again. Exit 0 when healthy (or repaired), 1
/// when problems were found and left alone.
/// </summary>
public sealed class DoctorCommand : ICliCommand
{
    public Command Build()
    {
        var data = new Option<string?>("--data") { Description = "Data folder to check. Default: Indexing:DataDir from appsettings.json/MMI__Indexing__DataDir, else ./data." };
        var repair = new Option<bool>("--repair") { Description = "Fix what was found (needs the writer lock: stop a daemon serving this folder first)." };
        var cmd = new Command("doctor", "Check (and with --repair fix) the store, the ledger and the thumbnails of a data folder.") { data, repair };
        cmd.SetAction(async (pr, ct) =>
        {
            var config = IndexCliHost.BuildConfiguration(pr.GetValue(data));
            await using var sp = IndexCliHost.Build(config, verbose: false);
            if (sp is null) return 1;
            var indexer = sp.GetRequiredService<Indexer>();
            var fix = pr.GetValue(repair);
            if (DataFolderLock.ReadHolder(indexer.DataDir) is { } holder && holder.IsAlive())
                Console.WriteLine($"Writer: {holder} holds {DataFolderLock.PathOf(indexer.DataDir)}.");
            var report = await indexer.CheckAsync(fix, ct);
            foreach (var line in report.Lines) Console.WriteLine(line);
            if (report.Healthy)
            {
                Console.WriteLine($"{indexer.DataDir}: store and ledger agree; nothing to fix.");
                return 0;
            }
            Console.WriteLine(fix
                ? $"Repaired. Files queued for re-indexing are indexed by the next crawl: `./mmi index PATH --data {indexer.DataDir}` or the daemon's schedule (POST /api/crawl)."
                : $"Run `./mmi doctor --data {indexer.DataDir} --repair` to fix this.");
            return fix ? 0 : 1;
        });
        return cmd;
    }
}
