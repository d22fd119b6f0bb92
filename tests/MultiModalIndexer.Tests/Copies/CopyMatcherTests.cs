using MultiModalIndexer.Copies;
using MultiModalIndexer.Copies.Evaluation;

namespace MultiModalIndexer.Tests.Copies;

/// <summary>Temporal alignment on synthetic hashes, where the footage's shape is known exactly.</summary>
public class CopyMatcherTests
{
    [Fact]
    public void A_copied_still_shot_aligns_along_its_diagonal_not_standing_still()
    {
        // Reference: 30 s at 3 samples/s, moving footage except a long still shot at 8-22 s (one picture, re-encoding noise).
        var rng = new Random(5);
        var still = Random64(rng);
        var rTimes = Enumerable.Range(0, 90).Select(i => i / 3f).ToArray();
        var rHashes = rTimes.Select(t => t is >= 8 and < 22 ? Noisy(still, rng, 2) : Random64(rng)).ToArray();
        // Query: 10 s at 4 samples/s, unrelated filler around 6 s of the still shot (which 6 s cannot be told).
        var qTimes = Enumerable.Range(0, 40).Select(i => i / 4f).ToArray();
        var qHashes = qTimes.Select(t => t is >= 2 and < 8 ? Noisy(still, rng, 3) : Random64(rng)).ToArray();

        var spans = CopyMatcher.Align(qTimes, qHashes, 4, rTimes, rHashes, rHashes, 3, new CopyOptions());

        var s = Assert.Single(spans);
        Assert.True(CopyScore.IoU(s.QueryStart, s.QueryEnd, 2, 8) >= 0.8, $"query span {s.QueryStart}-{s.QueryEnd}");
        // Which 6 s of the shot cannot be told; the span must lie in it and move at a copy's speed (0.7-1.45, one sample of slack).
        var o = new CopyOptions();
        Assert.InRange(s.RefStart, 8, 22 - 6 * o.MinSpeed);
        Assert.InRange(s.RefEnd - s.RefStart, 6 * o.MinSpeed - 0.4, 6 * o.MaxSpeed + 0.4);
    }

    /// <summary>Reference: 20 s of moving footage; query: filler around a copy of ref 5 s on, <paramref name="seconds"/> long, hashes <paramref name="noise"/> bits off.</summary>
    private static (float[] QT, ulong[] QH, float[] RT, ulong[] RH) Copy(double seconds, int noise, int seed)
    {
        var rng = new Random(seed);
        var rTimes = Enumerable.Range(0, 60).Select(i => i / 3f).ToArray();
        var rHashes = rTimes.Select(_ => Random64(rng)).ToArray();
        var qTimes = Enumerable.Range(0, 48).Select(i => i / 4f).ToArray();
        var qHashes = qTimes.Select(t => t >= 2 && t < 2 + seconds ? Noisy(rHashes[(int)Math.Round((t - 2 + 5) * 3)], rng, noise) : Random64(rng)).ToArray();
        return (qTimes, qHashes, rTimes, rHashes);
    }

    [Theory]
    [InlineData(3.75, 2, true)]   // short but close: a 4 s excerpt, a sample lost at its edges
    [InlineData(8.0, 13, true)]   // far (~0.35 similarity) but long
    [InlineData(3.75, 13, false)] // short and far at once: how chance chains between look-alike clips look
    public void A_span_needs_evidence_enough_as_its_score_times_its_seconds(double seconds, int noise, bool reported)
    {
        var (qt, qh, rt, rh) = Copy(seconds, noise, seed: 11);
        var spans = CopyMatcher.Align(qt, qh, 4, rt, rh, rh, 3, new CopyOptions());
        if (!reported)
        {
            Assert.True(spans.Count == 0, string.Join("; ", spans.Select(x => $"{x.QueryStart}-{x.QueryEnd} score {x.Score:0.00} evidence {x.Score * (x.QueryEnd - x.QueryStart):0.00}")));
            // The same chain without the evidence rule: it is the rule that drops it.
            Assert.NotEmpty(CopyMatcher.Align(qt, qh, 4, rt, rh, rh, 3, new CopyOptions { MinEvidenceSeconds = 0 }));
            return;
        }
        var s = Assert.Single(spans);
        Assert.True(CopyScore.IoU(s.QueryStart, s.QueryEnd, 2, 2 + seconds) >= 0.7, $"query span {s.QueryStart}-{s.QueryEnd}");
        Assert.True(CopyScore.IoU(s.RefStart, s.RefEnd, 5, 5 + seconds) >= 0.7, $"ref span {s.RefStart}-{s.RefEnd}");
    }

    [Fact]
    public void Frames_equal_in_grey_but_not_in_colour_do_not_align_unless_the_query_is_grey()
    {
        var (qt, qh, rt, rh) = Copy(6, 2, seed: 3);
        // Reference colour layouts: every cell 4 steps (20 levels) off grey; the query's the other way round.
        const ulong warm = 0x4444_4444_4444_4444UL, cold = 0xCCCC_CCCC_CCCC_CCCCUL;
        var rc = rh.Select(_ => warm).ToArray();
        var o = new CopyOptions();
        Assert.Single(CopyMatcher.Align(qt, qh, 4, rt, rh, rh, 3, o, qChroma: qh.Select(_ => warm).ToArray(), rChroma: rc));
        Assert.Empty(CopyMatcher.Align(qt, qh, 4, rt, rh, rh, 3, o, qChroma: qh.Select(_ => cold).ToArray(), rChroma: rc));
        // A black-and-white copy of colour footage: grey alone decides.
        Assert.Single(CopyMatcher.Align(qt, qh, 4, rt, rh, rh, 3, o, qChroma: new ulong[qh.Length], rChroma: rc));
        // Old fingerprints without layouts: grey alone decides too.
        Assert.Single(CopyMatcher.Align(qt, qh, 4, rt, rh, rh, 3, o, qChroma: qh.Select(_ => cold).ToArray()));
    }

    private static ulong Random64(Random rng) => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);

    private static ulong Noisy(ulong h, Random rng, int bits)
    {
        for (var b = 0; b < bits; b++) h ^= 1UL << rng.Next(64);
        return h;
    }
}
