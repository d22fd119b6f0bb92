using System.Numerics;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Copies;

/// <summary>One aligned span between a query and one reference (seconds on both sides).</summary>
public readonly record struct AlignedSpan(double QueryStart, double QueryEnd, double RefStart, double RefEnd, int Frames, double Score);

/// <summary>
/// Temporal alignment of a query against one reference: the query × reference similarity matrix
/// (frame pairs within <see cref="CopyOptions.MatchDistance"/> bits whose colour layouts agree, the best few per query frame),
/// and copied segments as chains through it that move forward on both sides at a speed between
/// <see cref="CopyOptions.MinSpeed"/> and <see cref="CopyOptions.MaxSpeed"/> with gaps up to
/// <see cref="CopyOptions.MaxGapSeconds"/>. The best chain is found by dynamic programming; its
/// query span is then taken out and the next one searched, so one pair can give several spans.
/// </summary>
public static class CopyMatcher
{
    private readonly record struct Node(int Q, int R, float Sim);

    public static List<AlignedSpan> Align(ReadOnlySpan<float> qTimes, ReadOnlySpan<ulong> qHashes, double queryFps,
        ReadOnlySpan<float> rTimes, ReadOnlySpan<ulong> rHashes, ReadOnlySpan<ulong> rCropped, double refFps, CopyOptions o,
        ReadOnlySpan<float> qWeights = default, ReadOnlySpan<ulong> qChroma = default, ReadOnlySpan<ulong> rChroma = default)
    {
        var nodes = BuildNodes(qHashes, rHashes, rCropped, o, qWeights, qChroma, rChroma);
        var spans = new List<AlignedSpan>();
        if (nodes.Count < o.MinMatchedFrames) return spans;
        var alive = new bool[nodes.Count];
        Array.Fill(alive, true);
        var best = new float[nodes.Count];
        var prev = new int[nodes.Count];
        var start = new int[nodes.Count]; // first node of the best chain ending at each node
        double qStep = 1 / queryFps, rStep = 1 / refFps;
        // Sampling puts a reference frame up to one step away from the moment a query frame shows.
        var slack = rStep + 0.05;
        for (var round = 0; round < o.MaxSpansPerPair; round++)
        {
            var top = -1;
            var from = 0; // first node still within MaxGap of node n (nodes are sorted by query frame)
            for (var n = 0; n < nodes.Count; n++)
            {
                best[n] = float.NegativeInfinity;
                prev[n] = -1;
                start[n] = n;
                if (!alive[n]) continue;
                var a = nodes[n];
                double tq = qTimes[a.Q], tr = rTimes[a.R];
                while (qTimes[nodes[from].Q] < tq - o.MaxGapSeconds - 1e-6) from++;
                float chain = 0;
                for (var m = from; m < n; m++)
                {
                    var b = nodes[m];
                    if (!alive[m] || b.Q >= a.Q) continue;
                    double dq = tq - qTimes[b.Q], dr = tr - rTimes[b.R];
                    if (dr < -1e-6 || dr < o.MinSpeed * dq - slack || dr > o.MaxSpeed * dq + slack) continue;
                    // The slack is for one step's sampling, not to be spent again on every step: measured from the
                    // chain's first node the chain must keep a copy's speed too, or a still shot chains standing
                    // still (many query frames on one reference frame) instead of along its diagonal.
                    var s0 = nodes[start[m]];
                    double q0 = tq - qTimes[s0.Q], r0 = tr - rTimes[s0.R];
                    if (r0 < o.MinSpeed * q0 - slack || r0 > o.MaxSpeed * q0 + slack) continue;
                    // A gap costs what the frames missing from it would have scored.
                    var missing = Math.Max(0, dq - qStep) * queryFps;
                    // Off speed 1 costs a little: enough to settle near-ties (through a slow zoom every slope scores about the
                    // same, and only speed 1 puts the span where it was copied from). A sped-up copy pays about the same whatever
                    // its path (the steps' differences add up to at least the span's), so the cost does not bend it.
                    var v = best[m] - (float)(0.5 * missing + OffSpeedCost * Math.Abs(dr - dq));
                    if (v > chain) { chain = v; prev[n] = m; start[n] = start[m]; }
                }
                best[n] = a.Sim + chain;
                if (top < 0 || best[n] > best[top]) top = n;
            }
            if (top < 0) break;
            var path = new List<int>();
            for (var n = top; n >= 0; n = prev[n]) path.Add(n);
            path.Reverse();
            TrimStandingEnds(path, nodes, qTimes, rTimes, slack, o);
            var first = nodes[path[0]];
            var last = nodes[path[^1]];
            double qs = qTimes[first.Q], qe = qTimes[last.Q] + qStep;
            double rs = rTimes[first.R], re = rTimes[last.R] + rStep;
            var sim = path.Sum(i => nodes[i].Sim);
            var slots = Math.Max(1, (qe - qs) * queryFps);
            var score = Math.Min(1, sim / slots);
            // Take the span's query frames out whatever the verdict: the next round looks elsewhere.
            for (var n = 0; n < nodes.Count; n++)
                if (qTimes[nodes[n].Q] >= qs - 1e-6 && qTimes[nodes[n].Q] < qe - 1e-6) alive[n] = false;
            // Steps are checked locally with a sampling slack; the span as a whole must move at a copy's speed too
            // (a chain that stands still on one side is a static picture matching many moments, not a copy).
            var speed = (rTimes[last.R] - rTimes[first.R]) / Math.Max(1e-6, qTimes[last.Q] - qTimes[first.Q]);
            var moving = speed >= o.MinSpeed - 0.15 && speed <= o.MaxSpeed + 0.15;
            // Length on the longer side: a copy sped up 1.25× is shorter on the query's.
            if (moving && path.Count >= o.MinMatchedFrames && Math.Max(qe - qs, re - rs) >= o.MinSpanSeconds && score >= o.MinScore
                && score * (qe - qs) >= o.MinEvidenceSeconds)
                spans.Add(new AlignedSpan(qs, qe, rs, re, path.Count, score));
            else if (path.Count < o.MinMatchedFrames)
                break; // the best chain left is too short: so are all others
        }
        return spans;
    }

    /// <summary>Chain score lost per second that a step's reference time strays from its query time.</summary>
    private const double OffSpeedCost = 0.05;

    /// <summary>Seconds of query over which a chain's end must still move at a copy's speed.</summary>
    private const double EndWindowSeconds = 1.5;

    /// <summary>
    /// Cuts the ends of a chain that stand still on one side: the per-step sampling slack lets a chain
    /// creep on at the end of a copy (query frames after the copied part matching the reference's last
    /// frame by chance), and a long chain has room in its mean speed for seconds of that.
    /// </summary>
    private static void TrimStandingEnds(List<int> path, List<Node> nodes, ReadOnlySpan<float> qTimes, ReadOnlySpan<float> rTimes, double slack, CopyOptions o)
    {
        while (path.Count > o.MinMatchedFrames)
        {
            var end = path[^1];
            var j = path.Count - 2;
            while (j >= 0 && qTimes[nodes[end].Q] - qTimes[nodes[path[j]].Q] < EndWindowSeconds) j--;
            if (j < 0 || Moving(path[j], end, nodes, qTimes, rTimes, slack, o)) break;
            path.RemoveAt(path.Count - 1);
        }
        while (path.Count > o.MinMatchedFrames)
        {
            var first = path[0];
            var j = 1;
            while (j < path.Count && qTimes[nodes[path[j]].Q] - qTimes[nodes[first].Q] < EndWindowSeconds) j++;
            if (j >= path.Count || Moving(first, path[j], nodes, qTimes, rTimes, slack, o)) break;
            path.RemoveAt(0);
        }
    }

    private static bool Moving(int a, int b, List<Node> nodes, ReadOnlySpan<float> qTimes, ReadOnlySpan<float> rTimes, double slack, CopyOptions o)
    {
        double dq = qTimes[nodes[b].Q] - qTimes[nodes[a].Q], dr = rTimes[nodes[b].R] - rTimes[nodes[a].R];
        return dr >= o.MinSpeed * dq - slack && dr <= o.MaxSpeed * dq + slack;
    }

    /// <summary>
    /// Matrix cells worth keeping, sorted by query frame: similarity 1 at distance 0, falling to ~0 at
    /// MatchDistance; a cell's distance is the nearer of the reference's whole and central-part hash.
    /// With colour layouts on both sides (empty spans: not taken), a pair whose colours differ by more
    /// than <see cref="CopyOptions.MaxChromaDistance"/> is no cell, unless the query frame is about grey
    /// (a black-and-white copy keeps its grey hash only).
    /// </summary>
    private static List<Node> BuildNodes(ReadOnlySpan<ulong> qHashes, ReadOnlySpan<ulong> rHashes, ReadOnlySpan<ulong> rCropped, CopyOptions o,
        ReadOnlySpan<float> qWeights, ReadOnlySpan<ulong> qChroma, ReadOnlySpan<ulong> rChroma)
    {
        var colour = qChroma.Length == qHashes.Length && rChroma.Length == rHashes.Length && qHashes.Length > 0;
        var nodes = new List<Node>();
        var k = o.TopPerQueryFrame;
        Span<int> bestR = stackalloc int[k];
        Span<int> bestD = stackalloc int[k];
        for (var q = 0; q < qHashes.Length; q++)
        {
            var h = qHashes[q];
            var count = 0;
            var checkColour = colour && PerceptualHash.ChromaStrength(qChroma[q]) >= o.MinChromaStrength;
            for (var r = 0; r < rHashes.Length; r++)
            {
                var d = Math.Min(BitOperations.PopCount(h ^ rHashes[r]), BitOperations.PopCount(h ^ rCropped[r]));
                if (d > o.MatchDistance) continue;
                if (count == k && d >= bestD[k - 1]) continue;
                if (checkColour && PerceptualHash.ChromaDistance(qChroma[q], rChroma[r]) > o.MaxChromaDistance) continue;
                // Insertion into the small sorted list of the best k.
                var i = count < k ? count++ : k - 1;
                while (i > 0 && bestD[i - 1] > d) { bestD[i] = bestD[i - 1]; bestR[i] = bestR[i - 1]; i--; }
                bestD[i] = d;
                bestR[i] = r;
            }
            var w = qWeights.Length == qHashes.Length ? qWeights[q] : 1f;
            for (var i = 0; i < count; i++)
                nodes.Add(new Node(q, bestR[i], w * (1f - bestD[i] / (float)(o.MatchDistance + 1))));
        }
        return nodes;
    }
}
