namespace MultiModalIndexer.Inference.Ocr.Tesseract;

/// <summary>
/// Plain Tesseract on the whole image with its own layout analysis (PSM 3): what it is tuned for,
/// pages, scans and slides (phototest CER 0 %). Lines are cleaned (<see cref="OcrTextCleaner"/>) and
/// kept at <see cref="OcrOptions.MinConfidence"/> or above. Video captions over busy backgrounds are
/// PP-OCR's job (Ocr:Engine=ppocr); this engine is the option for page-like media and the fallback
/// when the PP-OCR files are missing. One engine per thread.
/// </summary>
public sealed class TesseractOcrEngine : IOcrEngine
{
    internal const string PipelineVersion = "page-v1";
    private readonly OcrOptions _options;
    private readonly TesseractEngine _tess;

    public TesseractOcrEngine(OcrOptions options)
    {
        _options = options;
        _tess = new TesseractEngine(options.Languages, options.TessdataDir);
    }

    public string ModelVersion => VersionString(_options);

    internal static string VersionString(OcrOptions o) => $"tesseract-{TesseractEngine.Version}:{o.Languages}:{PipelineVersion}";

    public OcrResult Recognize(GreyImage image)
    {
        if (!OcrInput.Usable(image)) return OcrResult.Empty;
        var found = _tess.RecognizeLines(image.Pixels, image.Width, image.Height, image.Width, TesseractNative.PsmAuto);
        var lines = new List<OcrLine>();
        foreach (var l in found)
        {
            var text = OcrTextCleaner.CleanLine(l.Text);
            if (text.Length == 0 || l.Confidence < _options.MinConfidence) continue;
            lines.Add(new OcrLine(text, l.Confidence, new OcrBox(l.Left, l.Top, l.Right, l.Bottom)));
        }
        return lines.Count == 0 ? OcrResult.Empty : new OcrResult(string.Join('\n', lines.Select(l => l.Text)), lines);
    }

    /// <summary>Tesseract's raw text for the whole image (no cleaning or threshold): the bench's baseline.</summary>
    internal string PlainText(GreyImage image) =>
        _tess.RecognizeText(image.Pixels, image.Width, image.Height, TesseractNative.PsmAuto);

    public void Dispose() => _tess.Dispose();
}
