using System.Text;

namespace MultiModalIndexer.Inference.Ocr.Evaluation;

/// <summary>How OCR output is scored against ground truth (used by tests and the ocr.frame bench).</summary>
internal static class OcrMetrics
{
    /// <summary>Whitespace folded to single spaces; spaces next to CJK removed (they carry no meaning there).</summary>
    public static string NormaliseForCer(string s)
    {
        var folded = string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var sb = new StringBuilder(folded.Length);
        for (var i = 0; i < folded.Length; i++)
        {
            var c = folded[i];
            if (c == ' ' && i > 0 && i + 1 < folded.Length &&
                (OcrTextCleaner.IsCjk(folded[i - 1]) || OcrTextCleaner.IsCjk(folded[i + 1]) ||
                 OcrTextCleaner.IsCjkPunctuation(folded[i - 1]) || OcrTextCleaner.IsCjkPunctuation(folded[i + 1])))
                continue;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Character error rate: edit distance over reference length, after <see cref="NormaliseForCer"/>.</summary>
    public static double Cer(string reference, string hypothesis)
    {
        var r = NormaliseForCer(reference);
        var h = NormaliseForCer(hypothesis);
        return r.Length == 0 ? (h.Length == 0 ? 0 : 1) : EditDistance(r, h) / (double)r.Length;
    }

    public static int EditDistance(string a, string b) => OcrTextCleaner.EditDistance(a, b);

    /// <summary>
    /// Recall units of a caption: lower-cased English words (letters/digits) and single Han characters.
    /// Matched as multisets against the OCR output, so each reference unit counts once.
    /// </summary>
    public static (int Found, int Total) Recall(string reference, string hypothesis)
    {
        var hyp = Units(hypothesis).GroupBy(u => u).ToDictionary(g => g.Key, g => g.Count());
        var found = 0; var total = 0;
        foreach (var u in Units(reference))
        {
            total++;
            if (hyp.TryGetValue(u, out var n) && n > 0) { found++; hyp[u] = n - 1; }
        }
        return (found, total);
    }

    public static IEnumerable<string> Units(string s)
    {
        var word = new StringBuilder();
        foreach (var c in s)
        {
            if (OcrTextCleaner.IsCjk(c))
            {
                if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
                yield return c.ToString();
            }
            else if (char.IsLetterOrDigit(c)) word.Append(char.ToLowerInvariant(c));
            else if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
        }
        if (word.Length > 0) yield return word.ToString();
    }
}
