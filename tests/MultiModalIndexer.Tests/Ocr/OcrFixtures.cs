using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>One shared engine for the OCR tests (loading chi_sim costs seconds) and generated frames.</summary>
public sealed class OcrEngineFixture : IDisposable
{
    public OcrEngineFixture() => Engine = new FrameOcrEngine(new OcrOptions());
    internal FrameOcrEngine Engine { get; }
    public string FrameDir { get; } = TestPaths.FixtureDir("ocr-frames");

    internal GreyImage Render(CaptionFrameSpec spec) => CaptionFrameGenerator.RenderAsync(spec, FrameDir).GetAwaiter().GetResult();

    public void Dispose() => Engine.Dispose();
}

// Not parallel with other collections: the leak test reads the process RSS, which other tests would move.
[CollectionDefinition("ocr", DisableParallelization = true)]
public sealed class OcrCollection : ICollectionFixture<OcrEngineFixture>;
