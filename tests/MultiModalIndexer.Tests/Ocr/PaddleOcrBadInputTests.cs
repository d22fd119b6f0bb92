using Microsoft.Extensions.Logging;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Inference.Ocr.PaddleOcr;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>Missing, corrupt or mismatched PP-OCR files, and huge frames: a fallback with one log line, or a clear error.</summary>
[Collection("ocr")]
public sealed class PaddleOcrBadInputTests(OcrEngineFixture fx)
{
    [Fact]
    public async Task Missing_model_files_fall_back_to_tesseract_with_one_log_line()
    {
        var dir = TestPaths.NewScratchDir("ppocr-missing");
        var log = new ListLogger();
        using var pool = new OcrEnginePool(new OcrOptions { ModelsDirectory = dir, MaxEngines = 1 }, log);
        Assert.Equal("tesseract", pool.EngineName);
        Assert.StartsWith("tesseract-5", pool.ModelVersion);
        var line = Assert.Single(log.Lines);
        Assert.Contains("falls back to plain Tesseract", line);
        Assert.Contains("ch_PP-OCRv4_det_infer.onnx", line);
        // The fallback really reads.
        var spec = new CaptionFrameSpec("Fallback engine reads this", CaptionBackground.Flat, CaptionStyle.Plain, 40, "40", X: "20",
            FlatColor: "white", FontColor: "black", Width: 800, Height: 140);
        Assert.Contains("Fallback", pool.Recognize(await CaptionFrameGenerator.RenderAsync(spec, fx.FrameDir)).Text);
    }

    [Fact]
    public void Corrupt_or_mismatched_files_are_clear_errors()
    {
        var dir = TestPaths.NewScratchDir("ppocr-bad");
        Directory.CreateDirectory(Path.Combine(dir, "ppocr"));
        var real = new OcrOptions();
        File.WriteAllText(Path.Combine(dir, "ppocr", "ch_PP-OCRv4_det_infer.onnx"), "not an onnx model");
        File.Copy(real.ResolvePath(real.RecModel), Path.Combine(dir, "ppocr", "ch_PP-OCRv4_rec_infer.onnx"));
        File.Copy(real.ResolvePath(real.RecKeys), Path.Combine(dir, "ppocr", "ppocr_keys_v1.txt"));
        var corrupt = Assert.Throws<ModelCorruptException>(() => PaddleOcrModels.Open(new OcrOptions { ModelsDirectory = dir }));
        Assert.Contains("ch_PP-OCRv4_det_infer.onnx", corrupt.Message);

        // A keys file that does not belong to the recogniser: the class count check names both numbers.
        File.Copy(real.ResolvePath(real.DetModel), Path.Combine(dir, "ppocr", "ch_PP-OCRv4_det_infer.onnx"), overwrite: true);
        File.WriteAllLines(Path.Combine(dir, "ppocr", "ppocr_keys_v1.txt"), ["a", "b", "c"]);
        var mismatch = Assert.Throws<ModelIncompatibleException>(() => PaddleOcrModels.Open(new OcrOptions { ModelsDirectory = dir }));
        Assert.Contains("6625", mismatch.Message);
        Assert.Contains("3 characters", mismatch.Message);
    }

    [Fact]
    public void Invalid_settings_name_the_key()
    {
        var problems = new OcrOptions { Engine = "paddle", DetUnclipRatio = 0, RecMinScore = 1.5, DetMaxSide = 10, IntraOpThreads = 0, RecRetryInset = 0.4 }.Validate().ToList();
        Assert.Contains(problems, p => p.Contains("Ocr:Engine"));
        Assert.Contains(problems, p => p.Contains("Ocr:DetUnclipRatio"));
        Assert.Contains(problems, p => p.Contains("Ocr:RecMinScore"));
        Assert.Contains(problems, p => p.Contains("Ocr:DetMaxSide"));
        Assert.Contains(problems, p => p.Contains("Ocr:IntraOpThreads"));
        Assert.Contains(problems, p => p.Contains("Ocr:RecRetryInset"));
        Assert.Contains(new OcrOptions { RecRetryInset = double.NaN }.Validate(), p => p.Contains("Ocr:RecRetryInset"));
        Assert.Throws<OcrException>(() => new OcrEnginePool(new OcrOptions { Engine = "paddle" }));
    }

    [Fact]
    public async Task Huge_frame_is_read_at_the_detector_limit()
    {
        // 4096×4096 (the CLI's decode cap): the detector sees at most DetMaxSide, the recogniser the full-size crops.
        var spec = new CaptionFrameSpec("HUGE FRAME CAPTION", CaptionBackground.Flat, CaptionStyle.Plain, 160, "2000", X: "400",
            Width: 4096, Height: 4096);
        var result = fx.Engine.Recognize(await CaptionFrameGenerator.RenderAsync(spec, fx.FrameDir));
        Assert.Equal("HUGE FRAME CAPTION", result.Text);
    }

    [Fact]
    public void Empty_tiny_and_short_buffers()
    {
        Assert.Same(OcrResult.Empty, fx.Engine.Recognize(new GreyImage([], 0, 0)));
        Assert.Same(OcrResult.Empty, fx.Engine.Recognize(new GreyImage([7], 1, 1)));
        Assert.Same(OcrResult.Empty, fx.Engine.Recognize(new GreyImage(new byte[1280 * 720], 1280, 720)));
        Assert.Throws<ArgumentException>(() => fx.Engine.Recognize(new GreyImage(new byte[10], 1280, 720)));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
