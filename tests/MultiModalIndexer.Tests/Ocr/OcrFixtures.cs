using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Inference.Ocr.PaddleOcr;
using MultiModalIndexer.Inference.Ocr.Tesseract;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>
/// One PP-OCR engine (the default, real ORT + the weights ./mmi setup installs) and one plain Tesseract
/// engine (loading chi_sim costs seconds) shared by the OCR tests, and the frame cache.
/// </summary>
public sealed class OcrEngineFixture : IDisposable
{
    public OcrEngineFixture()
    {
        var missing = PaddleOcrModels.MissingFiles(Options);
        if (missing.Count > 0) throw new InvalidOperationException($"PP-OCR model files missing ({string.Join(", ", missing)}): run ./mmi setup.");
        Models = PaddleOcrModels.Open(Options);
        Engine = new PaddleOcrEngine(Models, Options);
        Tesseract = new TesseractOcrEngine(Options);
    }

    public OcrOptions Options { get; } = new();
    internal PaddleOcrModels Models { get; }
    internal PaddleOcrEngine Engine { get; }
    internal TesseractOcrEngine Tesseract { get; }
    public string FrameDir { get; } = TestPaths.FixtureDir("ocr-frames");
    public string MediaDir { get; } = TestPaths.SharedFile("media");

    internal GreyImage Render(CaptionFrameSpec spec) => CaptionFrameGenerator.RenderAsync(spec, FrameDir).GetAwaiter().GetResult();

    public void Dispose()
    {
        Engine.Dispose();
        Models.Dispose();
        Tesseract.Dispose();
    }
}

// Not parallel with other collections: the leak test reads the process RSS, which other tests would move.
[CollectionDefinition("ocr", DisableParallelization = true)]
public sealed class OcrCollection : ICollectionFixture<OcrEngineFixture>;
