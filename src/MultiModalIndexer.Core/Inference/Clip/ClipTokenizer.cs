using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace MultiModalIndexer.Inference.Clip;

/// <summary>
/// OpenAI CLIP's byte-level BPE tokenizer (clip/simple_tokenizer.py), reproduced exactly, minus ftfy:
/// basic_clean (html.unescape twice, strip) → whitespace folding → lower-case → the pre-tokenisation
/// pattern → UTF-8 bytes mapped through bytes_to_unicode → BPE with `&lt;/w&gt;` word ends → ids, framed by
/// &lt;|startoftext|&gt; 49406 and &lt;|endoftext|&gt; 49407 and truncated to the 77-token context (EOT kept).
/// The pattern is applied by a hand-written scanner over code points rather than .NET Regex because
/// .NET's \p{L} sees UTF-16 code units: a supplementary-plane letter (CJK Extension B) would otherwise
/// split differently from Python's `regex`.
/// </summary>
public sealed class ClipTokenizer
{
    public const int ContextLength = 77;
    public const int StartOfText = 49406;
    public const int EndOfText = 49407;
    public const int VocabularySize = 49408;
    private const int MergeCount = 49152 - 256 - 2; // lines [1 : 49152-256-2+1] of the merges file

    private readonly Dictionary<string, int> _encoder;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly string[] _byteEncoder = new string[256];
    private readonly Dictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheLock = new();

    private ClipTokenizer(IReadOnlyList<(string A, string B)> merges)
    {
        var byteChars = BytesToUnicode();
        for (var b = 0; b < 256; b++) _byteEncoder[b] = byteChars[b].ToString();

        // vocab = bytes_to_unicode values (in their dict order), the same with </w>, merges, SOT, EOT.
        var order = ByteOrder();
        var vocab = new List<string>(VocabularySize);
        foreach (var b in order) vocab.Add(byteChars[b].ToString());
        foreach (var b in order) vocab.Add(byteChars[b] + "</w>");
        foreach (var (a, bb) in merges) vocab.Add(a + bb);
        vocab.Add("<|startoftext|>");
        vocab.Add("<|endoftext|>");
        _encoder = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        for (var i = 0; i < vocab.Count; i++) _encoder[vocab[i]] = i; // later duplicates win, as in Python's dict(zip(...))
        _ranks = merges.Select((m, i) => (m, i)).GroupBy(x => x.m).ToDictionary(g => g.Key, g => g.Last().i);
        if (_encoder.Count != VocabularySize || _encoder["<|endoftext|>"] != EndOfText)
            throw new InvalidDataException($"The CLIP vocabulary has {_encoder.Count} entries, expected {VocabularySize}; the merges file is not bpe_simple_vocab_16e6.");
    }

    /// <summary>Loads bpe_simple_vocab_16e6.txt.gz (or an uncompressed copy).</summary>
    public static ClipTokenizer Load(string path)
    {
        using var file = File.OpenRead(path);
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true));
        var text = reader.ReadToEnd();
        var lines = text.Split('\n');
        if (lines.Length < MergeCount + 1)
            throw new InvalidDataException($"{Path.GetFileName(path)} has {lines.Length} lines; the CLIP merges file has {MergeCount + 1} or more.");
        var merges = new List<(string, string)>(MergeCount);
        for (var i = 1; i <= MergeCount; i++)
        {
            // Python's str.split(): any whitespace run separates.
            var parts = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) throw new InvalidDataException($"{Path.GetFileName(path)} line {i + 1} is not a merge pair: '{lines[i]}'.");
            merges.Add((parts[0], parts[1]));
        }
        return new ClipTokenizer(merges);
    }

    /// <summary>Ids from SOT to EOT, unpadded, truncated to <paramref name="contextLength"/> keeping EOT last.</summary>
    public int[] Tokenize(string text, int contextLength = ContextLength)
    {
        var ids = new List<int>(16) { StartOfText };
        ids.AddRange(Encode(text));
        ids.Add(EndOfText);
        if (ids.Count > contextLength)
        {
            ids.RemoveRange(contextLength, ids.Count - contextLength);
            ids[^1] = EndOfText;
        }
        return ids.ToArray();
    }

    /// <summary>The BPE ids of the text alone (simple_tokenizer.encode).</summary>
    public List<int> Encode(string text)
    {
        var cleaned = Lower(WhitespaceClean(BasicClean(text)));
        var ids = new List<int>();
        foreach (var token in PreTokenize(cleaned))
        {
            var sb = new StringBuilder(token.Length * 2);
            foreach (var b in Encoding.UTF8.GetBytes(token)) sb.Append(_byteEncoder[b]);
            ids.AddRange(Bpe(sb.ToString()));
        }
        return ids;
    }

    /// <summary>The token strings (for debugging and docs).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var inverse = _decoder ??= _encoder.ToDictionary(kv => kv.Value, kv => kv.Key);
        var byteDecoder = new Dictionary<char, byte>();
        var chars = BytesToUnicode();
        for (var b = 0; b < 256; b++) byteDecoder[chars[b]] = (byte)b;
        var text = string.Concat(ids.Select(i => inverse.TryGetValue(i, out var s) ? s : ""));
        var bytes = new List<byte>();
        foreach (var c in text)
            if (byteDecoder.TryGetValue(c, out var b)) bytes.Add(b);
        return Encoding.UTF8.GetString(bytes.ToArray()).Replace("</w>", " ");
    }

    private Dictionary<int, string>? _decoder;

    private int[] Bpe(string token)
    {
        if (token is "<|startoftext|>") return [StartOfText];
        if (token is "<|endoftext|>") return [EndOfText];
        lock (_cacheLock)
            if (_cache.TryGetValue(token, out var hit)) return hit;

        // word = tuple(token[:-1]) + (token[-1] + '</w>',), over code points (bytes_to_unicode chars are BMP).
        var word = new List<string>(token.Length);
        for (var i = 0; i < token.Length - 1; i++) word.Add(token[i].ToString());
        word.Add(token[^1] + "</w>");

        while (word.Count > 1)
        {
            // bigram = min(pairs, key=rank); stop when no pair is a known merge.
            var best = -1;
            (string, string) bigram = ("", "");
            for (var i = 0; i < word.Count - 1; i++)
            {
                if (_ranks.TryGetValue((word[i], word[i + 1]), out var r) && (best < 0 || r < best))
                {
                    best = r;
                    bigram = (word[i], word[i + 1]);
                }
            }
            if (best < 0) break;
            var (first, second) = bigram;
            var merged = new List<string>(word.Count);
            var j = 0;
            while (j < word.Count)
            {
                var k = word.IndexOf(first, j);
                if (k < 0)
                {
                    merged.AddRange(word.Skip(j));
                    break;
                }
                merged.AddRange(word.Skip(j).Take(k - j));
                j = k;
                if (j < word.Count - 1 && word[j + 1] == second)
                {
                    merged.Add(first + second);
                    j += 2;
                }
                else
                {
                    merged.Add(word[j]);
                    j += 1;
                }
            }
            word = merged;
        }

        var ids = new int[word.Count];
        for (var i = 0; i < word.Count; i++)
            ids[i] = _encoder.TryGetValue(word[i], out var id) ? id
                : throw new InvalidOperationException($"BPE piece '{word[i]}' is not in the vocabulary.");
        lock (_cacheLock)
            if (_cache.Count < 100_000) _cache[token] = ids;
        return ids;
    }

    // ---- text clean-up (ftfy-less basic_clean + whitespace_clean + str.lower) ----

    internal static string BasicClean(string text) => PyStrip(HtmlEntities.Unescape(HtmlEntities.Unescape(text)));

    internal static string WhitespaceClean(string text)
    {
        var sb = new StringBuilder(text.Length);
        var inSpace = false;
        foreach (var c in text)
        {
            if (IsRegexSpace(c))
            {
                if (!inSpace) sb.Append(' ');
                inSpace = true;
            }
            else
            {
                sb.Append(c);
                inSpace = false;
            }
        }
        return PyStrip(sb.ToString());
    }

    /// <summary>Python's str.isspace for BMP characters (re's \s on str): Unicode White_Space plus \x1c-\x1f.</summary>
    internal static bool IsPySpace(char c) =>
        c is (>= '\t' and <= '\r') or (>= '\x1c' and <= ' ') or '\x85' or '\xa0' or '\u1680' or (>= '\u2000' and <= '\u200a')
            or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000';

    private static string PyStrip(string s)
    {
        int a = 0, b = s.Length;
        while (a < b && IsPySpace(s[a])) a++;
        while (b > a && IsPySpace(s[b - 1])) b--;
        return s[a..b];
    }

    /// <summary>
    /// Python's str.lower: full Unicode lower-casing (İ → i̇) and the context-sensitive final sigma,
    /// which .NET's simple per-character mapping lacks.
    /// </summary>
    internal static string Lower(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\u0130') { sb.Append("i\u0307"); continue; }
            if (c == '\u03a3') { sb.Append(IsFinalSigma(s, i) ? '\u03c2' : '\u03c3'); continue; }
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                var r = Rune.ToLowerInvariant(new Rune(c, s[i + 1]));
                sb.Append(r.ToString());
                i++;
                continue;
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    // Final_Sigma: preceded by a cased letter and not followed by one (case-ignorable characters skipped).
    private static bool IsFinalSigma(string s, int i)
    {
        var j = i - 1;
        while (j >= 0 && IsCaseIgnorable(s[j])) j--;
        if (j < 0 || !IsCased(s[j])) return false;
        var k = i + 1;
        while (k < s.Length && IsCaseIgnorable(s[k])) k++;
        return k >= s.Length || !IsCased(s[k]);
    }

    private static bool IsCased(char c) => char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.EnclosingMark or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || c is '\'' or '.' or ':' or '^' or '`' or '\u00b7' or '\u2018' or '\u2019' or '\u2024' or '\u2027';

    // ---- pre-tokenisation: <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+ ----

    private static readonly string[] Specials = ["<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    internal static IEnumerable<string> PreTokenize(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            string? special = null;
            foreach (var sp in Specials)
                if (MatchesFolded(text, i, sp))
                {
                    special = text.Substring(i, sp.Length);
                    break;
                }
            if (special is not null)
            {
                yield return special;
                i += special.Length;
                continue;
            }

            var kind = Classify(text, i, out var len);
            switch (kind)
            {
                case CharKind.Letter:
                    {
                        var start = i;
                        while (i < text.Length && Classify(text, i, out len) == CharKind.Letter) i += len;
                        yield return text[start..i];
                        break;
                    }
                case CharKind.Number:
                    yield return text.Substring(i, len);
                    i += len;
                    break;
                case CharKind.Other:
                    {
                        var start = i;
                        while (i < text.Length && Classify(text, i, out len) == CharKind.Other) i += len;
                        yield return text[start..i];
                        break;
                    }
                default:
                    i += len; // whitespace matches nothing: findall moves on
                    break;
            }
        }
    }

    // re.IGNORECASE in the `regex` module uses simple case folding: after lower(), only U+017F (long s)
    // still folds onto a pattern letter ('ſ matches 's).
    private static bool MatchesFolded(string text, int i, string literal)
    {
        if (literal.Length > text.Length - i) return false;
        for (var k = 0; k < literal.Length; k++)
        {
            var c = text[i + k];
            if (c == '\u017f') c = 's';
            if (char.ToLowerInvariant(c) != literal[k]) return false;
        }
        return true;
    }

    private enum CharKind { Space, Letter, Number, Other }

    private static CharKind Classify(string s, int i, out int length)
    {
        UnicodeCategory cat;
        if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            length = 2;
            cat = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(s[i], s[i + 1]));
        }
        else
        {
            length = 1;
            if (IsRegexSpace(s[i])) return CharKind.Space;
            cat = CharUnicodeInfo.GetUnicodeCategory(s[i]);
        }
        return cat switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
            _ => CharKind.Other,
        };
    }

    // The `regex` module's \s (used by both whitespace_clean and the pattern): Unicode White_Space,
    // i.e. str.isspace without the \x1c-\x1f separators.
    internal static bool IsRegexSpace(char c) => IsPySpace(c) && c is not (>= '\x1c' and <= '\x1f');

    // bytes_to_unicode(): printable Latin-1 bytes map to themselves, the rest to 256+n in byte order.
    private static int[] ByteOrder()
    {
        var bs = new List<int>();
        for (var b = '!'; b <= '~'; b++) bs.Add(b);
        for (var b = '¡'; b <= '¬'; b++) bs.Add(b);
        for (var b = '®'; b <= 'ÿ'; b++) bs.Add(b);
        for (var b = 0; b < 256; b++)
            if (!bs.Contains(b)) bs.Add(b);
        return bs.ToArray();
    }

    private static char[] BytesToUnicode()
    {
        var map = new char[256];
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
            map[b] = printable ? (char)b : (char)(256 + n++);
        }
        return map;
    }
}
