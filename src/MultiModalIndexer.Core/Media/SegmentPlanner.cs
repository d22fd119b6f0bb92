namespace MultiModalIndexer.Media;

/// <summary>
/// Shots → searchable segments: too-short shots merge into a neighbour, too-long ones split evenly,
/// each segment gets K evenly spread keyframes with near-duplicates (same-looking frames) dropped.
/// </summary>
internal static class SegmentPlanner
{
    public static List<SegmentSpan> Plan(double duration, IReadOnlyList<double> cuts, IReadOnlyList<FrameFeatures> frames, MediaOptions o)
    {
        var bounds = new List<double> { 0 };
        foreach (var c in cuts.Order()) if (c > bounds[^1] && c < duration) bounds.Add(c);
        bounds.Add(duration);
        var spans = new List<(double S, double E)>();
        for (var i = 0; i + 1 < bounds.Count; i++) spans.Add((bounds[i], bounds[i + 1]));

        // Merge the shortest too-short span into its shorter neighbour until none is left (or one remains).
        while (spans.Count > 1)
        {
            var idx = -1;
            for (var i = 0; i < spans.Count; i++)
                if (spans[i].E - spans[i].S < o.MinSegmentSeconds && (idx < 0 || spans[i].E - spans[i].S < spans[idx].E - spans[idx].S))
                    idx = i;
            if (idx < 0) break;
            int with;
            if (idx == 0) with = 1;
            else if (idx == spans.Count - 1) with = idx - 1;
            else with = spans[idx - 1].E - spans[idx - 1].S <= spans[idx + 1].E - spans[idx + 1].S ? idx - 1 : idx + 1;
            var (a, b) = (Math.Min(idx, with), Math.Max(idx, with));
            spans[a] = (spans[a].S, spans[b].E);
            spans.RemoveAt(b);
        }

        var result = new List<SegmentSpan>();
        foreach (var (s, e) in spans)
        {
            var parts = Math.Max(1, (int)Math.Ceiling((e - s) / o.MaxSegmentSeconds - 1e-9));
            var len = (e - s) / parts;
            for (var k = 0; k < parts; k++)
            {
                var ps = s + k * len;
                var pe = k == parts - 1 ? e : s + (k + 1) * len;
                result.Add(new SegmentSpan(result.Count, Math.Round(ps, 3), Math.Round(pe, 3), Keyframes(ps, pe, frames, o)));
            }
        }
        return result;
    }

    private static List<double> Keyframes(double s, double e, IReadOnlyList<FrameFeatures> frames, MediaOptions o)
    {
        var k = o.KeyframesPerSegment;
        var times = new List<double>();
        var kept = new List<FrameFeatures>();
        for (var j = 0; j < k; j++)
        {
            var t = s + (j + 0.5) * (e - s) / k;
            var f = Nearest(frames, t);
            if (f is not null)
            {
                t = f.Time; // a time the analysis decode actually has, so extraction hits the same frame
                if (kept.Any(x => FrameFeatures.ThumbDistance(x, f) < o.KeyframeDuplicateDistance)) continue;
                if (times.Count > 0 && Math.Abs(times[^1] - t) < 1e-6) continue;
                kept.Add(f);
            }
            times.Add(Math.Round(t, 3));
        }
        return times;
    }

    private static FrameFeatures? Nearest(IReadOnlyList<FrameFeatures> frames, double t)
    {
        if (frames.Count == 0) return null;
        int lo = 0, hi = frames.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (frames[mid].Time < t) lo = mid + 1; else hi = mid;
        }
        if (lo > 0 && Math.Abs(frames[lo - 1].Time - t) <= Math.Abs(frames[lo].Time - t)) lo--;
        return frames[lo];
    }
}
