using MultiModalIndexer.Inference.Ocr;

namespace MultiModalIndexer.Tests.Ocr;

public sealed class OcrTextCleanerTests
{
    [Theory]
    [InlineData("谢 谢 观 看 我 们", "谢谢观看我们")]
    [InlineData("  The   quick\tbrown  ", "The quick brown")]
    [InlineData("欢迎 收看 CCTV 新闻", "欢迎收看 CCTV 新闻")]
    [InlineData("| Thank you |", "Thank you")]
    [InlineData("好", "好")]
    [InlineData("ab", "")]
    [InlineData("-- ~ .", "")]
    [InlineData("=| ,; :-' a", "")]
    [InlineData("", "")]
    public void Cleans_lines(string raw, string expected) => Assert.Equal(expected, OcrTextCleaner.CleanLine(raw));

    [Theory]
    // Glued by the recogniser: a lower-case run of two or more letters, then a capitalised word.
    [InlineData("byKarl Marx&FriedrichEngels", "by Karl Marx&Friedrich Engels")]
    [InlineData("BigBuck BUNNY", "Big Buck BUNNY")]
    [InlineData("Manifesto ofThe", "Manifesto of The")]
    // Left alone: one lower-case letter before the capital, mixed-case misreads of capitals, acronyms, plain words.
    [InlineData("iPhone eBay McDonald", "iPhone eBay McDonald")]
    [InlineData("ORdER FOr bOOTs CoOL", "ORdER FOr bOOTs CoOL")]
    [InlineData("macOS and NASA", "macOS and NASA")]
    [InlineData("Send Spike", "Send Spike")]
    [InlineData("欢迎收看CCTV新闻", "欢迎收看CCTV新闻")]
    [InlineData("", "")]
    public void Splits_glued_words_where_a_capitalised_word_starts(string read, string split) =>
        Assert.Equal(split, OcrTextCleaner.SplitGluedWords(read));
}
