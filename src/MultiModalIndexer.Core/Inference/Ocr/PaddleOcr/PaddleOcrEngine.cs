namespace MultiModalIndexer.Inference.Ocr.PaddleOcr;

/// <summary>
/// PP-OCRv4 on one frame: detect text boxes, read each box, drop readings below
/// <see cref="OcrOptions.RecMinScore"/> and junk (<see cref="OcrTextCleaner"/>), lines in reading order
/// (top to bottom; boxes whose vertical centres lie within half a line height are one row, left to right).
/// Grey frames are replicated to three channels. Not thread-safe (pool it); the models are shared.
/// </summary>
public sealed class PaddleOcrEngine(PaddleOcrModels models, OcrOptions options) : IOcrEngine
{
    /// <summary>Bumped when pre/post-processing changes what is read (part of the OCR version).</summary>
    internal const string PipelineVersion = "ppocr-p2";
    /// <summary>Small frames are enlarged at most this much (a thumbnail has no more detail to give).</summary>
    private const float MaxUpscale = 4;
    private readonly TextDetector _detector = new(models.Detector, options);
    private readonly TextRecognizer _recognizer = new(models.Recognizer, models.Classes, options);

    public string ModelVersion => $"{models.Version}:{PipelineVersion}";

    public OcrResult Recognize(GreyImage image) => Recognize(image, CancellationToken.None);

    public OcrResult Recognize(GreyImage image, CancellationToken ct)
    {
        if (!OcrInput.Usable(image)) return OcrResult.Empty;
        var (px, w, h) = (image.Pixels, image.Width, image.Height);
        var rgb = new byte[w * h * 3];
        for (int i = 0, j = 0; i < w * h; i++, j += 3) rgb[j] = rgb[j + 1] = rgb[j + 2] = px[i];
        return RecognizeRgb(rgb, w, h, ct);
    }

    /// <summary>Interleaved RGB (HWC) input.</summary>
    public OcrResult RecognizeRgb(byte[] rgb, int w, int h, CancellationToken ct = default)
    {
        if (w <= 0 || h <= 0 || rgb.Length < (long)w * h * 3) throw new ArgumentException($"RGB image says {w}×{h} but has {rgb.Length} bytes.", nameof(rgb));
        var (ow, oh) = (w, h);
        var scale = options.MinLongSide / (float)Math.Max(w, h);
        if (scale > 1)
        {
            scale = Math.Min(scale, MaxUpscale);
            var (dw, dh) = (Math.Max(1, (int)MathF.Round(w * scale)), Math.Max(1, (int)MathF.Round(h * scale)));
            rgb = Upscaler.Resize(rgb, w, h, 3, dw, dh);
            (w, h) = (dw, dh);
        }
        else scale = 1;
        var boxes = _detector.Detect(rgb, w, h, ct);
        if (boxes.Count == 0) return OcrResult.Empty;
        boxes = ReadingOrder(boxes);
        var read = _recognizer.Recognize(rgb, w, h, boxes, ct);
        var lines = new List<OcrLine>();
        for (var i = 0; i < boxes.Count; i++)
        {
            if (read[i].Score < options.RecMinScore) continue;
            var text = OcrTextCleaner.CleanLine(read[i].Text);
            if (options.FixZeroOh) text = OcrTextCleaner.FixZeroOh(text);
            if (text.Length == 0) continue;
            lines.Add(new OcrLine(text, read[i].Score * 100, boxes[i].Bounds(scale, ow, oh)));
        }
        return lines.Count == 0 ? OcrResult.Empty : new OcrResult(string.Join('\n', lines.Select(l => l.Text)), lines);
    }

    private static List<TextBox> ReadingOrder(List<TextBox> boxes)
    {
        var byTop = boxes.OrderBy(b => (b.Top + b.Bottom) / 2).ToList();
        var rows = new List<List<TextBox>>();
        foreach (var b in byTop)
        {
            var row = rows.Count == 0 ? null : rows[^1];
            var cy = (b.Top + b.Bottom) / 2;
            if (row is not null && Math.Abs(cy - (row[0].Top + row[0].Bottom) / 2) <= Math.Min(b.Bottom - b.Top, row[0].Bottom - row[0].Top) / 2) row.Add(b);
            else rows.Add([b]);
        }
        return rows.SelectMany(r => r.OrderBy(b => b.Left)).ToList();
    }

    public void Dispose() { }
}
