using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Inference.Ocr.Imaging;
using MultiModalIndexer.Tests.Common;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>Character error rate: plain Tesseract on a real scanned page, PP-OCR on generated captions of both polarities.</summary>
[Collection("ocr")]
public sealed class OcrCerTests(OcrEngineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public async Task Phototest_page_has_cer_at_most_3_percent()
    {
        var img = await StillImageDecoder.ReadGreyAsync(TestPaths.SharedFile("media", "ocr", "phototest.tif"));
        var result = fx.Tesseract.Recognize(img);
        var truth = await File.ReadAllTextAsync(TestPaths.SharedFile("media", "ocr", "phototest.txt"));
        var cer = OcrMetrics.Cer(truth, result.Text);
        output.WriteLine($"phototest CER (Tesseract engine) {cer:P2}\n{result.Text}");
        Assert.True(cer <= 0.03, $"CER {cer:P2} > 3 %: {result.Text}");
    }

    public static TheoryData<string, bool, bool> Captions => new()
    {
        // text, chinese, light-on-dark
        { "Breaking news: heavy rain expected tonight", false, true },
        { "Breaking news: heavy rain expected tonight", false, false },
        { "The museum opens at nine every morning", false, true },
        { "The museum opens at nine every morning", false, false },
        { "今天天气很好我们去公园散步", true, true },
        { "今天天气很好我们去公园散步", true, false },
        { "人工智能正在改变我们的生活方式", true, true },
        { "人工智能正在改变我们的生活方式", true, false },
    };

    [Theory]
    [MemberData(nameof(Captions))]
    public async Task Generated_caption_cer_within_bar(string text, bool chinese, bool lightOnDark)
    {
        var spec = new CaptionFrameSpec(text, CaptionBackground.Flat, CaptionStyle.Plain, 40, "h-th-60",
            FontColor: lightOnDark ? "white" : "black", FlatColor: lightOnDark ? "black" : "white", Chinese: chinese);
        var img = await CaptionFrameGenerator.RenderAsync(spec, fx.FrameDir);
        var result = fx.Engine.Recognize(img);
        var cer = OcrMetrics.Cer(text, result.Text);
        output.WriteLine($"{(lightOnDark ? "light-on-dark" : "dark-on-light")} CER {cer:P2}: '{result.Text}'");
        Assert.True(cer <= (chinese ? 0.10 : 0.05), $"CER {cer:P2} for '{text}' read as '{result.Text}'");
    }
}
