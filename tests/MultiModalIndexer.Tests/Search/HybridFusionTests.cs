using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Tests.Search;

/// <summary>Fusion math against worked examples (numbers computed by hand in the comments).</summary>
public class HybridFusionTests
{
    private static SubQueryHit<string> H(string id, float s) => new(id, s);

    [Fact]
    public void MinMax_ScalesToUnitRange_AndFloorsTheMinimumAt0001()
    {
        // min 1, max 4: (4−1)/3 = 1, (2−1)/3 = .333333, (1−1)/3 = 0 → MIN_SCORE .001
        var n = HybridFusion.MinMaxNormalize([4f, 2f, 1f]);
        Assert.Equal(1f, n[0]);
        Assert.Equal(0.333333f, n[1], 6);
        Assert.Equal(0.001f, n[2]);
    }

    [Fact]
    public void MinMax_SingleOrEqualScores_AreOne()
    {
        Assert.Equal([1f], HybridFusion.MinMaxNormalize([3.2f]));
        Assert.Equal([1f, 1f, 1f], HybridFusion.MinMaxNormalize([2f, 2f, 2f]));
        Assert.Empty(HybridFusion.MinMaxNormalize([]));
    }

    [Fact]
    public void ArithmeticMean_IsWeightedOverAllSubQueries()
    {
        // (0.3·0.5 + 0.7·1.0) / (0.3 + 0.7) = 0.85
        Assert.Equal(0.85f, HybridFusion.ArithmeticMean([0.5f, 1.0f], [0.3f, 0.7f]), 6);
        // an absent score is 0 and its weight still counts: (0.3·0 + 0.7·1) / 1 = 0.7
        Assert.Equal(0.7f, HybridFusion.ArithmeticMean([0f, 1.0f], [0.3f, 0.7f]), 6);
        // weights that do not sum to 1 are divided out: (1·0.4 + 3·0.8) / 4 = 0.7
        Assert.Equal(0.7f, HybridFusion.ArithmeticMean([0.4f, 0.8f], [1f, 3f]), 6);
    }

    [Fact]
    public void Fuse_MinMaxArithmeticMean_WorkedExample()
    {
        // text (BM25):  a 12.0, b 6.0, c 3.0   → min 3, max 12: a = 1, b = 3/9 = .333333, c → .001
        // vector (kNN): c 1.9, d 1.5, a 1.1    → min 1.1, max 1.9: c = 1, d = .4/.8 = .5, a → .001
        // weights text .6, vector .4:
        //   a = .6·1 + .4·.001 = .6004
        //   c = .6·.001 + .4·1 = .4006
        //   b = .6·.333333 + .4·0 = .2
        //   d = .6·0 + .4·.5 = .2            (tie with b: b was seen first)
        IReadOnlyList<SubQueryHit<string>> text = [H("a", 12f), H("b", 6f), H("c", 3f)];
        IReadOnlyList<SubQueryHit<string>> vector = [H("c", 1.9f), H("d", 1.5f), H("a", 1.1f)];
        var fused = HybridFusion.Fuse([text, vector], HybridFusion.HybridWeights(0.6), FusionMethod.MinMaxArithmeticMean);
        Assert.Equal(["a", "c", "b", "d"], fused.Select(f => f.Id));
        Assert.Equal([0.6004, 0.4006, 0.2, 0.2], fused.Select(f => Math.Round(f.Score, 6)));
        // raw sub-scores survive, absent ones are null
        Assert.Equal([12f, 1.1f], fused[0].RawScores);
        Assert.Equal([6f, null], fused[2].RawScores);
        Assert.Equal([null, 1.5f], fused[3].RawScores);
        Assert.Equal(0.001f, fused[0].NormalizedScores[1]);
    }

    [Fact]
    public void Fuse_OneSubQueryEmpty_UsesTheOtherScaledByItsWeight()
    {
        // text retrieved nothing; vector: x 2.0, y 1.0 → x = 1, y = .001; weights .5/.5 → x = .5, y = .0005
        var fused = HybridFusion.Fuse<string>([[], [H("x", 2f), H("y", 1f)]], HybridFusion.HybridWeights(0.5), FusionMethod.MinMaxArithmeticMean);
        Assert.Equal([0.5, 0.0005], fused.Select(f => Math.Round(f.Score, 6)));
    }

    [Fact]
    public void Fuse_Rrf_WorkedExample()
    {
        // text ranks:   a 1, b 2, c 3      vector ranks: c 1, a 2, d 3      (rank constant 60)
        //   a = 1/61 + 1/62 = .016393443 + .016129032 = .032522475
        //   c = 1/63 + 1/61 = .015873016 + .016393443 = .032266459
        //   b = 1/62        = .016129032
        //   d = 1/63        = .015873016
        IReadOnlyList<SubQueryHit<string>> text = [H("a", 9f), H("b", 5f), H("c", 1f)];
        IReadOnlyList<SubQueryHit<string>> vector = [H("c", 1.9f), H("a", 1.5f), H("d", 1.2f)];
        var fused = HybridFusion.Fuse([text, vector], HybridFusion.HybridWeights(0.9), FusionMethod.Rrf); // RRF ignores weights
        Assert.Equal(["a", "c", "b", "d"], fused.Select(f => f.Id));
        Assert.Equal([0.0325225, 0.0322665, 0.016129, 0.015873], fused.Select(f => Math.Round(f.Score, 7)));
    }

    [Fact]
    public void RrfScore_IsRoundedToTenDecimals()
    {
        Assert.Equal((float)0.0163934426m, HybridFusion.RrfScore(1));
        Assert.Equal((float)0.0158730159m, HybridFusion.RrfScore(3));
        Assert.Equal(1f / 70, HybridFusion.RrfScore(10), 7);
    }

    [Theory]
    [InlineData(1f, 2f)]
    [InlineData(0.25f, 1.25f)]
    [InlineData(0f, 1f)]
    [InlineData(-1f, 0.5f)]     // 1 / (1 − (−1))
    [InlineData(-0.5f, 0.666667f)]
    public void KnnScore_MatchesLuceneInnerProduct(float dot, float expected) =>
        Assert.Equal(expected, HybridFusion.KnnInnerProductScore(dot), 5);
}
