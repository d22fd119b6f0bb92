using System.Buffers;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Inference.Onnx;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Inference.Clip;

/// <summary>
/// 224×224 RGB keyframes → CLIP-normalised NCHW float batches → ORT → L2-normalised vectors.
/// The input/output names come from the model (Hugging Face/Xenova `pixel_values`→`image_embeds`,
/// OpenAI-style `input`→`output`, custom metadata `clip.input`/`clip.output`), or from <see cref="ClipOptions"/>.
/// A fixed batch axis (e.g. 1) is fed chunk by chunk; a dynamic one takes up to BatchSize per run.
/// </summary>
public sealed class ClipImageEncoder : IImageEncoder
{
    public static readonly float[] Mean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly float[] Std = [0.26862954f, 0.26130258f, 0.27577711f];
    private const int Side = KeyframeImage.ClipSize;
    private const int Plane = Side * Side;
    private const int ImageFloats = 3 * Plane;

    // (byte/255 - mean[c]) / std[c] for every byte value: preprocessing is one table lookup per sample.
    private static readonly float[][] Lut = Enumerable.Range(0, 3)
        .Select(c => Enumerable.Range(0, 256).Select(b => (b / 255f - Mean[c]) / Std[c]).ToArray()).ToArray();

    private readonly OrtSession _session;
    private readonly string[] _outputNames;
    private readonly int _fixedBatch; // 0 = dynamic
    private readonly int _batch;

    private ClipImageEncoder(OrtSession session, string input, string output, int fixedBatch, int batch, int dimension, string version)
    {
        _session = session;
        InputName = input;
        OutputName = output;
        _outputNames = [output];
        _fixedBatch = fixedBatch;
        _batch = batch;
        Dimension = dimension;
        ModelVersion = version;
    }

    public int Dimension { get; }
    public string ModelVersion { get; }
    public string InputName { get; }
    public string OutputName { get; }
    /// <summary>Images per ORT run.</summary>
    public int RunBatch => _fixedBatch > 0 ? _fixedBatch : _batch;
    internal OrtSession Session => _session;

    public static ClipImageEncoder Open(ClipOptions options)
    {
        var path = options.ResolvePath(options.ImageModel);
        var session = ClipModelLoader.Open(path, "CLIP image encoder, config Clip:ImageModel", options.IntraOpThreads);
        try
        {
            var input = options.ImageInputName ?? ClipModelLoader.Metadata(session, "clip.input")
                ?? FirstExisting(session.Inputs, "pixel_values", "input", "image", "images")
                ?? (session.Inputs.Count == 1 ? session.Inputs[0].Name : null)
                ?? throw new ModelIncompatibleException(path, $"no image input found (inputs: {string.Join(", ", session.Inputs)}); set Clip:ImageInputName");
            var inInfo = session.Input(input);
            if (inInfo.ElementType != TensorElementType.Float || inInfo.Rank != 4
                || !DimFits(inInfo.Shape[1], 3) || !DimFits(inInfo.Shape[2], Side) || !DimFits(inInfo.Shape[3], Side))
                throw new ModelIncompatibleException(path, $"image input {inInfo} is not float [N,3,224,224]");

            var output = options.ImageOutputName ?? ClipModelLoader.Metadata(session, "clip.output")
                ?? FirstExisting(session.Outputs, "image_embeds", "output", "embeddings", "image_features")
                ?? session.Outputs.Where(o => o is { ElementType: TensorElementType.Float, Rank: 2 }).Select(o => o.Name).SingleOrDefaultSafe()
                ?? throw new ModelIncompatibleException(path, $"no pooled image output found (outputs: {string.Join(", ", session.Outputs)}); set Clip:ImageOutputName");
            var outInfo = session.Output(output);
            if (outInfo.ElementType != TensorElementType.Float || outInfo.Rank != 2)
                throw new ModelIncompatibleException(path, $"image output {outInfo} is not float [N,D]");

            var fixedBatch = inInfo.Shape[0] > 0 ? (int)inInfo.Shape[0] : 0;
            var dim = outInfo.Shape[1] > 0 ? (int)outInfo.Shape[1] : 512;
            return new ClipImageEncoder(session, input, output, fixedBatch, Math.Max(1, options.BatchSize), dim, ClipModelLoader.Version(path));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public float[][] Encode(IReadOnlyList<ReadOnlyMemory<byte>> rgb224)
    {
        ArgumentNullException.ThrowIfNull(rgb224);
        for (var i = 0; i < rgb224.Count; i++)
            if (rgb224[i].Length != ImageFloats)
                throw new ArgumentException($"Keyframe {i} has {rgb224[i].Length} bytes; CLIP needs 224×224×3 = {ImageFloats} RGB bytes.", nameof(rgb224));

        var result = new float[rgb224.Count][];
        var chunk = RunBatch;
        var buffer = ArrayPool<float>.Shared.Rent(chunk * ImageFloats);
        try
        {
            for (var start = 0; start < rgb224.Count; start += chunk)
            {
                var real = Math.Min(chunk, rgb224.Count - start);
                var n = _fixedBatch > 0 ? _fixedBatch : real; // a fixed batch axis is padded with zeros
                var data = buffer.AsMemory(0, n * ImageFloats);
                for (var b = 0; b < real; b++) Preprocess(rgb224[start + b].Span, data.Span.Slice(b * ImageFloats, ImageFloats));
                if (n > real) data.Span[(real * ImageFloats)..].Clear();

                using var tensor = OrtTensor.Create(data, [n, 3, Side, Side]);
                using var outputs = _session.Run([new(InputName, tensor)], _outputNames);
                var o = outputs[0];
                if (o.Shape.Length != 2 || o.Shape[0] != n)
                    throw new InvalidOperationException($"Image encoder returned shape [{string.Join(",", o.Shape)}] for a batch of {n}.");
                var d = (int)o.Shape[1];
                var span = o.GetData<float>();
                for (var b = 0; b < real; b++) result[start + b] = VectorMath.Normalized(span.Slice(b * d, d));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
        return result;
    }

    /// <summary>Interleaved RGB (HWC) bytes → normalised planar CHW floats.</summary>
    public static void Preprocess(ReadOnlySpan<byte> rgb, Span<float> chw)
    {
        var r = chw[..Plane];
        var g = chw.Slice(Plane, Plane);
        var bl = chw.Slice(2 * Plane, Plane);
        var lr = Lut[0];
        var lg = Lut[1];
        var lb = Lut[2];
        for (int p = 0, s = 0; p < Plane; p++, s += 3)
        {
            r[p] = lr[rgb[s]];
            g[p] = lg[rgb[s + 1]];
            bl[p] = lb[rgb[s + 2]];
        }
    }

    private static bool DimFits(long dim, int want) => dim < 0 || dim == want;

    internal static string? FirstExisting(IReadOnlyList<OrtNodeInfo> nodes, params string[] names) =>
        names.FirstOrDefault(n => nodes.Any(x => x.Name == n));

    public void Dispose() => _session.Dispose();
}

internal static class EnumerableExtensions
{
    /// <summary>The single element, or null when there are none or several.</summary>
    public static T? SingleOrDefaultSafe<T>(this IEnumerable<T> items) where T : class
    {
        T? found = null;
        foreach (var i in items)
        {
            if (found is not null) return null;
            found = i;
        }
        return found;
    }
}
