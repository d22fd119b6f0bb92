using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Ocr;

public sealed class OcrEnginePoolTests
{
    [Fact]
    public async Task Concurrent_callers_get_the_same_answers_as_one_engine()
    {
        var spec = new CaptionFrameSpec("Concurrency test caption", CaptionBackground.Flat, CaptionStyle.Plain, 32, "20", X: "10",
            FlatColor: "black", Width: 480, Height: 80);
        var img = await CaptionFrameGenerator.RenderAsync(spec, TestPaths.FixtureDir("ocr-frames"));
        using var pool = new OcrEnginePool(new OcrOptions { MaxEngines = 2 });
        Assert.Equal("ppocr", pool.EngineName);
        var expected = pool.Recognize(img).Text;
        Assert.Contains("Concurrency", expected);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => pool.Recognize(img).Text)));
        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.StartsWith("ppocr-v4:", pool.ModelVersion);
    }

    [Fact]
    public void Disposed_pool_refuses_work()
    {
        var pool = new OcrEnginePool(new OcrOptions { Languages = "eng", MaxEngines = 1 });
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Recognize(new GreyImage(new byte[64], 8, 8)));
    }
}
