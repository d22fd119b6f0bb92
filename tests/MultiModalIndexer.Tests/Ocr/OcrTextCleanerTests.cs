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
}
