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

    private static ulong Random64(Random rng) => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);

    private static ulong Noisy(ulong h, Random rng, int bits)
    {
        for (var b = 0; b < bits; b++) h ^= 1UL << rng.Next(64);
        return h;
    }
}
