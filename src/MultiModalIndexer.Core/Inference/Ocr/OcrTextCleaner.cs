using System.Text;

namespace MultiModalIndexer.Inference.Ocr;

/// <summary>
/// Turns Tesseract's raw line text into searchable text: folds whitespace, removes the spaces
/// chi_sim puts between Han characters (they would split every CJK token in BM25), trims stray
/// edge symbols, and drops junk (1–2 characters that are not CJK, or mostly symbols).
/// </summary>
public static class OcrTextCleaner
{
    public static bool IsCjk(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF'
            or >= '\u3040' and <= '\u30FF' or >= '\uAC00' and <= '\uD7AF';

    public static bool IsCjkPunctuation(char c) => c is >= '\u3000' and <= '\u303F' or >= '\uFF00' and <= '\uFFEF';

    /// <summary>Cleaned line, or "" when the line is junk.</summary>
    public static string CleanLine(string raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return "";
        var sb = new StringBuilder(raw.Length);
        var pendingSpace = false;
        foreach (var ch in raw.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsWhiteSpace(ch) || char.IsControl(ch)) { pendingSpace = sb.Length > 0; continue; }
            if (pendingSpace)
            {
                var prev = sb[^1];
                var joinCjk = (IsCjk(prev) || IsCjkPunctuation(prev)) && (IsCjk(ch) || IsCjkPunctuation(ch));
                if (!joinCjk) sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(ch);
        }
        var s = sb.ToString().Trim(' ', '|', '_', '~', '`', '\'', '"', '‘', '’', '“', '”', '—', '-', '=', '+', '*', '^', '¥', '«', '»', '<', '>', '[', ']', '{', '}', '\\', '/');
        if (s.Length == 0) return "";
        var cjk = 0; var alnum = 0;
        foreach (var ch in s)
        {
            if (IsCjk(ch)) cjk++;
            else if (char.IsLetterOrDigit(ch)) alnum++;
        }
        if (cjk == 0 && alnum <= 2) return "";
        var content = cjk + alnum;
        var nonSpace = s.Count(c => c != ' ');
        if (content < nonSpace * 0.6) return "";
        return s;
    }

    /// <summary>Levenshtein distance (unit costs) between two strings.</summary>
    public static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>
    /// The recogniser's O/0 confusion, repaired per word: a word of letters and zeros with at least two
    /// letters gets O for 0 (o in an all-lower-case word), a word of digits and O's with at
    /// least two digits gets 0 for O. Words mixing other digits and letters ("A4", "3D") are left alone.
    /// </summary>
    public static string FixZeroOh(string line)
    {
        var chars = line.ToCharArray();
        var i = 0;
        while (i < chars.Length)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i])) { i++; continue; }
            var start = i;
            while (i < chars.Length && char.IsAsciiLetterOrDigit(chars[i])) i++;
            var word = chars.AsSpan(start, i - start);
            int letters = 0, zeros = 0, digits = 0, ohs = 0;
            foreach (var c in word)
            {
                if (c == '0') zeros++;
                if (c is 'O' or 'o') ohs++;
                if (char.IsAsciiDigit(c)) digits++;
                else letters++;
            }
            if (zeros > 0 && digits == zeros && letters >= 2)
            {
                // Lower-case o only in an all-lower-case word ("g0od"); "b00Ts" and "RO0M" get O.
                var allLower = true;
                foreach (var c in word) if (char.IsAsciiLetterUpper(c)) allLower = false;
                for (var k = 0; k < word.Length; k++) if (word[k] == '0') word[k] = allLower ? 'o' : 'O';
            }
            else if (ohs > 0 && letters == ohs && digits >= 2)
            {
                for (var k = 0; k < word.Length; k++) if (word[k] is 'O' or 'o') word[k] = '0';
            }
        }
        return new string(chars);
    }

    /// <summary>
    /// Words the recogniser glued, split where case says a new word starts: after two or more lower-case
    /// letters, a capital followed by a lower-case letter ("byKarl" → "by Karl", "FriedrichEngels" →
    /// "Friedrich Engels"). The recogniser drops narrow spaces, and running text almost never has a
    /// capitalised word inside a word; camel-case names are split too ("YouTube" → "You Tube"), but
    /// "iPhone", "McDonald", "eBay" (one lower-case letter before the capital), mixed-case misreads of
    /// capitals ("ORdER", "b00Ts") and all-caps acronyms after a word ("macOS") are left alone.
    /// </summary>
    public static string SplitGluedWords(string line)
    {
        StringBuilder? sb = null;
        var lowerRun = 0;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (lowerRun >= 2 && char.IsUpper(c) && i + 1 < line.Length && char.IsLower(line[i + 1]))
                (sb ??= new StringBuilder(line, 0, i, line.Length + 4)).Append(' ');
            sb?.Append(c);
            lowerRun = char.IsLower(c) ? lowerRun + 1 : 0;
        }
        return sb?.ToString() ?? line;
    }
}
