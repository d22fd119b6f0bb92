using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Tests.Common;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>
/// Burned-in captions (English and Chinese, several sizes, positions and styles) over photos, moving
/// test patterns and flat colour: the frame pipeline must find them (words + Han characters recall).
/// </summary>
[Collection("ocr")]
public sealed class OcrRecallTests(OcrEngineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public async Task Captions_over_busy_backgrounds_are_found()
    {
        var specs = CaptionFrameGenerator.StandardSet(TestPaths.SharedFile("media", "images"));
        int found = 0, total = 0;
        foreach (var spec in specs)
        {
            var img = await CaptionFrameGenerator.RenderAsync(spec, fx.FrameDir);
            var result = fx.Engine.Recognize(img);
            var (f, t) = OcrMetrics.Recall(spec.Text, result.Text);
            found += f; total += t;
            output.WriteLine($"{spec.Name}: {f}/{t} '{result.Text.Replace('\n', '|')}'");
        }
        var recall = found / (double)total;
        output.WriteLine($"recall {recall:F3} over {specs.Count} frames");
        Assert.True(recall >= 0.95, $"caption recall {recall:F3} < 0.95");
    }
}
