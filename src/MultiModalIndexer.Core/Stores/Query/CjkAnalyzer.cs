using System.Globalization;
using System.Text;

namespace MultiModalIndexer.Stores.Query;

/// <summary>One analysed term and the UTF-16 span of the original text it came from.</summary>
public readonly record struct AnalyzedToken(string Term, int Start, int End);

/// <summary>
/// Text analysis shared by indexing and querying, modelled on Lucene's CJKAnalyzer (OpenSearch's
/// <c>cjk</c> analyzer): runs of Han/Hiragana/Katakana/Hangul become overlapping bigrams (a lone CJK
/// character stays a unigram); other letter/digit runs become lower-cased words with diacritics and
/// full-width forms folded; Lucene's CJK English stop words are dropped. The embedded store feeds the
/// resulting space-separated terms to FTS5's unicode61 tokenizer, so FTS5 never sees raw user text.
/// </summary>
public static class CjkAnalyzer
{
    /// <summary>Longer "words" are noise (base64, hashes); Lucene's standard tokenizer caps at 255 too.</summary>
    public const int MaxTokenChars = 255;

    // Lucene analysis/cjk/stopwords.txt (the cjk analyzer's defaults).
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "s", "such", "t", "that", "the", "their", "then", "there", "these", "they", "this",
        "to", "was", "will", "with", "www",
    };

    public static bool IsStopWord(string term) => StopWords.Contains(term);

    /// <summary>Han, Hiragana, Katakana (incl. half-width) and Hangul: the scripts Lucene bigrams.</summary>
    public static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF      // CJK unified ideographs
        or >= 0x3400 and <= 0x4DBF         // extension A
        or >= 0x20000 and <= 0x2FA1F       // extensions B..F, compatibility supplement
        or >= 0xF900 and <= 0xFAFF         // compatibility ideographs
        or 0x3005 or 0x3007                // 々 〇
        or >= 0x3040 and <= 0x309F         // Hiragana
        or >= 0x30A0 and <= 0x30FF         // Katakana (incl. ー)
        or >= 0x31F0 and <= 0x31FF         // Katakana phonetic extensions
        or >= 0xFF66 and <= 0xFF9F         // half-width Katakana
        or >= 0xAC00 and <= 0xD7AF         // Hangul syllables
        or >= 0x1100 and <= 0x11FF         // Hangul Jamo
        or >= 0x3130 and <= 0x318F;        // Hangul compatibility Jamo

    private enum Kind { Other, Cjk, Word, Mark }

    private static Kind Classify(Rune r)
    {
        if (IsCjk(r.Value)) return Kind.Cjk;
        if (Rune.IsLetterOrDigit(r)) return Kind.Word;
        var cat = Rune.GetUnicodeCategory(r);
        return cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
            ? Kind.Mark : Kind.Other;
    }

    /// <summary>Analyses text into terms with offsets (for highlighting) in document order.</summary>
    public static List<AnalyzedToken> Analyze(string? text)
    {
        var tokens = new List<AnalyzedToken>();
        if (string.IsNullOrEmpty(text)) return tokens;
        var span = text.AsSpan();
        var cjk = new List<(string Text, int Start, int End)>();
        int i = 0;
        while (i < span.Length)
        {
            if (Rune.DecodeFromUtf16(span[i..], out var rune, out var len) != System.Buffers.OperationStatus.Done)
            {
                i++; // lone surrogate: a separator
                continue;
            }
            var kind = Classify(rune);
            if (kind == Kind.Cjk)
            {
                cjk.Clear();
                while (i < span.Length && Rune.DecodeFromUtf16(span[i..], out rune, out len) == System.Buffers.OperationStatus.Done && IsCjk(rune.Value))
                {
                    cjk.Add((FoldCjk(rune), i, i + len));
                    i += len;
                }
                if (cjk.Count == 1) tokens.Add(new AnalyzedToken(cjk[0].Text, cjk[0].Start, cjk[0].End));
                for (int k = 0; k + 1 < cjk.Count; k++)
                    tokens.Add(new AnalyzedToken(cjk[k].Text + cjk[k + 1].Text, cjk[k].Start, cjk[k + 1].End));
            }
            else if (kind == Kind.Word)
            {
                int start = i;
                while (i < span.Length && Rune.DecodeFromUtf16(span[i..], out rune, out len) == System.Buffers.OperationStatus.Done
                       && Classify(rune) is Kind.Word or Kind.Mark)
                    i += len;
                var term = FoldWord(span[start..i]);
                if (term.Length is > 0 and <= MaxTokenChars && !StopWords.Contains(term))
                    tokens.Add(new AnalyzedToken(term, start, i));
            }
            else
            {
                i += len;
            }
        }
        return tokens;
    }

    /// <summary>The text FTS5 indexes: analysed terms separated by spaces.</summary>
    public static string ToIndexText(string? text)
    {
        var tokens = Analyze(text);
        if (tokens.Count == 0) return "";
        var sb = new StringBuilder(text!.Length + tokens.Count);
        foreach (var t in tokens)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(t.Term);
        }
        return sb.ToString();
    }

    /// <summary>Distinct query terms in first-seen order, at most <paramref name="maxTerms"/>.</summary>
    public static IReadOnlyList<string> QueryTerms(string? query, int maxTerms = SearchLimits.MaxQueryTerms)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var terms = new List<string>();
        foreach (var t in Analyze(query))
        {
            if (terms.Count >= maxTerms) break;
            if (seen.Add(t.Term)) terms.Add(t.Term);
        }
        return terms;
    }

    /// <summary>NFKD (folds full-width forms and ligatures, splits accents), drop marks, lower-case.</summary>
    private static string FoldWord(ReadOnlySpan<char> word)
    {
        bool ascii = true;
        foreach (var c in word) if (c > 0x7F) { ascii = false; break; }
        if (ascii) return word.ToString().ToLowerInvariant();
        var decomposed = word.ToString().Normalize(NormalizationForm.FormKD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(rune);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark) continue;
            if (!Rune.IsLetterOrDigit(rune) && cat != UnicodeCategory.SpacingCombiningMark) continue;
            sb.Append(Rune.ToLowerInvariant(rune).ToString());
        }
        return sb.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>Half-width Katakana → full-width (Lucene's CJKWidthFilter); everything else as is.</summary>
    private static string FoldCjk(Rune r) =>
        r.Value is >= 0xFF66 and <= 0xFF9F ? r.ToString().Normalize(NormalizationForm.FormKC) : r.ToString();
}
