using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MultiModalIndexer.Inference.Clip;

/// <summary>
/// Python's html.unescape, rule for rule (HTML5 named references incl. the legacy ones without ';' and
/// longest-prefix matching, numeric references with the WHATWG replacement table), because CLIP's
/// basic_clean runs it twice and the ids must match OpenAI's tokenizer on any input.
/// </summary>
internal static partial class HtmlEntities
{
    private static readonly Lazy<Dictionary<string, string>> Table = new(Parse);

    // Python: &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
    [GeneratedRegex(@"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)", RegexOptions.CultureInvariant)]
    private static partial Regex CharRef();

    private static readonly Dictionary<int, string> InvalidCharRefs = new()
    {
        [0x00] = "\ufffd", [0x0d] = "\r", [0x80] = "\u20ac", [0x81] = "\x81", [0x82] = "\u201a", [0x83] = "\u0192",
        [0x84] = "\u201e", [0x85] = "\u2026", [0x86] = "\u2020", [0x87] = "\u2021", [0x88] = "\u02c6", [0x89] = "\u2030",
        [0x8a] = "\u0160", [0x8b] = "\u2039", [0x8c] = "\u0152", [0x8d] = "\x8d", [0x8e] = "\u017d", [0x8f] = "\x8f",
        [0x90] = "\x90", [0x91] = "\u2018", [0x92] = "\u2019", [0x93] = "\u201c", [0x94] = "\u201d", [0x95] = "\u2022",
        [0x96] = "\u2013", [0x97] = "\u2014", [0x98] = "\u02dc", [0x99] = "\u2122", [0x9a] = "\u0161", [0x9b] = "\u203a",
        [0x9c] = "\u0153", [0x9d] = "\x9d", [0x9e] = "\u017e", [0x9f] = "\u0178",
    };

    private static bool IsInvalidCodepoint(long n) =>
        n is >= 0x1 and <= 0x8 or >= 0xe and <= 0x1f or >= 0x7f and <= 0x9f or >= 0xfdd0 and <= 0xfdef or 0xb
        || (n <= 0x10ffff && (n & 0xfffe) == 0xfffe);

    public static string Unescape(string s)
    {
        if (!s.Contains('&')) return s;
        return CharRef().Replace(s, m => Replace(m.Groups[1].Value));
    }

    private static string Replace(string s)
    {
        if (s[0] == '#')
        {
            var hex = s[1] is 'x' or 'X';
            var digits = (hex ? s[2..] : s[1..]).TrimEnd(';');
            // Python ints are unbounded; anything past 0x10FFFF is U+FFFD, so saturate instead of overflowing.
            long num = 0;
            foreach (var c in digits)
            {
                var d = hex ? int.Parse(c.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) : c - '0';
                num = Math.Min(num * (hex ? 16 : 10) + d, 0x7fffffffL);
            }
            if (InvalidCharRefs.TryGetValue((int)num, out var r)) return r;
            if (num is >= 0xD800 and <= 0xDFFF || num > 0x10FFFF) return "\uFFFD";
            if (IsInvalidCodepoint(num)) return "";
            return char.ConvertFromUtf32((int)num);
        }
        var table = Table.Value;
        if (table.TryGetValue(s, out var v)) return v;
        for (var x = s.Length - 1; x > 1; x--)
            if (table.TryGetValue(s[..x], out var p)) return p + s[x..];
        return "&" + s;
    }

    private static Dictionary<string, string> Parse()
    {
        var d = new Dictionary<string, string>(2300, StringComparer.Ordinal);
        foreach (var line in Data.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            var sb = new StringBuilder();
            foreach (var cp in line[(eq + 1)..].Split(','))
                sb.Append(char.ConvertFromUtf32(int.Parse(cp, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            d[line[..eq]] = sb.ToString();
        }
        return d;
    }
}
