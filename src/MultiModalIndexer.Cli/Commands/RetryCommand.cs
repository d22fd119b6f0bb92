using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Indexing;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// `./mmi retry --data DIR [--failed]`: files waiting out a retry back-off get a fresh budget now;
/// with --failed, files that failed for good too (e.g. after the cause was fixed). The next crawl
/// indexes them.
/// </summary>
public sealed class RetryCommand : ICliCommand
{
    public Command Build()
    {
        var data = new Option<string?>("--data") { Description = "Data folder. Default: Indexing:DataDir from appsettings.json/MMI__Indexing__DataDir, else ./data." };
        var failed = new Option<bool>("--failed") { Description = "Also reset files that failed for good (used up Indexing:MaxAttempts)." };
        var cmd = new Command("retry", "Reset failed files so the next crawl indexes them again.") { data, failed };
        cmd.SetAction(async (pr, ct) =>
        {
            var config = IndexCliHost.BuildConfiguration(pr.GetValue(data));
            await using var sp = IndexCliHost.Build(config, verbose: false);
            if (sp is null) return 1;
            var indexer = sp.GetRequiredService<Indexer>();
            if (!File.Exists(Path.Combine(indexer.DataDir, "ledger.db")))
            {
                Console.Error.WriteLine($"retry: nothing indexed in '{indexer.DataDir}' yet.");
                return 2;
            }
            var n = indexer.ResetFailed(includeFinal: pr.GetValue(failed));
            Console.WriteLine($"{n} file(s) reset; the next crawl indexes them (`./mmi index PATH --data {indexer.DataDir}`, or the daemon's schedule / POST /api/crawl).");
            await Task.CompletedTask;
            return 0;
        });
        return cmd;
    }
}
