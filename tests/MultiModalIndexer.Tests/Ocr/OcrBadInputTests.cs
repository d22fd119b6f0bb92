using System.Diagnostics;
using MultiModalIndexer.Cli.Commands;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Media;
using MultiModalIndexer.Tests.Common;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>Blank, tiny, malformed and non-image input: empty results or typed errors, no native leaks.</summary>
[Collection("ocr")]
public sealed class OcrBadInputTests(OcrEngineFixture fx, ITestOutputHelper output)
{
    [Fact]
    public void Blank_frame_gives_empty_result()
    {
        foreach (var level in new byte[] { 0, 128, 255 })
        {
            var px = new byte[1280 * 720];
            Array.Fill(px, level);
            Assert.Same(OcrResult.Empty, fx.Engine.Recognize(new GreyImage(px, 1280, 720)));
        }
    }

    [Fact]
    public void One_pixel_and_empty_images_give_empty_result()
    {
        Assert.Same(OcrResult.Empty, fx.Engine.Recognize(new GreyImage([0], 1, 1)));
        Assert.Same(OcrResult.Empty, fx.Engine.Recognize(new GreyImage([], 0, 0)));
        Assert.Same(OcrResult.Empty, fx.Engine.Recognize(new GreyImage([1, 2, 3, 4, 5, 6], 3, 2)));
    }

    [Fact]
    public void Buffer_smaller_than_size_is_a_typed_error()
    {
        Assert.Throws<ArgumentException>(() => fx.Engine.Recognize(new GreyImage(new byte[100], 1280, 720)));
    }

    [Fact]
    public async Task Non_image_file_is_a_typed_error()
    {
        var dir = TestPaths.NewScratchDir("ocr-bad");
        var text = Path.Combine(dir, "notes.png");
        await File.WriteAllTextAsync(text, "this is not an image, only text pretending to be one\n");
        var e = await Assert.ThrowsAsync<MediaException>(() => OcrCommand.RunAsync(text, new OcrOptions()));
        Assert.Equal(MediaErrorKind.NotMedia, e.Kind);

        var missing = await Assert.ThrowsAsync<MediaException>(() => OcrCommand.RunAsync(Path.Combine(dir, "nope.jpg"), new OcrOptions()));
        Assert.Equal(MediaErrorKind.NotFound, missing.Kind);

        var empty = Path.Combine(dir, "empty.jpg");
        await File.WriteAllBytesAsync(empty, []);
        Assert.Equal(MediaErrorKind.Empty, (await Assert.ThrowsAsync<MediaException>(() => OcrCommand.RunAsync(empty, new OcrOptions()))).Kind);
    }

    [Fact]
    public async Task One_pixel_image_file_gives_empty_result()
    {
        var dir = TestPaths.NewScratchDir("ocr-1px");
        var png = Path.Combine(dir, "one.png");
        await CaptionFrameGenerator.RunFfmpegAsync(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=white:s=16x16", "-vf", "scale=1:1", "-frames:v", "1", "-y", png], default);
        var result = await OcrCommand.RunAsync(png, new OcrOptions());
        Assert.Empty(result.Lines);
        Assert.Equal("", result.Text);
    }

    [Fact]
    public void Bad_languages_are_a_typed_error_with_a_fix()
    {
        var e = Assert.Throws<OcrException>(() => new Inference.Ocr.Tesseract.TesseractOcrEngine(new OcrOptions { Languages = "xx_nonexistent" }));
        Assert.Contains("xx_nonexistent", e.Message);
        Assert.NotEmpty(new OcrOptions { Languages = "eng+", MaxEngines = 0 }.Validate());
        Assert.Throws<OcrException>(() => new OcrEnginePool(new OcrOptions { MaxEngines = 0 }));
    }

    [Fact]
    public async Task Thousand_calls_on_small_frames_hold_memory_flat()
    {
        // A small frame with real text so every call goes through detection and recognition (two ORT runs).
        var spec = new CaptionFrameSpec("OK 42", CaptionBackground.Flat, CaptionStyle.Plain, 24, "10", X: "8", FlatColor: "black", Width: 120, Height: 48);
        var img = await CaptionFrameGenerator.RenderAsync(spec, fx.FrameDir);
        var first = fx.Engine.Recognize(img);
        output.WriteLine($"small frame reads '{first.Text}'");
        Assert.Contains("42", first.Text); // both models really run on every call
        for (var i = 0; i < 100; i++) fx.Engine.Recognize(img); // warm-up: allocator pools settle
        // Two halves of 500 calls: a leak grows both alike, while a one-off step (the GC committing a
        // new region, malloc opening an arena) lands in one half only and must not fail the test.
        var rss = new long[3];
        rss[0] = SettledRss();
        for (var half = 1; half <= 2; half++)
        {
            for (var i = 0; i < 500; i++) fx.Engine.Recognize(img);
            rss[half] = SettledRss();
        }
        double g1 = (rss[1] - rss[0]) / (1024.0 * 1024.0), g2 = (rss[2] - rss[1]) / (1024.0 * 1024.0);
        output.WriteLine($"RSS growth over 1,000 calls: {g1:F1} MB + {g2:F1} MB");
        // A leaked OrtValue or tensor per call would be far beyond this (≥ 500 native objects a half).
        Assert.True(Math.Min(g1, g2) < 10, $"RSS grew {g1:F1} MB and then {g2:F1} MB over two runs of 500 OCR calls");
        Assert.True(g1 + g2 < 60, $"RSS grew {g1 + g2:F1} MB over 1,000 OCR calls");

        static long SettledRss()
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            using var self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }
    }
}
