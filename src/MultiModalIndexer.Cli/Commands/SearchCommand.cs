using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Search;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Stores;
using Spectre.Console;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi search "QUERY" [--data DIR] [--mode hybrid|text|vector] [--k N] [--json]`.</summary>
public sealed class SearchCommand : ICliCommand
{
    public Command Build()
    {
        var query = new Argument<string>("QUERY") { Description = "What to look for (words said or shown, or a description when CLIP is on)." };
        var data = new Option<string?>("--data") { Description = "Data folder of the index. Default: Indexing:DataDir from appsettings.json/MMI__Indexing__DataDir, else ./data." };
        var mode = new Option<string>("--mode") { Description = "hybrid (default), text or vector.", DefaultValueFactory = _ => "hybrid" };
        mode.AcceptOnlyFromAmong("hybrid", "text", "vector");
        var k = new Option<int>("--k") { Description = "Number of hits.", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print {\"hits\": [...]} as JSON." };
        var collapse = new Option<bool>("--collapse") { Description = "Best segment per video only." };
        var cmd = new Command("search", "Search the index: which video, which moment.") { query, data, mode, k, json, collapse };
        cmd.SetAction(async (pr, ct) =>
        {
            var config = IndexCliHost.BuildConfiguration(pr.GetValue(data));
            await using var sp = IndexCliHost.Build(config, verbose: false);
            if (sp is null) return 1;
            var settings = sp.GetRequiredService<MultiModalIndexerSettings>();
            if (settings.Store.Kind == StoreKind.Embedded && !File.Exists(StoreFactory.EmbeddedDatabasePath(settings.Store.Embedded, settings.Indexing.DataDir)))
            {
                Console.Error.WriteLine($"search: no index in '{settings.Indexing.DataDir}'; run `./mmi index PATH --data {settings.Indexing.DataDir}` first.");
                return 2;
            }
            var k1 = pr.GetValue(k);
            if (k1 is < 1 or > 1000)
            {
                Console.Error.WriteLine("search: --k must be between 1 and 1000.");
                return 2;
            }
            var service = sp.GetRequiredService<SearchService>();
            var request = new SearchRequest
            {
                Query = pr.GetValue(query),
                Mode = pr.GetValue(mode) switch { "text" => SearchMode.Text, "vector" => SearchMode.Vector, _ => SearchMode.Hybrid },
                Size = k1,
                CollapseByVideo = pr.GetValue(collapse),
            };
            SearchResponse response;
            try
            {
                var outcome = await service.SearchWithNoteAsync(request, ct);
                response = outcome.Response;
                if (outcome.Note is { } note) Console.Error.WriteLine("note: " + note);
            }
            catch (SearchValidationException e)
            {
                Console.Error.WriteLine("search: " + e.Message);
                return 2;
            }

            if (pr.GetValue(json))
            {
                CliJson.Write(new
                {
                    hits = response.Hits.Select(h => new
                    {
                        video = h.Segment.SourcePath,
                        start = Math.Round(h.Segment.Start, 3),
                        end = Math.Round(h.Segment.End, 3),
                        moment = Math.Round(h.Moment.Time, 3),
                        matched = HitMoment.Label(h.Moment.MatchedBy),
                        line = h.Moment.Line,
                        score = h.Score,
                        transcript = h.Segment.Transcript,
                        ocr = h.Segment.OcrText,
                    }).ToList(),
                });
                return 0;
            }
            if (response.Hits.Count == 0)
            {
                Console.WriteLine("No hits.");
                return 0;
            }
            var table = new Table().AddColumns("#", "video", "time", "moment", "matched", "score", "transcript / on-screen text");
            var rank = 0;
            foreach (var h in response.Hits)
            {
                var text = h.Moment.Line ?? string.Join(" | ", new[] { h.Segment.Transcript, h.Segment.OcrText.Replace('\n', ' ') }.Where(t => t.Length > 0));
                if (text.Length > 100) text = text[..100] + "…";
                table.AddRow((++rank).ToString(), Markup.Escape(h.Segment.FileName),
                    $"{TimeSpan.FromSeconds(h.Segment.Start):mm\\:ss\\.f}–{TimeSpan.FromSeconds(h.Segment.End):mm\\:ss\\.f}",
                    $"{TimeSpan.FromSeconds(h.Moment.Time):mm\\:ss\\.f}", HitMoment.Label(h.Moment.MatchedBy),
                    h.Score.ToString("0.000"), Markup.Escape(text));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
