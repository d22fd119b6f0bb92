using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Common;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Indexing;

/// <summary>Ranking and landing on ../shared/media/video as a user indexes it (CLIP and ASR off here; OCR on).</summary>
public sealed class RealMediaRankingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Manifesto_puts_the_title_card_segment_first_and_labels_title_only_hits_as_title()
    {
        await using var h = new IndexingHarness("realmedia", new Dictionary<string, string?> { ["Ocr:MaxEngines"] = "2" });
        var report = await h.RunAsync(TestPaths.SharedFile("media", "video"));
        Assert.True(report.Indexed >= 8, $"indexed {report.Indexed}: " + string.Join("; ", report.Failed.Select(f => f.Error)));

        var r = await h.Store.SearchAsync(new SearchRequest { Query = "manifesto", Mode = SearchMode.Text, Size = 10 });
        foreach (var hit in r.Hits)
            output.WriteLine($"{hit.Segment.FileName} #{hit.Segment.Ordinal} {hit.Segment.Start:F1}-{hit.Segment.End:F1} {hit.Score:F3} {hit.Moment.MatchedBy} @{hit.Moment.Time:F1} '{hit.Moment.Line}' ocr='{hit.Segment.OcrText.Replace('\n', '|')}'");
        var top = r.Hits[0];
        Assert.Equal("manifesto.mp4", top.Segment.FileName);
        Assert.Contains("manifesto", top.Segment.OcrText, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(MatchSource.Ocr, top.Moment.MatchedBy);
        Assert.Contains("manifesto", top.Moment.Line!, StringComparison.OrdinalIgnoreCase);
        // The other manifesto segments match only by title, and say so.
        Assert.All(r.Hits.Skip(1).Where(x => x.Segment.FileName == "manifesto.mp4" && !x.Segment.OcrText.Contains("anifesto", StringComparison.OrdinalIgnoreCase)),
            x => Assert.Equal(MatchSource.Title, x.Moment.MatchedBy));

        // On-screen text on a real clip lands near where it is shown: the copyright line of testvideo.mp4.
        var c = await h.Store.SearchAsync(new SearchRequest { Query = "Brandon Castellano copyright", Mode = SearchMode.Text, Size = 3 });
        output.WriteLine(string.Join("\n", c.Hits.Select(x => $"{x.Segment.FileName} {x.Segment.Start:F1}-{x.Segment.End:F1} {x.Moment.MatchedBy} @{x.Moment.Time:F1} '{x.Moment.Line}'")));
        Assert.Equal("testvideo.mp4", c.Hits[0].Segment.FileName);
        Assert.Equal(MatchSource.Ocr, c.Hits[0].Moment.MatchedBy);
    }
}
