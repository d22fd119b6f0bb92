namespace MultiModalIndexer.Inference.Ocr;

/// <summary>8-bit grey pixels, row-major, no padding.</summary>
public readonly record struct GreyImage(byte[] Pixels, int Width, int Height);

public sealed record OcrLine(string Text, float Confidence);

public sealed record OcrResult(string Text, IReadOnlyList<OcrLine> Lines)
{
    public static readonly OcrResult Empty = new("", []);
}

/// <summary>
/// Reads on-screen text. One engine per worker thread: implementations are not thread-safe;
/// pool them (one per worker) rather than share one across threads.
/// </summary>
public interface IOcrEngine : IDisposable
{
    string ModelVersion { get; }
    OcrResult Recognize(GreyImage image);
}
