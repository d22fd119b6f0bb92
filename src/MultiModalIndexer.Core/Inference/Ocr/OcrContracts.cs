namespace MultiModalIndexer.Inference.Ocr;

/// <summary>8-bit grey pixels, row-major, no padding.</summary>
public readonly record struct GreyImage(byte[] Pixels, int Width, int Height);

/// <summary>Axis-aligned pixel box of a line in the image (right and bottom exclusive).</summary>
public readonly record struct OcrBox(int Left, int Top, int Right, int Bottom)
{
    public int Width => Right - Left;
    public int Height => Bottom - Top;
}

/// <summary>One read line; <paramref name="Confidence"/> is 0–100; <paramref name="Box"/> where the line is, when the engine knows.</summary>
public sealed record OcrLine(string Text, float Confidence, OcrBox? Box = null);

public sealed record OcrResult(string Text, IReadOnlyList<OcrLine> Lines)
{
    public static readonly OcrResult Empty = new("", []);

    /// <summary>What the engine found where (its own form), for a second look at the same picture.</summary>
    internal object? Regions { get; init; }
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

/// <summary>Input checks shared by the engines.</summary>
internal static class OcrInput
{
    /// <summary>Smallest side worth reading: below it no glyph fits.</summary>
    public const int MinSide = 8;

    /// <summary>
    /// False for images that cannot hold text (empty, tiny, near-uniform: fades and flat colour);
    /// throws for a buffer smaller than its stated size.
    /// </summary>
    public static bool Usable(GreyImage image)
    {
        var (px, w, h) = (image.Pixels, image.Width, image.Height);
        if (px is null || w <= 0 || h <= 0) return false;
        if ((long)w * h > px.Length) throw new ArgumentException($"Grey image says {w}×{h} but has {px.Length} bytes.", nameof(image));
        if (w < MinSide || h < MinSide) return false;
        int min = 255, max = 0;
        for (var i = 0; i < w * h; i++)
        {
            int v = px[i];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return max - min >= 24;
    }
}
