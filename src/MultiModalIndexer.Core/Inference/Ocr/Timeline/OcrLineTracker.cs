namespace MultiModalIndexer.Inference.Ocr.Timeline;

/// <summary>An OCR line with its first and last time on screen (seconds) and how many reads saw it.</summary>
public sealed record TrackedLine(string Text, double Start, double End, int Reads, float Confidence);

/// <summary>
/// Turns a stream of OCR reads (frames in time order) into lines with times. A line read in a frame
/// joins the open track it is near-identical to (<see cref="OcrDeduplicator.Similar"/>), else opens a
/// new one starting at <c>appearedAt</c> (the first sampled frame that changed since the previous read,
/// which is when the text can first have been there). Frames the change gate let pass as unchanged
/// extend the open tracks. A track not seen for more than <c>gapSeconds</c> is closed; it ends at the
/// last time it was known to be on screen. Finally, tracks of near-identical text that touch or overlap
/// in time merge, so a caption misread once or still shown across a cut stays one line.
/// Not thread-safe: one tracker per video.
/// </summary>
public sealed class OcrLineTracker(double gapSeconds)
{
    private sealed class Track(string text, float confidence, double start, double seen)
    {
        public string Text = text;
        public float Confidence = confidence;
        public readonly double Start = start;
        public double LastSeen = seen;
        public double LastKnown = seen;
        public int Reads = 1;
        /// <summary>Readings of the text and how often each was seen: the most frequent names the line.</summary>
        public readonly Dictionary<string, (int Count, float Confidence)> Readings = new(StringComparer.Ordinal) { [text] = (1, confidence) };
    }

    private readonly List<Track> _open = [];
    private readonly List<Track> _closed = [];
    private double _lastTime = double.NegativeInfinity;

    /// <summary>One read: the lines OCR found in the frame at <paramref name="time"/>.</summary>
    /// <param name="appearedAt">Earliest time new text in this frame can have appeared (≤ time).</param>
    public void AddRead(double time, double appearedAt, IReadOnlyList<OcrLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        Advance(time);
        var seen = new HashSet<Track>();
        foreach (var line in OcrDeduplicator.DistinctLines(lines))
        {
            var track = _open.Where(t => !seen.Contains(t))
                .Select(t => (Track: t, Sim: OcrDeduplicator.Similarity(t.Text, line.Text)))
                .Where(x => x.Sim >= OcrDeduplicator.SimilarityThreshold)
                .OrderByDescending(x => x.Sim).Select(x => x.Track).FirstOrDefault();
            if (track is null)
            {
                track = new Track(line.Text, line.Confidence, Math.Min(time, appearedAt), time);
                _open.Add(track);
            }
            else
            {
                track.LastSeen = track.LastKnown = time;
                track.Reads++;
                var r = track.Readings.GetValueOrDefault(line.Text);
                track.Readings[line.Text] = (r.Count + 1, Math.Max(r.Confidence, line.Confidence));
                track.Text = BestReading(track.Readings);
                track.Confidence = Math.Max(track.Confidence, line.Confidence);
            }
            seen.Add(track);
        }
        // A track not in this read stays open through the gap (one missed read), but is not extended.
        CloseStale(time);
    }

    /// <summary>
    /// The reading that names a line: readings with the same letters and digits (spacing and punctuation
    /// aside) are one text, and the text read most often wins; between texts read equally often, the one
    /// closest to all the others (the consensus: three reads that each slipped on a different letter agree
    /// most with the one that did not slip), then the most confident. Of its spellings, the one with the
    /// most spaces, because the recogniser's usual slip is gluing words ("marblehidden holiday" twice,
    /// "marble hidden holiday" once), and a glued word cannot be found by either of its words. Then the
    /// most frequent spelling, then the most confident.
    /// </summary>
    internal static string BestReading(IReadOnlyDictionary<string, (int Count, float Confidence)> readings)
    {
        var texts = readings.GroupBy(kv => OcrDeduplicator.Normalise(kv.Key))
            .Select(g => (Text: g.Key, Count: g.Sum(kv => kv.Value.Count), Spellings: g)).ToList();
        double Support(string text) => texts.Sum(o => o.Text == text ? 0 : o.Count * OcrDeduplicator.Similarity(text, o.Text));
        return texts.OrderByDescending(t => t.Count).ThenByDescending(t => Support(t.Text))
            .ThenByDescending(t => t.Spellings.Max(kv => kv.Value.Confidence)).ThenByDescending(t => t.Text.Length)
            .Select(t => t.Spellings)
            .First()
            .OrderByDescending(kv => kv.Key.Count(c => c == ' ')).ThenByDescending(kv => kv.Value.Count).ThenByDescending(kv => kv.Value.Confidence)
            .First().Key;
    }

    /// <summary>A sampled frame the gate judged unchanged since the last read: what was on screen still is.</summary>
    public void AddUnchanged(double time)
    {
        Advance(time);
        foreach (var t in _open)
            if (t.LastSeen >= _lastReadTime) t.LastKnown = time;
    }

    private double _lastReadTime = double.NegativeInfinity;

    private void Advance(double time)
    {
        if (time < _lastTime) throw new ArgumentException($"Reads must come in time order ({time} after {_lastTime}).", nameof(time));
        _lastTime = time;
    }

    private void CloseStale(double time)
    {
        _lastReadTime = time;
        for (var i = _open.Count - 1; i >= 0; i--)
            if (time - _open[i].LastSeen > gapSeconds)
            {
                _closed.Add(_open[i]);
                _open.RemoveAt(i);
            }
    }

    /// <summary>All lines, in start order, near-identical touching tracks merged. <paramref name="endOfMedia"/> closes open tracks.</summary>
    public IReadOnlyList<TrackedLine> Finish(double endOfMedia)
    {
        var all = _closed.Concat(_open).OrderBy(t => t.Start).ToList();
        _closed.Clear();
        _open.Clear();
        var lines = new List<TrackedLine>();
        foreach (var t in all)
        {
            var end = Math.Max(t.Start, Math.Min(Math.Max(t.LastKnown, t.LastSeen), endOfMedia));
            var idx = lines.FindLastIndex(l => l.End + gapSeconds >= t.Start && OcrDeduplicator.Similar(l.Text, t.Text));
            if (idx >= 0)
            {
                var l = lines[idx];
                var text = t.Reads > l.Reads ? t.Text : l.Text;
                lines[idx] = new TrackedLine(text, Math.Min(l.Start, t.Start), Math.Max(l.End, end), l.Reads + t.Reads, Math.Max(l.Confidence, t.Confidence));
            }
            else lines.Add(new TrackedLine(t.Text, t.Start, end, t.Reads, t.Confidence));
        }
        return lines.OrderBy(l => l.Start).ToList();
    }
}
