using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Tests.Common;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>
/// Burned-in captions (English and Chinese, several sizes, positions and styles) over photos, moving
/// test patterns and flat colour, read by the default engine (PP-OCRv4): words + Han characters recall,
/// lossless and as H.264 delivers them.
/// </summary>
[Collection("ocr")]
public sealed class OcrRecallTests(OcrEngineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public async Task Captions_over_busy_backgrounds_recall_meets_the_bar()
    {
        var recall = await MeasureAsync(CaptionFrameGenerator.StandardSet(TestPaths.SharedFile("media", "images")));
        Assert.True(recall >= 0.95, $"caption recall {recall:F3} is below the 0.95 bar");
    }

    [Fact]
    public async Task Held_out_captions_recall_meets_the_bar()
    {
        var recall = await MeasureAsync(CaptionFrameGenerator.ExtendedSet(TestPaths.SharedFile("media", "images")));
        Assert.True(recall >= 0.95, $"held-out caption recall {recall:F3} is below the 0.95 bar");
    }

    [Theory]
    [InlineData(23)]
    [InlineData(28)]
    [InlineData(32)]
    public async Task Compressed_captions_recall_meets_the_bar(int crf)
    {
        // The standard frames as a user's H.264 video delivers them (libx264 I-frame, decoded to grey like KeyframeExtractor).
        var recall = await MeasureAsync(CaptionFrameGenerator.StandardSet(TestPaths.SharedFile("media", "images")), crf);
        Assert.True(recall >= 0.95, $"CRF {crf} caption recall {recall:F3} is below the 0.95 bar");
    }

    private async Task<double> MeasureAsync(IReadOnlyList<CaptionFrameSpec> specs, int? crf = null)
    {
        int found = 0, total = 0;
        foreach (var spec in specs)
        {
            var img = crf is { } q
                ? await CaptionFrameGenerator.RenderCompressedAsync(spec, fx.FrameDir, q)
                : await CaptionFrameGenerator.RenderAsync(spec, fx.FrameDir);
            var result = fx.Engine.Recognize(img);
            var (f, t) = OcrMetrics.Recall(spec.Text, result.Text);
            found += f; total += t;
            output.WriteLine($"{spec.Name}: {f}/{t} '{result.Text.Replace('\n', '|')}'");
        }
        var recall = found / (double)total;
        output.WriteLine($"recall {recall:F3} ({found}/{total}) over {specs.Count} frames{(crf is { } c ? $", CRF {c}" : "")}");
        return recall;
    }
}
