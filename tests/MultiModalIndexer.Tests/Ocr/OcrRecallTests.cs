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
        // Frames not tuned on when they were added (other photos, texts, 24-64 px, drop shadow): 0.965
        // measured (139/144) since the "life" pattern is seeded (before, each render drew its own cells and
        // 0.944-0.951 was measured); most of the gap is 26 px white Chinese over the near-white cells (8/11).
        Assert.True(recall >= 0.93, $"held-out caption recall {recall:F3} fell below the 0.93 floor (0.965 reached)");
    }

    [Fact]
    public async Task Compressed_captions_recall_holds_its_measured_level()
    {
        var recall = await MeasureAsync(CaptionFrameGenerator.StandardSet(TestPaths.SharedFile("media", "images")), crf: 23);
        // The standard frames as a user's H.264 video delivers them (libx264 CRF 23 I-frame, decoded to
        // grey like KeyframeExtractor): 0.714 measured (110/154; 0.708 before the compression-tolerant
        // masks; CRF 18 0.890 and CRF 28 0.753, from 0.747 and 0.636). The 0.90 target is NOT met: white
        // outlined Chinese over testsrc2's light grey (0/12: its spread level overlaps the 226 area around
        // it), the 28 px caption across the astronaut's strap (0/12: the clipped suit hides the compression
        // from the spread test) and 40 px Chinese over the "life" cells (0/13) remain. Two units of slack.
        Assert.True(recall >= 0.70, $"compressed caption recall {recall:F3} fell below the 0.70 floor (0.714 reached; target 0.90)");
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
        output.WriteLine($"recall {recall:F3} over {specs.Count} frames");
        return recall;
    }
}
