// API SKELETON written by the integrator so later stages compile against it.
// The OCR stage replaces these bodies (and may split this file); keep the signatures.
namespace MultiModalIndexer.Inference.Ocr;

/// <summary>Configuration section "Ocr" (env MMI__Ocr__...).</summary>
public sealed class OcrOptions
{
    public const string Section = "Ocr";
    public bool Enabled { get; set; } = true;
    public string Languages { get; set; } = "eng+chi_sim";
    /// <summary>Empty = Tesseract's default tessdata folder.</summary>
    public string TessdataDir { get; set; } = "";
    public float MinConfidence { get; set; } = 50;
    /// <summary>Engines kept for concurrent callers (one per worker thread).</summary>
    public int MaxEngines { get; set; } = 2;
}

/// <summary>Thread-safe front of per-thread Tesseract engines; never shares one engine across threads.</summary>
public sealed class OcrEnginePool(OcrOptions options) : IDisposable
{
    public string ModelVersion => throw new NotImplementedException(options.Languages);
    public OcrResult Recognize(GreyImage image) => throw new NotImplementedException($"{image.Width}");
    public void Dispose() { }
}

public static class OcrDeduplicator
{
    /// <summary>
    /// Per segment (in order), the distinct OCR lines of its keyframes, near-duplicates merged, and
    /// lines already shown by the previous segment not repeated more than needed.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> DeduplicateSegments(IReadOnlyList<IReadOnlyList<OcrResult>> keyframeResultsPerSegment) =>
        throw new NotImplementedException($"{keyframeResultsPerSegment.Count}");
}
