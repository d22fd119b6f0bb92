namespace MultiModalIndexer.Media;

/// <summary>A known boundary: hard cuts count within ±0.25 s, gradual transitions within ±0.5 s of their midpoint.</summary>
internal readonly record struct TrueBoundary(double Time, bool Gradual)
{
    public double Tolerance => Gradual ? 0.5 : 0.25;
}

/// <summary>Precision/recall/F1 of detected boundaries, each truth matched at most once (closest first).</summary>
internal static class ShotScoring
{
    public static (int Tp, int Fp, int Fn) Match(IReadOnlyList<TrueBoundary> truth, IReadOnlyList<double> found)
    {
        var pairs = new List<(double Dist, int T, int F)>();
        for (var t = 0; t < truth.Count; t++)
            for (var f = 0; f < found.Count; f++)
            {
                var d = Math.Abs(truth[t].Time - found[f]);
                if (d <= truth[t].Tolerance + 1e-9) pairs.Add((d, t, f));
            }
        var usedT = new bool[truth.Count];
        var usedF = new bool[found.Count];
        var tp = 0;
        foreach (var (_, t, f) in pairs.OrderBy(p => p.Dist))
        {
            if (usedT[t] || usedF[f]) continue;
            usedT[t] = usedF[f] = true;
            tp++;
        }
        return (tp, found.Count - tp, truth.Count - tp);
    }

    public static double F1(int tp, int fp, int fn) => tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
}
