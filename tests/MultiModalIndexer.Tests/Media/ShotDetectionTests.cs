using System.Text.Json;
using MultiModalIndexer.Media;
using static MultiModalIndexer.Tests.Media.MediaFixtures;

namespace MultiModalIndexer.Tests.Media;

[Collection("media")]
public sealed class ShotDetectionTests
{
    [Fact]
    public async Task GeneratedEdit_CutDissolveAndFade_EachFoundOnceWithinQuarterSecond()
    {
        var (info, shots) = await AnalyzeAsync(await KnownEditAsync());
        Assert.InRange(info.Duration, 13.5, 14.5);
        AssertCutNear(shots.Cuts, 4.0, 0.25);
        AssertCutNear(shots.Cuts, 7.5, 0.25);
        AssertCutNear(shots.Cuts, 10.5, 0.25);
        Assert.Equal(3, shots.Cuts.Count);
        Assert.Equal(4, shots.Segments.Count);
    }

    [Fact]
    public async Task GeneratedSetLikeRealEdits_F1AtLeast0point9()
    {
        var dir = await ShotSetAsync(count: 6, seed: 11);
        using var truthDoc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "truth.json")));
        int tp = 0, fp = 0, fn = 0;
        var report = new List<string>();
        foreach (var clip in truthDoc.RootElement.EnumerateObject())
        {
            var truth = clip.Value.GetProperty("boundaries").EnumerateArray()
                .Select(b => new TrueBoundary(b.GetProperty("t").GetDouble(), b.GetProperty("kind").GetString() != "cut")).ToList();
            var (_, shots) = await AnalyzeAsync(Path.Combine(dir, clip.Name));
            var (t, f, n) = ShotScoring.Match(truth, shots.Cuts);
            tp += t; fp += f; fn += n;
            report.Add($"{clip.Name}: tp {t} fp {f} fn {n}");
        }
        var f1 = ShotScoring.F1(tp, fp, fn);
        Assert.True(f1 >= 0.9, $"F1 {f1:0.000} (tp {tp} fp {fp} fn {fn}): {string.Join("; ", report)}");
    }

    [Fact]
    public async Task TestVideo_FadesThroughBlackAndDissolve_OneBoundaryEach()
    {
        var (_, shots) = await AnalyzeAsync(Video("testvideo.mp4"));
        // Ground truth 6.706 and 12.746 (testvideo_scenes.csv) are fades through black; the dissolve is around 18.1.
        AssertCutNear(shots.Cuts, 6.706, 0.5);
        AssertCutNear(shots.Cuts, 12.746, 0.5);
        AssertCutNear(shots.Cuts, 18.1, 0.5);
        Assert.Equal(3, shots.Cuts.Count);
    }

    [Fact]
    public async Task BigBuckBunny_KnownCutsFound()
    {
        var (_, shots) = await AnalyzeAsync(Video("big_buck_bunny_0_30.webm"));
        foreach (var t in new[] { 11.8, 15.7, 23.0 }) AssertCutNear(shots.Cuts, t, 0.25);
        Assert.True(shots.Cuts.Count <= 4, $"too many boundaries: [{string.Join(", ", shots.Cuts)}]");
    }

    [Fact]
    public async Task GoldeneyeVariableFrameRate_CutsAtKnownTimes()
    {
        var (info, shots) = await AnalyzeAsync(Video("goldeneye-vfr-drop3.mp4"));
        Assert.True(info.Video!.VariableFrameRate);
        AssertCutNear(shots.Cuts, 3.75, 0.25);
        AssertCutNear(shots.Cuts, 8.76, 0.25);
        Assert.Equal(2, shots.Cuts.Count);
    }

    [Fact]
    public async Task AutocutWhiteThenBlack_OneCut()
    {
        var (_, shots) = await AnalyzeAsync(Video("autocut_test001.mp4"));
        AssertCutNear(shots.Cuts, 5.09, 0.25);
        Assert.Single(shots.Cuts);
    }

    [Fact]
    public async Task FadesClip_NoHardCuts_AtMostOneBoundaryPerBlackPoint()
    {
        // fades.mp4 fades one picture out to black and back in (black at ~3.4 s and ~6.7 s, and at both ends).
        var (_, shots) = await AnalyzeAsync(Video("fades.mp4"));
        foreach (var c in shots.Cuts)
            Assert.True(Math.Abs(c - 3.4) <= 0.5 || Math.Abs(c - 6.7) <= 0.5, $"boundary {c} is not at a black point: [{string.Join(", ", shots.Cuts)}]");
        Assert.True(shots.Cuts.Count(c => Math.Abs(c - 3.4) <= 0.5) <= 1);
        Assert.True(shots.Cuts.Count(c => Math.Abs(c - 6.7) <= 0.5) <= 1);
    }

    [Fact]
    public async Task Segments_CoverTheVideo_WithKeyframesInside()
    {
        var (info, shots) = await AnalyzeAsync(Video("big_buck_bunny_0_30.webm"));
        Assert.Equal(0, shots.Segments[0].Start);
        Assert.Equal(Math.Round(info.Duration, 3), shots.Segments[^1].End, 3);
        for (var i = 0; i < shots.Segments.Count; i++)
        {
            var s = shots.Segments[i];
            Assert.Equal(i, s.Ordinal);
            if (i > 0) Assert.Equal(shots.Segments[i - 1].End, s.Start);
            Assert.InRange(s.KeyframeTimes.Count, 1, 3);
            Assert.All(s.KeyframeTimes, t => Assert.InRange(t, s.Start, s.End));
        }
    }
}

public sealed class SegmentPlannerTests
{
    private static List<FrameFeatures> Frames(double duration, double fps, Func<double, byte> shade)
    {
        var list = new List<FrameFeatures>();
        for (var i = 0; i < duration * fps; i++)
        {
            var t = i / fps;
            list.Add(new FrameFeatures
            {
                Time = t,
                Thumb = Enumerable.Repeat(shade(t), FrameFeatures.GridX * FrameFeatures.GridY * 3).ToArray(),
                Hist = new float[FrameFeatures.HistBins],
                Luma = 100,
            });
        }
        return list;
    }

    [Fact]
    public void ShortShotMergesIntoShorterNeighbour_LongShotSplitsEvenly()
    {
        var o = new MediaOptions { MinSegmentSeconds = 1, MaxSegmentSeconds = 30 };
        var frames = Frames(100, 5, t => (byte)(t * 2));
        var segs = SegmentPlanner.Plan(100, [10, 10.5, 25], frames, o);
        // [0,10] [10,10.5]→merged into [0,10.5] (shorter neighbour: 10 < 14.5), [10.5,25], [25,100] → 3 × 25 s.
        Assert.Equal([0, 10.5, 25, 50, 75], segs.Select(s => s.Start));
        Assert.Equal(100, segs[^1].End);
        Assert.All(segs, s => Assert.True(s.Duration <= 30 + 1e-9));
        Assert.All(segs, s => Assert.Equal(3, s.KeyframeTimes.Count));
    }

    [Fact]
    public void StillSegment_NearDuplicateKeyframesDropped()
    {
        var o = new MediaOptions();
        var frames = Frames(10, 5, _ => 80);
        var segs = SegmentPlanner.Plan(10, [], frames, o);
        Assert.Single(segs);
        Assert.Single(segs[0].KeyframeTimes);
    }

    [Fact]
    public void Scoring_MatchesEachTruthOnce()
    {
        var truth = new List<TrueBoundary> { new(4.0, false), new(7.5, true) };
        var (tp, fp, fn) = ShotScoring.Match(truth, [4.1, 4.2, 7.9, 12]);
        Assert.Equal((2, 2, 0), (tp, fp, fn));
        Assert.Equal(2.0 * 2 / (4 + 2), ShotScoring.F1(tp, fp, fn), 6);
    }
}
