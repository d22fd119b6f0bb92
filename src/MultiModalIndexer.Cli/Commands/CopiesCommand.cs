using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;
using Spectre.Console;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi copies QUERY_VIDEO --data DIR [--json]`: which library videos the clip copies, and where.</summary>
public sealed class CopiesCommand : ICliCommand
{
    public Command Build()
    {
        var query = new Argument<string>("QUERY_VIDEO") { Description = "A video clip to look for in the library." };
        var data = new Option<string?>("--data") { Description = "Data folder of the index. Default: Indexing:DataDir, else ./data." };
        var json = new Option<bool>("--json") { Description = "Print {\"matches\": [{video, start, end, queryStart, queryEnd, score}]} as JSON." };
        var cmd = new Command("copies", "Find the library videos a clip copies, with the copied spans on both sides.") { query, data, json };
        cmd.SetAction(async (pr, ct) =>
        {
            await using var sp = CopiesCli.Open(pr.GetValue(data), "copies");
            if (sp is null) return 2;
            CopySearchResult result;
            try
            {
                result = await sp.GetRequiredService<CopyDetector>().FindAsync(pr.GetValue(query)!, ct);
            }
            catch (MediaException e)
            {
                Console.Error.WriteLine("copies: " + e.Message);
                return 2;
            }
            if (pr.GetValue(json))
            {
                CliJson.Write(result);
                return 0;
            }
            if (result.Matches.Count == 0)
            {
                Console.WriteLine("No copies found.");
                return 0;
            }
            var table = new Table().AddColumns("#", "video", "video span", "query span", "score");
            var rank = 0;
            foreach (var m in result.Matches)
                table.AddRow((++rank).ToString(), Markup.Escape(m.Video), CopiesCli.Span(m.Start, m.End), CopiesCli.Span(m.QueryStart, m.QueryEnd),
                    m.Score.ToString("0.000"));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}

/// <summary>`./mmi duplicates --data DIR [--json]`: footage that appears in more than one library video.</summary>
public sealed class DuplicatesCommand : ICliCommand
{
    public Command Build()
    {
        var data = new Option<string?>("--data") { Description = "Data folder of the index. Default: Indexing:DataDir, else ./data." };
        var json = new Option<bool>("--json") { Description = "Print {\"duplicates\": [...]} as JSON." };
        var cmd = new Command("duplicates", "Report copies within the library: re-uploads, the same footage in two edits.") { data, json };
        cmd.SetAction(async (pr, ct) =>
        {
            await using var sp = CopiesCli.Open(pr.GetValue(data), "duplicates");
            if (sp is null) return 2;
            var pairs = await sp.GetRequiredService<CopyDetector>().FindDuplicatesAsync(ct);
            if (pr.GetValue(json))
            {
                CliJson.Write(new { duplicates = pairs });
                return 0;
            }
            if (pairs.Count == 0)
            {
                Console.WriteLine("No footage appears in two videos.");
                return 0;
            }
            var table = new Table().AddColumns("video A", "span A", "video B", "span B", "score");
            foreach (var p in pairs)
                table.AddRow(Markup.Escape(p.VideoA), CopiesCli.Span(p.StartA, p.EndA), Markup.Escape(p.VideoB), CopiesCli.Span(p.StartB, p.EndB),
                    p.Score.ToString("0.000") + (p.Mirrored ? " (mirrored)" : ""));
            AnsiConsole.Write(table);
            Console.WriteLine($"{pairs.Count} copied span(s).");
            return 0;
        });
        return cmd;
    }
}

internal static class CopiesCli
{
    /// <summary>Services without loading any model: copy detection needs ffmpeg and the store only.</summary>
    public static Microsoft.Extensions.DependencyInjection.ServiceProvider? Open(string? dataDir, string verb)
    {
        var config = IndexCliHost.BuildConfiguration(dataDir);
        var sp = IndexCliHost.Build(config, verbose: false);
        if (sp is null) return null;
        var settings = sp.GetRequiredService<MultiModalIndexerSettings>();
        if (settings.Store.Kind == StoreKind.Embedded && !File.Exists(StoreFactory.EmbeddedDatabasePath(settings.Store.Embedded, settings.Indexing.DataDir)))
        {
            Console.Error.WriteLine($"{verb}: no index in '{settings.Indexing.DataDir}'; run `./mmi index PATH --data {settings.Indexing.DataDir}` first.");
            sp.Dispose();
            return null;
        }
        return sp;
    }

    public static string Span(double a, double b) => $"{TimeSpan.FromSeconds(a):mm\\:ss\\.f}–{TimeSpan.FromSeconds(b):mm\\:ss\\.f}";
}
