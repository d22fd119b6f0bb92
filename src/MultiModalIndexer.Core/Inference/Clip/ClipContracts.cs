namespace MultiModalIndexer.Inference.Clip;

/// <summary>Keyframes → L2-normalised vectors in CLIP space.</summary>
public interface IImageEncoder : IDisposable
{
    int Dimension { get; }
    /// <summary>Identifies the weights (e.g. file name + sha256 prefix) so a model change can trigger re-indexing.</summary>
    string ModelVersion { get; }
    /// <summary>Each item is 224×224×3 RGB bytes (<see cref="Media.KeyframeImage.ClipRgb"/>); one unit vector per item.</summary>
    float[][] Encode(IReadOnlyList<ReadOnlyMemory<byte>> rgb224);
}

/// <summary>Query text → L2-normalised vector in the same space.</summary>
public interface ITextEncoder : IDisposable
{
    int Dimension { get; }
    string ModelVersion { get; }
    float[] Encode(string text);
}
