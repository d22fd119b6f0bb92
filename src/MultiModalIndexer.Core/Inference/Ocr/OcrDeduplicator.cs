using System.Text;

namespace MultiModalIndexer.Inference.Ocr;

/// <summary>
/// Merges the OCR lines of a segment's keyframes and of neighbouring segments.
///
/// Within a segment: lines whose normalised forms (case, whitespace and punctuation folded) have
/// edit similarity ≥ <see cref="SimilarityThreshold"/> are one line; the most confident reading
/// (longer on a tie) represents it, so a caption read three times with small OCR slips is listed once.
///
/// Across segments (the policy): a line is kept in the first segment of each run of consecutive
/// segments that show it, and dropped from the following segments of that run. Why: a static caption
/// (a title, a channel name, a slide) visible through ten segments would otherwise tie all ten for
/// that query in BM25, burying the one moment a user wants, where it first appears; later segments
/// still match through their own text, speech and image vectors. A caption that disappears and comes
/// back starts a new run and is indexed again where it reappears.
/// </summary>
public static class OcrDeduplicator
{
    public const double SimilarityThreshold = 0.8;

    /// <summary>
    /// Per segment (in order), the distinct OCR lines of its keyframes, near-duplicates merged, and
    /// lines already shown by the previous segment not repeated more than needed.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> DeduplicateSegments(IReadOnlyList<IReadOnlyList<OcrResult>> keyframeResultsPerSegment)
    {
        ArgumentNullException.ThrowIfNull(keyframeResultsPerSegment);
        var perSegment = keyframeResultsPerSegment
            .Select(frames => DistinctLines((frames ?? []).Where(f => f is not null).SelectMany(f => f.Lines)))
            .ToList();

        var output = new List<IReadOnlyList<string>>(perSegment.Count);
        IReadOnlyList<OcrLine> previous = [];
        foreach (var lines in perSegment)
        {
            var kept = lines.Where(l => !previous.Any(p => Similar(p.Text, l.Text))).Select(l => l.Text).ToList();
            output.Add(kept);
            previous = lines;
        }
        return output;
    }

    /// <summary>Distinct lines of one segment in first-seen order; each cluster represented by its best reading.</summary>
    public static IReadOnlyList<OcrLine> DistinctLines(IEnumerable<OcrLine> lines)
    {
        var clusters = new List<OcrLine>();
        foreach (var line in lines)
        {
            if (line is null || string.IsNullOrWhiteSpace(line.Text) || Normalise(line.Text).Length == 0) continue;
            var idx = clusters.FindIndex(c => Similar(c.Text, line.Text));
            if (idx < 0) { clusters.Add(line); continue; }
            var c = clusters[idx];
            if (line.Confidence > c.Confidence || (line.Confidence == c.Confidence && line.Text.Length > c.Text.Length))
                clusters[idx] = line;
        }
        return clusters;
    }

    public static bool Similar(string a, string b) => Similarity(a, b) >= SimilarityThreshold;

    /// <summary>1 − edit distance / longer length, over the normalised forms.</summary>
    public static double Similarity(string a, string b)
    {
        var na = Normalise(a);
        var nb = Normalise(b);
        if (na.Length == 0 && nb.Length == 0) return 1;
        if (na.Length == 0 || nb.Length == 0) return 0;
        var longer = Math.Max(na.Length, nb.Length);
        // The length difference bounds the similarity from above: when even the bound is below the
        // threshold, skip the quadratic distance. (The bound itself is not the similarity: returning it
        // at the boundary once made 8- and 10-character Chinese lines with nothing in common "similar".)
        var bound = 1 - Math.Abs(na.Length - nb.Length) / (double)longer;
        if (bound < SimilarityThreshold) return bound;
        return 1 - OcrTextCleaner.EditDistance(na, nb) / (double)longer;
    }

    /// <summary>Lower case, letters/digits/CJK only: OCR slips in spacing and punctuation do not make a new line.</summary>
    public static string Normalise(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s.Normalize(NormalizationForm.FormKC))
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
        return sb.ToString();
    }
}
