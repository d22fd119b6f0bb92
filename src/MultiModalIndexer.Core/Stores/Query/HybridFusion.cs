namespace MultiModalIndexer.Stores.Query;

/// <summary>A candidate from one sub-query: its id and raw score (BM25, or the kNN score).</summary>
public readonly record struct SubQueryHit<TKey>(TKey Id, float Score);

/// <summary>A fused candidate: combined score plus each sub-query's raw score (null = not retrieved by it).</summary>
public sealed record FusedHit<TKey>(TKey Id, float Score, float?[] RawScores, float?[] NormalizedScores);

/// <summary>
/// Hybrid score fusion exactly as OpenSearch neural-search does it, in float32 like the Java code:
/// <list type="bullet">
/// <item><c>normalization-processor</c> with <c>min_max</c> + <c>arithmetic_mean</c>
/// (MinMaxScoreNormalizationTechnique, ArithmeticMeanScoreCombinationTechnique, ScoreCombiner):
/// per sub-query, over the candidates it retrieved, n = (s - min) / (max - min); when max == min
/// (a single result or equal scores) n = 1.0; a result that normalises to exactly 0 gets 0.001
/// (MIN_SCORE). Combined = Σ wᵢ·nᵢ / Σ wᵢ over ALL sub-queries: a document a sub-query did not retrieve
/// has nᵢ = 0 there (ScoreCombiner fills absent slots with 0.0, which passes the "score ≥ 0" test), so
/// its weight still counts in the denominator.</item>
/// <item><c>score-ranker-processor</c> with <c>rrf</c> (RRFNormalizationTechnique, RRFScoreCombinationTechnique):
/// per sub-query rank r (1-based, in retrieved order), n = 1 / (rank_constant + r) rounded half-up to
/// 10 decimals, rank_constant 60; combined = Σ nᵢ (unweighted, as the default pipeline).</item>
/// </list>
/// Result order: combined score descending; ties keep first-seen order (sub-query 0 first).
/// </summary>
public static class HybridFusion
{
    public const float MinScore = 0.001f;
    public const float SingleResultScore = 1.0f;
    public const int RankConstant = 60;

    /// <summary>Min-max normalises one sub-query's scores (in retrieved order) the way OpenSearch does.</summary>
    public static float[] MinMaxNormalize(IReadOnlyList<float> scores)
    {
        var result = new float[scores.Count];
        if (scores.Count == 0) return result;
        float min = float.MaxValue, max = float.MinValue;
        foreach (var s in scores)
        {
            if (s < min) min = s;
            if (s > max) max = s;
        }
        for (int i = 0; i < scores.Count; i++)
        {
            float s = scores[i];
            // max == min means every retrieved score is equal (or there is one): OpenSearch gives 1.0.
            if (max == min) { result[i] = SingleResultScore; continue; }
            float n = (s - min) / (max - min);
            result[i] = n == 0.0f ? MinScore : n;
        }
        return result;
    }

    /// <summary>RRF score of a 1-based rank: 1/(rankConstant + rank), rounded half-up to 10 decimals.</summary>
    public static float RrfScore(int rank, int rankConstant = RankConstant) =>
        (float)Math.Round(1m / (rankConstant + rank), 10, MidpointRounding.AwayFromZero);

    /// <summary>Weighted arithmetic mean over sub-queries whose score is ≥ 0 (all of them here).</summary>
    public static float ArithmeticMean(ReadOnlySpan<float> scores, ReadOnlySpan<float> weights)
    {
        float combined = 0f, sumOfWeights = 0f;
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] >= 0.0f)
            {
                float w = i < weights.Length ? weights[i] : 1.0f;
                combined += scores[i] * w;
                sumOfWeights += w;
            }
        }
        return sumOfWeights == 0.0f ? 0.0f : combined / sumOfWeights;
    }

    /// <summary>
    /// Fuses sub-query results (each in its own rank order, best first). <paramref name="weights"/> are
    /// per sub-query for min-max + arithmetic mean (OpenSearch requires them to sum to 1); RRF ignores them.
    /// </summary>
    public static List<FusedHit<TKey>> Fuse<TKey>(
        IReadOnlyList<IReadOnlyList<SubQueryHit<TKey>>> subQueries,
        IReadOnlyList<float> weights,
        FusionMethod method) where TKey : notnull
    {
        int n = subQueries.Count;
        var order = new List<TKey>();
        var raw = new Dictionary<TKey, float?[]>();
        var norm = new Dictionary<TKey, float[]>();
        for (int q = 0; q < n; q++)
        {
            var hits = subQueries[q];
            float[] normalized = method == FusionMethod.Rrf
                ? Enumerable.Range(1, hits.Count).Select(r => RrfScore(r)).ToArray()
                : MinMaxNormalize(hits.Select(h => h.Score).ToList());
            for (int i = 0; i < hits.Count; i++)
            {
                var id = hits[i].Id;
                if (!norm.TryGetValue(id, out var scores))
                {
                    scores = new float[n]; // absent = 0.0, as ScoreCombiner leaves it
                    norm[id] = scores;
                    raw[id] = new float?[n];
                    order.Add(id);
                }
                else if (raw[id][q] is not null)
                {
                    continue; // a sub-query returns a document once; keep its best (first) rank
                }
                scores[q] = normalized[i];
                raw[id][q] = hits[i].Score;
            }
        }

        var w = weights.ToArray();
        var fused = new List<FusedHit<TKey>>(order.Count);
        foreach (var id in order)
        {
            var scores = norm[id];
            float combined;
            if (method == FusionMethod.Rrf)
            {
                combined = 0f;
                foreach (var s in scores) combined += s;
            }
            else
            {
                combined = ArithmeticMean(scores, w);
            }
            var normalized = new float?[n];
            for (int q = 0; q < n; q++) normalized[q] = raw[id][q] is null ? null : scores[q];
            fused.Add(new FusedHit<TKey>(id, combined, raw[id], normalized));
        }
        // List.Sort is unstable; sort by (score desc, first-seen index) for a deterministic order.
        var index = new Dictionary<TKey, int>(order.Count);
        for (int i = 0; i < order.Count; i++) index[order[i]] = i;
        fused.Sort((a, b) =>
        {
            int c = b.Score.CompareTo(a.Score);
            return c != 0 ? c : index[a.Id].CompareTo(index[b.Id]);
        });
        return fused;
    }

    /// <summary>Weights [text, vector] from <see cref="SearchRequest.TextWeight"/>.</summary>
    public static float[] HybridWeights(double textWeight) => [(float)textWeight, (float)(1.0 - textWeight)];

    /// <summary>OpenSearch's Lucene kNN score for inner product on unit vectors: dot ≥ 0 → 1 + dot, else 1 / (1 − dot).</summary>
    public static float KnnInnerProductScore(float dot) => dot >= 0 ? 1f + dot : 1f / (1f - dot);
}
