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
    public async Task Captions_over_busy_backgrounds_recall_holds_its_measured_level()
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
        // Issue 4's bar is 0.95 and is NOT reached yet: 0.877 measured (white 28 px Chinese over the
        // light astronaut photo reads 0/12; see the note). Until it is, this asserts the level
        // reached (less one or two characters of slack, since the engine keeps its last winning language
        // order between frames) so a change cannot quietly lose captions; raise it with every improvement.
        Assert.True(recall >= 0.86, $"caption recall {recall:F3} fell below the 0.86 floor (0.877 reached so far; issue bar: 0.95)");
    }
}
