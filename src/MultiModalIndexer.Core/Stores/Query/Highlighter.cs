using System.Net;
using System.Text;

namespace MultiModalIndexer.Stores.Query;

/// <summary>
/// Highlighted snippets of transcript/OCR text: matched spans (same analysis as the index, so a
/// Chinese bigram match marks its two characters) wrapped in &lt;em&gt;…&lt;/em&gt;, the rest HTML-escaped
/// (OpenSearch's <c>"encoder": "html"</c>), up to <c>maxFragments</c> windows of about
/// <c>fragmentChars</c> characters, with "…" where the text was cut.
/// </summary>
public static class Highlighter
{
    public const int DefaultFragmentChars = 120;
    public const int DefaultMaxFragments = 2;

    public static IReadOnlyList<string> Highlight(string? text, IReadOnlySet<string> terms,
        int fragmentChars = DefaultFragmentChars, int maxFragments = DefaultMaxFragments)
    {
        if (string.IsNullOrEmpty(text) || terms.Count == 0) return [];
        var spans = new List<(int Start, int End)>();
        foreach (var t in CjkAnalyzer.Analyze(text))
        {
            if (!terms.Contains(t.Term)) continue;
            if (spans.Count > 0 && t.Start <= spans[^1].End)
                spans[^1] = (spans[^1].Start, Math.Max(spans[^1].End, t.End)); // overlapping bigrams merge
            else
                spans.Add((t.Start, t.End));
        }
        if (spans.Count == 0) return [];

        var fragments = new List<string>();
        int s = 0;
        while (s < spans.Count && fragments.Count < maxFragments)
        {
            int lead = fragmentChars / 4;
            int fs = Math.Max(0, spans[s].Start - lead);
            int fe = Math.Min(text.Length, Math.Max(fs + fragmentChars, spans[s].End));
            fs = SnapStart(text, fs);
            fe = SnapEnd(text, fe);
            var sb = new StringBuilder(fe - fs + 32);
            if (fs > 0) sb.Append('…');
            int pos = fs;
            while (s < spans.Count && spans[s].Start < fe)
            {
                var (a, b) = spans[s];
                b = Math.Min(b, fe);
                if (a > pos) sb.Append(WebUtility.HtmlEncode(text[pos..a]));
                sb.Append("<em>").Append(WebUtility.HtmlEncode(text[Math.Max(a, pos)..b])).Append("</em>");
                pos = b;
                s++;
            }
            if (pos < fe) sb.Append(WebUtility.HtmlEncode(text[pos..fe]));
            if (fe < text.Length) sb.Append('…');
            fragments.Add(sb.ToString().Replace('\n', ' '));
        }
        return fragments;
    }

    // Never cut a surrogate pair; prefer starting after a space when one is close.
    private static int SnapStart(string text, int i)
    {
        if (i <= 0) return 0;
        int space = text.LastIndexOf(' ', i, Math.Min(i + 1, 12));
        if (space >= 0 && space < i) i = space + 1;
        if (i < text.Length && char.IsLowSurrogate(text[i])) i--;
        return i;
    }

    private static int SnapEnd(string text, int i)
    {
        if (i >= text.Length) return text.Length;
        if (char.IsLowSurrogate(text[i])) i++;
        return i;
    }
}
