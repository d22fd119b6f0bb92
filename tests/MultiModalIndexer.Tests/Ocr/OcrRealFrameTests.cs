using MultiModalIndexer.Inference.Ocr.Evaluation;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>
/// Frames of the real clips and photos in ../shared/media (<see cref="RealFrameSet"/>): title cards,
/// a copyright line, a computer screen's UI text must be read; nature shots and photos without
/// writing must yield no OCR text at all (junk tokens would match queries).
/// </summary>
[Collection("ocr")]
public sealed class OcrRealFrameTests(OcrEngineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public async Task Real_frame_text_recall_holds_its_measured_level()
    {
        int found = 0, total = 0;
        foreach (var spec in RealFrameSet.WithText)
        {
            var result = fx.Engine.Recognize(await RealFrameSet.RenderAsync(fx.MediaDir, spec, fx.FrameDir));
            var (f, t) = OcrMetrics.Recall(spec.Text, result.Text);
            found += f; total += t;
            output.WriteLine($"{spec.Name}: {f}/{t} '{result.Text.Replace('\n', '|')}'");
        }
        var recall = found / (double)total;
        output.WriteLine($"real-frame recall {recall:F3} ({found}/{total})");
        // 0.926 measured (63/68; 0.882 before unsure lines were read again and glued words split; Tesseract's frame
        // pipeline: 0.47 on the issue's frames). Big Buck Bunny's "Byck" reads "Buck" with a tighter framing, the
        // manifesto card's "byKar" reads "byKarl" and is split "by Karl". Still missed: the GoldenEye CRT font's
        // FORUM ("FOnUM"/"FONUM", cut by the bezel), PREFS ("PAEFS") and one OFFLINE ("DFFLINE"). One unit of slack.
        Assert.True(recall >= 0.9, $"real-frame recall {recall:F3} fell below the 0.9 bar (0.926 measured)");
    }

    [Fact]
    public async Task Text_free_frames_yield_no_text()
    {
        var junk = new List<string>();
        foreach (var spec in RealFrameSet.TextFree)
        {
            var result = fx.Engine.Recognize(await RealFrameSet.RenderAsync(fx.MediaDir, spec, fx.FrameDir));
            output.WriteLine($"{spec.Name}: '{result.Text.Replace('\n', '|')}'");
            if (result.Text.Length > 0) junk.Add($"{spec.Name}: '{result.Text.Replace('\n', '|')}'");
        }
        Assert.True(junk.Count == 0, $"{junk.Count} of {RealFrameSet.TextFree.Count} text-free frames produced text: {string.Join("; ", junk)}");
    }
}
