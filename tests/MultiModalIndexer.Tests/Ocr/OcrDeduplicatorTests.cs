using MultiModalIndexer.Inference.Ocr;

namespace MultiModalIndexer.Tests.Ocr;

public sealed class OcrDeduplicatorTests
{
    private static OcrResult R(params (string Text, float Conf)[] lines) =>
        new(string.Join('\n', lines.Select(l => l.Text)), lines.Select(l => new OcrLine(l.Text, l.Conf)).ToList());

    [Fact]
    public void Near_duplicate_lines_in_a_segment_are_listed_once_with_the_best_reading()
    {
        var seg = new[]
        {
            R(("Breaking news: heavy rain tonight", 70), ("Channel 5", 90)),
            R(("Breaking news heavy rain t0night", 60)),
            R(("BREAKING NEWS: HEAVY RAIN TONIGHT!", 95), ("今天天气很好", 80)),
            R(("今天天气很好。", 85)),
        };
        var result = OcrDeduplicator.DeduplicateSegments([seg]);
        Assert.Single(result);
        Assert.Equal(["BREAKING NEWS: HEAVY RAIN TONIGHT!", "Channel 5", "今天天气很好。"], result[0]);
    }

    [Fact]
    public void Distinct_lines_stay_distinct()
    {
        var result = OcrDeduplicator.DeduplicateSegments([[R(("The quick brown fox", 80), ("The slow brown dog", 80))]]);
        Assert.Equal(2, result[0].Count);
    }

    [Fact]
    public void Static_caption_is_kept_where_its_run_starts_and_again_where_it_reappears()
    {
        var title = ("World Cup Final 2026", 90f);
        var segments = new IReadOnlyList<OcrResult>[]
        {
            [R(title)],
            [R(title, ("Goal in the 90th minute", 80))],
            [R(("World Cup Fina1 2026", 70))],
            [R(("Half time", 85))],
            [R(title)],
        };
        var result = OcrDeduplicator.DeduplicateSegments(segments);
        Assert.Equal(["World Cup Final 2026"], result[0]);
        Assert.Equal(["Goal in the 90th minute"], result[1]);
        Assert.Empty(result[2]);
        Assert.Equal(["Half time"], result[3]);
        Assert.Equal(["World Cup Final 2026"], result[4]);
    }

    [Fact]
    public void Empty_input_and_empty_segments_are_fine()
    {
        Assert.Empty(OcrDeduplicator.DeduplicateSegments([]));
        var r = OcrDeduplicator.DeduplicateSegments([[], [OcrResult.Empty], [R(("  ", 90))]]);
        Assert.All(r, Assert.Empty);
    }

    [Fact]
    public void Similarity_folds_case_spacing_and_punctuation()
    {
        Assert.Equal(1.0, OcrDeduplicator.Similarity("Hello, World!", "hello world"));
        Assert.True(OcrDeduplicator.Similarity("欢迎收看本期科技新闻节目", "欢迎收看本期科技新闻节县") >= 0.8);
        Assert.True(OcrDeduplicator.Similarity("abc", "xyz") < 0.8);
    }

    [Fact]
    public void Lines_whose_lengths_differ_by_exactly_the_threshold_are_compared_by_their_text()
    {
        // 10 and 8 characters: the length bound is exactly 0.8. Two unrelated subtitle lines of these
        // lengths were once "similar", so the second line joined the first's track and was never indexed.
        Assert.True(OcrDeduplicator.Similarity("我纸望春飞份上新题木", "报丽树困去朋朗猫") < 0.2);
        Assert.True(OcrDeduplicator.Similarity("abcdefghij", "klmnopqr") < 0.2);
        // Same lengths, mostly the same text: still one line.
        Assert.True(OcrDeduplicator.Similar("我纸望春飞份上新题木", "我纸望春飞份上新题"));
    }
}
