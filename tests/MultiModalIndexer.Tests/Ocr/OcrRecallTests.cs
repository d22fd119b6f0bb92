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
        var recall = await MeasureAsync(CaptionFrameGenerator.StandardSet(TestPaths.SharedFile("media", "images")));
        // Issue 4's bar (0.95) is met: 0.968 measured (149/154; still missed: 3 of the 28 px white Chinese
        // caption's characters where the astronaut's strap crosses it, 最 read as 所 on testsrc2, 再 as 册).
        // The floor leaves two characters of slack, since the engine keeps its last winning language order
        // between frames and Tesseract flips single Han characters with small crop changes.
        Assert.True(recall >= 0.955, $"caption recall {recall:F3} fell below the 0.955 floor (0.968 reached; issue bar: 0.95)");
    }

    [Fact]
    public async Task Held_out_captions_recall_holds_its_measured_level()
    {
        var recall = await MeasureAsync(CaptionFrameGenerator.ExtendedSet(TestPaths.SharedFile("media", "images")));
        // Frames not tuned on when they were added (other photos, texts, 24-64 px, drop shadow): 0.944-0.951
        // measured (136-137/144, depending on the language order the engine starts with); most of the
        // gap to the standard set is 26 px white Chinese over the near-white "life" cells (6/11).
        Assert.True(recall >= 0.93, $"held-out caption recall {recall:F3} fell below the 0.93 floor (0.944 reached)");
    }

    private async Task<double> MeasureAsync(IReadOnlyList<CaptionFrameSpec> specs)
    {
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
        return recall;
    }
}
