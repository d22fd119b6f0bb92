using System.Text;
using System.Text.RegularExpressions;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Inference.Speech;

/// <summary>
/// Gives each video segment the words spoken during it.
///
/// Policy:
/// <list type="bullet">
/// <item>An utterance inside one segment goes to that segment whole.</item>
/// <item>An utterance spanning a cut is split by word proportion in time: its words are spread
///   evenly over its duration (Whisper gives no word times), and each word goes to the segment
///   that contains the word's midpoint. So a segment receives a share of the words equal to its
///   share of the utterance's time, and the words stay in order. Text with spaces splits into
///   words; CJK characters (no spaces) split one character per unit, with trailing punctuation
///   kept on its character.</item>
/// <item>A word whose midpoint falls in a gap between segments (or outside all of them) goes to
///   the nearest segment in time: text is never dropped.</item>
/// <item>Each segment keeps its pieces as utterances with times clipped to the segment, so a hit
///   can seek to the moment inside the segment.</item>
/// </list>
/// Returns one transcript per segment, in the segments' order (empty text when nothing was said).
/// </summary>
public static partial class TranscriptAligner
{
    /// <summary>Assigns utterance text to the segments it overlaps in time (policy documented on the implementation).</summary>
    public static IReadOnlyList<SegmentTranscript> Align(IReadOnlyList<Utterance> utterances, IReadOnlyList<SegmentSpan> segments)
    {
        ArgumentNullException.ThrowIfNull(utterances);
        ArgumentNullException.ThrowIfNull(segments);
        var pieces = new List<Utterance>[segments.Count];
        for (var i = 0; i < pieces.Length; i++) pieces[i] = [];

        if (segments.Count > 0)
        {
            foreach (var u in utterances.OrderBy(u => u.Start))
            {
                var text = u.Text.Trim();
                if (text.Length == 0) continue;
                var units = Units(text);
                var duration = Math.Max(0, u.End - u.Start);
                // Walk the units in order, grouping consecutive ones that land in the same segment.
                var groupSeg = -1;
                var groupFirst = 0;
                for (var k = 0; k <= units.Count; k++)
                {
                    var seg = k < units.Count ? SegmentAt(segments, u.Start + duration * (k + 0.5) / units.Count) : -2;
                    if (seg == groupSeg) continue;
                    if (groupSeg >= 0)
                    {
                        var first = units[groupFirst];
                        var last = units[k - 1];
                        var pieceText = text[first.Index..(last.Index + last.Length)];
                        var span = segments[groupSeg];
                        var start = Math.Clamp(u.Start, span.Start, span.End);
                        var end = Math.Clamp(u.End, span.Start, span.End);
                        if (end < start) end = start;
                        pieces[groupSeg].Add(u with { Start = start, End = end, Text = pieceText });
                    }
                    groupSeg = seg;
                    groupFirst = k;
                }
            }
        }

        var result = new List<SegmentTranscript>(segments.Count);
        for (var i = 0; i < segments.Count; i++)
        {
            var ordered = pieces[i].OrderBy(p => p.Start).ToList();
            result.Add(new SegmentTranscript(segments[i].Ordinal, Join(ordered.Select(p => p.Text)), ordered));
        }
        return result;
    }

    /// <summary>Index of the segment containing time t, else the nearest one.</summary>
    private static int SegmentAt(IReadOnlyList<SegmentSpan> segments, double t)
    {
        var best = 0;
        var bestDistance = double.MaxValue;
        for (var i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            var d = t < s.Start ? s.Start - t : t >= s.End ? t - s.End : 0;
            // Half-open spans: a midpoint exactly on a cut belongs to the later segment.
            if (d == 0) return i;
            if (d < bestDistance) { bestDistance = d; best = i; }
        }
        return best;
    }

    /// <summary>Words (runs without spaces) or single CJK characters with their trailing punctuation.</summary>
    internal static List<Match> Units(string text) => UnitRegex().Matches(text).ToList();

    /// <summary>Joins texts with a space, except between two CJK characters.</summary>
    internal static string Join(IEnumerable<string> parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            if (p.Length == 0) continue;
            if (sb.Length > 0 && !(IsCjk(sb[^1]) && IsCjk(p[0]))) sb.Append(' ');
            sb.Append(p);
        }
        return sb.ToString();
    }

    internal static bool IsCjk(char c) =>
        c is >= '\u3040' and <= '\u30FF' // kana
          or >= '\u3400' and <= '\u4DBF' // CJK ext A
          or >= '\u4E00' and <= '\u9FFF' // CJK unified
          or >= '\uAC00' and <= '\uD7AF' // Hangul syllables
          or >= '\uF900' and <= '\uFAFF' // compatibility ideographs
          or >= '\u3000' and <= '\u303F' // CJK punctuation
          or >= '\uFF00' and <= '\uFFEF'; // full-width forms

    private const string Cjk = @"\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF";
    private const string CjkPunct = @"\u3000-\u303F\uFF00-\uFFEF";

    [GeneratedRegex($@"[{Cjk}][{CjkPunct}\p{{P}}]*|[^\s{Cjk}{CjkPunct}]+[{CjkPunct}]*|[{CjkPunct}]+")]
    private static partial Regex UnitRegex();
}
