using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Models;

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

    /// <summary>Override of the image model's input name; null = chosen from the model (pixel_values, input, ...).</summary>
    public string? ImageInputName { get; set; }
    /// <summary>Override of the image model's output name; null = image_embeds, output, or the only 2-D output.</summary>
    public string? ImageOutputName { get; set; }
    /// <summary>Override of the text model's token input name; null = input_ids, input, or the only integer input.</summary>
    public string? TextInputName { get; set; }
    /// <summary>Override of the text model's output name; null = text_embeds, output, or per-token states at EOT.</summary>
    public string? TextOutputName { get; set; }
    /// <summary>Folder relative model paths are resolved against; null = the product's models/ folder.</summary>
    public string? ModelsDirectory { get; set; }

    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(ModelsDirectory ?? ProjectPaths.ModelsDir, path));

    public IEnumerable<string> Validate()
    {
        if (!Enabled) yield break;
        if (string.IsNullOrWhiteSpace(ImageModel)) yield return "Clip:ImageModel is empty; set it to the image encoder .onnx (e.g. clip/clip-image-vit-32.onnx).";
        if (string.IsNullOrWhiteSpace(TextModel)) yield return "Clip:TextModel is empty; set it to the text encoder .onnx (e.g. clip/clip-text-vit-32.onnx).";
        if (string.IsNullOrWhiteSpace(Vocabulary)) yield return "Clip:Vocabulary is empty; set it to clip/bpe_simple_vocab_16e6.txt.gz.";
        if (IntraOpThreads is < 0 or > 256) yield return $"Clip:IntraOpThreads is {IntraOpThreads}; use 0 (one per core) to 256.";
        if (BatchSize is < 1 or > 256) yield return $"Clip:BatchSize is {BatchSize}; use 1 to 256 (8 suits a 2-core machine).";
    }
}

public static class ClipEncoders
{
    /// <summary>Opens the image encoder; missing/corrupt model → typed error naming the file and the fix.</summary>
    public static IImageEncoder CreateImageEncoder(ClipOptions options) => ClipImageEncoder.Open(options);

    /// <summary>Opens the text encoder and the BPE vocabulary; missing/corrupt files → typed errors (<see cref="ModelException"/>).</summary>
    public static ITextEncoder CreateTextEncoder(ClipOptions options) => ClipTextEncoder.Open(options);
}

public static class SegmentPooling
{
    /// <summary>CLIP4Clip mean pooling: mean of keyframe vectors, re-normalised to unit length.</summary>
    public static float[] MeanPool(IReadOnlyList<float[]> keyframeVectors)
    {
        ArgumentNullException.ThrowIfNull(keyframeVectors);
        if (keyframeVectors.Count == 0) throw new ArgumentException("A segment needs at least one keyframe vector to pool.", nameof(keyframeVectors));
        var dim = keyframeVectors[0].Length;
        var sum = new float[dim];
        foreach (var v in keyframeVectors)
        {
            if (v.Length != dim) throw new ArgumentException($"Keyframe vectors differ in length ({v.Length} vs {dim}).", nameof(keyframeVectors));
            System.Numerics.Tensors.TensorPrimitives.Add(sum, v, sum);
        }
        // The 1/n factor cancels in the normalisation; a zero mean (vectors cancelling out) stays zero.
        VectorMath.NormalizeInPlace(sum);
        return sum;
    }
}

internal static class VectorMath
{
    public static void NormalizeInPlace(Span<float> v)
    {
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm((ReadOnlySpan<float>)v);
        if (norm > 0 && float.IsFinite(norm)) System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
    }

    public static float[] Normalized(ReadOnlySpan<float> v)
    {
        var r = v.ToArray();
        NormalizeInPlace(r);
        return r;
    }
}
