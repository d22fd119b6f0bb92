using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Stores;
using Spectre.Console;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi status [--data DIR] [--json]`: per-source counts from the ledger and the store's totals.</summary>
public sealed class StatusCommand : ICliCommand
{
    public Command Build()
    {
        var data = new Option<string?>("--data") { Description = "Data folder of the index. Default: Indexing:DataDir from appsettings.json/MMI__Indexing__DataDir, else ./data." };
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        var cmd = new Command("status", "What is indexed: files per source (indexed, pending, failed), segments, store totals.") { data, json };
        cmd.SetAction(async (pr, ct) =>
        {
            var config = IndexCliHost.BuildConfiguration(pr.GetValue(data));
            await using var sp = IndexCliHost.Build(config, verbose: false);
            if (sp is null) return 1;
            var settings = sp.GetRequiredService<MultiModalIndexerSettings>();
            var status = sp.GetRequiredService<Indexer>().Status;
            StoreStats? stats = null;
            var hasIndex = settings.Store.Kind != StoreKind.Embedded
                           || File.Exists(StoreFactory.EmbeddedDatabasePath(settings.Store.Embedded, settings.Indexing.DataDir));
            if (hasIndex)
            {
                var store = sp.GetRequiredService<ISegmentStore>();
                await SchemaGate.EnsureAsync(store, ct);
                stats = await store.StatsAsync(ct);
            }
            if (pr.GetValue(json))
            {
                CliJson.Write(new
                {
                    dataDir = settings.Indexing.DataDir,
                    store = settings.Store.Kind.ToString().ToLowerInvariant(),
                    videos = stats?.Videos ?? 0,
                    segments = stats?.Segments ?? 0,
                    sources = status.Sources.Select(s => new { name = s.Name, files = s.Files, indexed = s.Indexed, pending = s.Pending, failed = s.Failed, segments = s.Segments }),
                    lastRunFinished = status.LastRunFinished,
                });
                return 0;
            }
            Console.WriteLine($"Data: {settings.Indexing.DataDir} ({settings.Store.Kind} store): {stats?.Videos ?? 0} videos, {stats?.Segments ?? 0} segments.");
            var table = new Table().AddColumns("source", "files", "indexed", "pending", "failed", "segments");
            foreach (var s in status.Sources)
                table.AddRow(Markup.Escape(s.Name), s.Files.ToString(CultureInfo.InvariantCulture), s.Indexed.ToString(CultureInfo.InvariantCulture), s.Pending.ToString(CultureInfo.InvariantCulture), s.Failed.ToString(CultureInfo.InvariantCulture), s.Segments.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
