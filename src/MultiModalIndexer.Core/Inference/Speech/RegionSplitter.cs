namespace MultiModalIndexer.Inference.Speech;

/// <summary>
/// Cuts speech longer than the recognizer's window at its quietest moments, so Whisper (which sees
/// 30 s at most and silently drops the rest) hears every word and no word is cut where avoidable.
/// </summary>
public static class RegionSplitter
{
    private const int FrameMs = 30, HopMs = 10;

    /// <summary>(offset, length) pieces in samples, in order, covering all of <paramref name="samples"/>.</summary>
    public static IReadOnlyList<(int Offset, int Length)> Split(ReadOnlySpan<float> samples, int sampleRate, double maxSeconds)
    {
        var max = (int)(maxSeconds * sampleRate);
        if (max <= 0) throw new ArgumentOutOfRangeException(nameof(maxSeconds));
        var pieces = new List<(int, int)>();
        var start = 0;
        var frame = sampleRate * FrameMs / 1000;
        var hop = sampleRate * HopMs / 1000;
        while (samples.Length - start > max)
        {
            // Search the second half of the window: pieces stay at least max/2 long.
            var from = start + max / 2;
            var to = start + max - frame;
            var best = to;
            var bestEnergy = double.MaxValue;
            for (var p = from; p <= to; p += hop)
            {
                var e = 0.0;
                foreach (var x in samples.Slice(p, frame)) e += x * x;
                if (e < bestEnergy) { bestEnergy = e; best = p; }
            }
            var cut = best + frame / 2;
            pieces.Add((start, cut - start));
            start = cut;
        }
        if (samples.Length > start) pieces.Add((start, samples.Length - start));
        return pieces;
    }
}
