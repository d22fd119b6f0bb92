using System.Text.Json;
using MultiModalIndexer.Common;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.Fixtures;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Indexing;

/// <summary>What the subtitle evaluation measured, per language.</summary>
public sealed record SubtitleScore(string Language, int Queries, int Correct, double RecallAt1, double MedianMomentError, int Landed);

/// <summary>
/// Burned-in subtitles that change every 2.4-4 s independently of the cuts (generated, see
/// <see cref="SubtitledClips"/>), indexed end to end with the configured OCR engine: a 3-5 word (3-6 Han
/// character) fragment of a line must put the right clip first with a hit overlapping the line ±1 s
/// (R@1), and the hit's moment must land near the line's start (median |moment − line start|).
/// </summary>
public sealed class SubtitleSearchTests(ITestOutputHelper output)
{
    /// <summary>
    /// Issue 10's bar, asserted when the learned engine (PP-OCR) reads. Measured on these 3 + 3 clips (steady-edge
    /// gate, lines carried over cuts behind them, reference frames only: 130 reads instead of one a second):
    /// English R@1 0.960 (24/25), median 0.10 s; Chinese 1.000 (25/25), median 0.12 s. On 3 + 3 clips of other
    /// seeds: 5000+ 0.958 / 1.000, 7000+ 0.962 / 0.960, 8000+ 0.958 / 0.960 (decoding every frame: one to two
    /// lines more in all, for 4 % more indexing CPU).
    /// </summary>
    private const double BarRecall = 0.9, BarMedianSeconds = 1.5;

    [Fact]
    public async Task Subtitle_fragments_find_their_clip_and_land_on_their_line()
    {
        var clips = SubtitledClips.StandardSet(TestPaths.FixtureDir("subtitled"), perLanguage: 3);
        var dir = TestPaths.NewScratchDir("subtitled");
        foreach (var c in clips) File.Copy(c.Path, Path.Combine(dir, Path.GetFileName(c.Path)));
        await using var h = new IndexingHarness("subtitled", new Dictionary<string, string?>
        {
            ["Ocr:MaxEngines"] = "2",
            // The shared 2-core test machine can be very busy; this test measures reading, not timeouts.
            ["Media:DecodeTimeoutSeconds"] = "900",
        });
        var report = await h.RunAsync(dir);
        Assert.True(clips.Count == report.Indexed, "not indexed: " + string.Join("; ", report.Failed.Select(f => $"{Path.GetFileName(f.Path)}: {f.Error}")));
        var segments = await h.AllSegmentsAsync();
        var engine = segments[0].ModelVersions.GetValueOrDefault("ocr") ?? "?";
        Assert.Contains(segments, s => s.OcrLines.Count > 0);

        var scores = new List<SubtitleScore>();
        foreach (var chinese in new[] { false, true })
        {
            int queries = 0, correct = 0;
            var errors = new List<double>();
            var q = 0;
            foreach (var clip in clips.Where(c => c.Lines[0].Chinese == chinese))
                foreach (var line in clip.Lines)
                {
                    var fragment = SubtitledClips.Fragment(line, ++q);
                    var r = await h.Store.SearchAsync(new SearchRequest { Query = fragment, Mode = SearchMode.Text, Size = 5 });
                    queries++;
                    var top = r.Hits.FirstOrDefault();
                    var rightClip = top is not null && Path.GetFileName(top.Segment.SourcePath) == Path.GetFileName(clip.Path);
                    var overlaps = rightClip && top!.Segment.Start <= line.End + 1 && top.Segment.End >= line.Start - 1;
                    if (overlaps) correct++;
                    if (rightClip) errors.Add(Math.Abs(top!.Moment.Time - line.Start));
                    output.WriteLine($"{(overlaps ? "ok  " : "MISS")} '{fragment}' line {line.Start:F1}-{line.End:F1} '{line.Text}' → " +
                        (top is null ? "no hit" : $"{Path.GetFileName(top.Segment.SourcePath)} {top.Segment.Start:F1}-{top.Segment.End:F1} moment {top.Moment.Time:F1} {top.Moment.MatchedBy} '{top.Moment.Line}'"));
                }
            errors.Sort();
            var median = errors.Count == 0 ? double.NaN : errors.Count % 2 == 1 ? errors[errors.Count / 2] : (errors[errors.Count / 2 - 1] + errors[errors.Count / 2]) / 2;
            scores.Add(new SubtitleScore(chinese ? "zh" : "en", queries, correct, (double)correct / queries, median, errors.Count));
        }
        foreach (var s in scores)
            output.WriteLine($"{engine}: {s.Language} R@1 {s.RecallAt1:F3} ({s.Correct}/{s.Queries}), median |moment − line start| {s.MedianMomentError:F2} s over {s.Landed} right-clip hits");
        // Kept for the report and the bench table: what this engine reached.
        var resultDir = Path.Combine(ProjectPaths.CacheDir, "eval");
        Directory.CreateDirectory(resultDir);
        await File.WriteAllTextAsync(Path.Combine(resultDir, "subtitles.json"),
            JsonSerializer.Serialize(new { engine, scores }, new JsonSerializerOptions { WriteIndented = true }));

        var learned = engine.Contains("pp", StringComparison.OrdinalIgnoreCase) || engine.Contains("paddle", StringComparison.OrdinalIgnoreCase);
        foreach (var s in scores)
        {
            if (learned)
            {
                Assert.True(s.RecallAt1 >= BarRecall, $"{engine}: {s.Language} R@1 {s.RecallAt1:F3} < {BarRecall}");
                Assert.True(s.MedianMomentError <= BarMedianSeconds, $"{engine}: {s.Language} median moment error {s.MedianMomentError:F2} s > {BarMedianSeconds} s");
            }
            else
            {
                // Tesseract (the fallback engine) on white outlined subtitles over moving backgrounds: floors
                // at the level it reached here (see TesseractFloors), so a regression in sampling or tracking shows.
                var (recall, median) = TesseractFloors[s.Language];
                Assert.True(s.RecallAt1 >= recall, $"{engine}: {s.Language} R@1 {s.RecallAt1:F3} < floor {recall}");
                Assert.True(s.MedianMomentError <= median, $"{engine}: {s.Language} median moment error {s.MedianMomentError:F2} s > {median} s");
            }
        }
    }

    /// <summary>
    /// Tesseract floors. Measured (2 + 2 clips, 17 English and 16 Chinese lines, default sampling): English
    /// R@1 0.706 (12/17), median |moment − line start| 0.77 s; Chinese R@1 0.812 (13/16), median 0.44 s
    /// (the keyframe-only pipeline reached 0.33 / 0.25 / 4.1 s). Floors keep about two lines of slack.
    /// </summary>
    private static readonly Dictionary<string, (double Recall, double Median)> TesseractFloors = new()
    {
        ["en"] = (0.58, 1.5),
        ["zh"] = (0.68, 1.5),
    };
}
