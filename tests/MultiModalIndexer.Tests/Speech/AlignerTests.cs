using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Tests.Speech;

public sealed class AlignerTests
{
    private static readonly List<SegmentSpan> ThreeSegments =
    [
        new(0, 0, 10, [5]),
        new(1, 10, 20, [15]),
        new(2, 20, 30, [25]),
    ];

    [Fact]
    public void Utterance_inside_one_segment_goes_there_whole()
    {
        var t = TranscriptAligner.Align([new Utterance(11, 14, "hello there", "en")], ThreeSegments);
        Assert.Equal(["", "hello there", ""], t.Select(s => s.Text));
        Assert.Equal(new Utterance(11, 14, "hello there", "en"), t[1].Utterances.Single());
        Assert.Empty(t[0].Utterances);
    }

    [Fact]
    public void Utterance_spanning_a_cut_is_split_by_time_share_of_its_words()
    {
        // 8 words over 6..14 s: one word per second, 4 before the cut at 10 s and 4 after.
        var u = new Utterance(6, 14, "one two three four five six seven eight", "en");
        var t = TranscriptAligner.Align([u], ThreeSegments);
        Assert.Equal("one two three four", t[0].Text);
        Assert.Equal("five six seven eight", t[1].Text);
        Assert.Equal(new Utterance(6, 10, "one two three four", "en"), t[0].Utterances.Single());
        Assert.Equal(new Utterance(10, 14, "five six seven eight", "en"), t[1].Utterances.Single());

        // 3/4 of the time before the cut → 3/4 of the words.
        var t2 = TranscriptAligner.Align([new Utterance(4, 12, "a b c d e f g h", null)], ThreeSegments);
        Assert.Equal("a b c d e f", t2[0].Text);
        Assert.Equal("g h", t2[1].Text);
    }

    [Fact]
    public void Utterance_over_three_segments_keeps_word_order_and_loses_nothing()
    {
        var words = Enumerable.Range(1, 25).Select(i => $"w{i}").ToArray();
        var t = TranscriptAligner.Align([new Utterance(5, 30, string.Join(' ', words), "en")], ThreeSegments);
        Assert.Equal(string.Join(' ', words), string.Join(' ', t.Select(s => s.Text)));
        Assert.Equal([5, 10, 10], t.Select(s => s.Text.Split(' ').Length));
    }

    [Fact]
    public void Chinese_without_spaces_splits_by_characters_with_punctuation_attached()
    {
        // 大家好，我的名字是 = 8 characters over 8..12 s: 4 before the cut at 10 s.
        var t = TranscriptAligner.Align([new Utterance(8, 12, "大家好，我的名字是", "zh")], ThreeSegments);
        Assert.Equal("大家好，我", t[0].Text);
        Assert.Equal("的名字是", t[1].Text);
    }

    [Fact]
    public void Mixed_cjk_and_latin_words_are_units_too()
    {
        var units = TranscriptAligner.Units("我的名字是AutoCut. 这是 a test。");
        Assert.Equal(["我", "的", "名", "字", "是", "AutoCut.", "这", "是", "a", "test。"], units.Select(m => m.Value));
    }

    [Fact]
    public void Text_in_a_gap_goes_to_the_nearest_segment()
    {
        List<SegmentSpan> gappy = [new(0, 0, 10, []), new(1, 20, 30, [])];
        var t = TranscriptAligner.Align([new Utterance(11, 13, "near the first", "en"), new Utterance(17, 19, "near the second", "en")], gappy);
        Assert.Equal("near the first", t[0].Text);
        Assert.Equal("near the second", t[1].Text);
        // Times are clipped to the segment (the moment to seek to).
        Assert.Equal(10, t[0].Utterances.Single().Start);
        Assert.Equal(20, t[1].Utterances.Single().End);
    }

    [Fact]
    public void Several_utterances_in_a_segment_are_joined_in_time_order()
    {
        var t = TranscriptAligner.Align(
            [new Utterance(5, 6, "second", "en"), new Utterance(1, 2, "first", "en"), new Utterance(3, 4, "你好", "zh"), new Utterance(4.5, 4.9, "世界", "zh")],
            ThreeSegments);
        Assert.Equal("first 你好世界 second", t[0].Text);
        Assert.Equal(4, t[0].Utterances.Count);
    }

    [Fact]
    public void Empty_inputs()
    {
        Assert.Empty(TranscriptAligner.Align([new Utterance(0, 1, "x", null)], []));
        Assert.All(TranscriptAligner.Align([], ThreeSegments), s => Assert.Equal("", s.Text));
        Assert.All(TranscriptAligner.Align([new Utterance(0, 1, "  ", null)], ThreeSegments), s => Assert.Empty(s.Utterances));
    }
}
