using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Stores.Query;

/// <summary>What made a hit match, for the label a user sees ("OCR", "speech", "title", "visual").</summary>
public enum MatchSource
{
    /// <summary>On-screen text matched the query.</summary>
    Ocr,
    /// <summary>The transcript matched the query.</summary>
    Speech,
    /// <summary>Only the file's title matched.</summary>
    Title,
    /// <summary>Only the CLIP vector matched (no query term in any text field).</summary>
    Visual,
    /// <summary>Nothing identifiable (e.g. a text hit whose terms were dropped by the text budget).</summary>
    None,
}

/// <summary>
/// Where to play a hit from. <see cref="Time"/> is the start of the best-matching OCR line or
/// utterance, or the segment start when no line matched; <see cref="Line"/> is that line's text and
/// <see cref="LineHighlight"/> the same line HTML-escaped with the matched terms in &lt;em&gt;…&lt;/em&gt;.
/// </summary>
public sealed record HitMoment(double Time, MatchSource MatchedBy, string? Line, string? LineHighlight = null)
{
    public static string Label(MatchSource s) => s switch
    {
        MatchSource.Ocr => "ocr",
        MatchSource.Speech => "speech",
        MatchSource.Title => "title",
        MatchSource.Visual => "visual",
        _ => "none",
    };
}

/// <summary>
/// Finds a hit's moment: the OCR line or utterance sharing the most distinct query terms (analysed
/// like the index, so CJK bigrams count), the earlier one on a tie. Same code for every store, so the
/// embedded store and OpenSearch land on the same second.
/// </summary>
public static class MomentFinder
{
    public static HitMoment Find(SegmentDocument doc, IReadOnlyCollection<string> queryTerms, bool vectorMatched)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(queryTerms);
        var terms = queryTerms as IReadOnlySet<string> ?? new HashSet<string>(queryTerms, StringComparer.Ordinal);
        if (terms.Count > 0)
        {
            var best = (Count: 0, Time: double.MaxValue, Source: MatchSource.None, Line: (string?)null);
            foreach (var l in doc.OcrLines) Offer(l.Text, l.Start, MatchSource.Ocr);
            foreach (var u in doc.Utterances) Offer(u.Text, u.Start, MatchSource.Speech);
            if (best.Count > 0)
                return new HitMoment(Math.Clamp(best.Time, doc.Start, Math.Max(doc.Start, doc.End)), best.Source, best.Line,
                    Highlighter.Highlight(best.Line, terms, maxFragments: 1) is { Count: > 0 } h ? h[0] : null);
            // Documents without timed lines (older indexes) still say which field matched.
            if (Matches(doc.OcrText, terms)) return new HitMoment(doc.Start, MatchSource.Ocr, null);
            if (Matches(doc.Transcript, terms)) return new HitMoment(doc.Start, MatchSource.Speech, null);
            if (Matches(doc.Title, terms)) return new HitMoment(doc.Start, MatchSource.Title, null);

            void Offer(string text, double start, MatchSource source)
            {
                var n = CountMatches(text, terms);
                if (n > best.Count || (n == best.Count && n > 0 && start < best.Time)) best = (n, start, source, text);
            }
        }
        return new HitMoment(doc.Start, vectorMatched ? MatchSource.Visual : MatchSource.None, null);
    }

    /// <summary>Distinct query terms present in <paramref name="text"/> after index analysis.</summary>
    public static int CountMatches(string? text, IReadOnlySet<string> terms)
    {
        if (string.IsNullOrEmpty(text) || terms.Count == 0) return 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in CjkAnalyzer.Analyze(text))
            if (terms.Contains(t.Term)) seen.Add(t.Term);
        return seen.Count;
    }

    private static bool Matches(string? text, IReadOnlySet<string> terms) => CountMatches(text, terms) > 0;
}
