// API SKELETON written by the integrator so later stages compile against it.
// The CLIP stage replaces these bodies (and may split this file); keep the signatures.
namespace MultiModalIndexer.Inference.Clip;

/// <summary>Configuration section "Clip" (env MMI__Clip__...).</summary>
public sealed class ClipOptions
{
    public const string Section = "Clip";
    public bool Enabled { get; set; } = true;
    /// <summary>Image encoder .onnx; relative paths are under the models folder.</summary>
    public string ImageModel { get; set; } = "clip/clip-image-vit-32.onnx";
    public string TextModel { get; set; } = "clip/clip-text-vit-32.onnx";
    public string Vocabulary { get; set; } = "clip/bpe_simple_vocab_16e6.txt.gz";
    public int IntraOpThreads { get; set; } = 2;
    public int BatchSize { get; set; } = 8;
}

public static class ClipEncoders
{
    /// <summary>Opens the image encoder; missing/corrupt model → typed error naming the file and the fix.</summary>
    public static IImageEncoder CreateImageEncoder(ClipOptions options) => throw new NotImplementedException(options.ImageModel);

    public static ITextEncoder CreateTextEncoder(ClipOptions options) => throw new NotImplementedException(options.TextModel);
}

public static class SegmentPooling
{
    /// <summary>CLIP4Clip mean pooling: mean of keyframe vectors, re-normalised to unit length.</summary>
    public static float[] MeanPool(IReadOnlyList<float[]> keyframeVectors) => throw new NotImplementedException(keyframeVectors.Count.ToString());
}
