namespace MultiModalIndexer.Inference.Ocr.PaddleOcr;

/// <summary>
/// PP-OCRv4 on one frame: detect text boxes, read each box, drop readings below
/// <see cref="OcrOptions.RecMinScore"/> and junk (<see cref="OcrTextCleaner"/>), lines in reading order
/// (top to bottom; boxes whose vertical centres lie within half a line height are one row, left to right).
/// Unsure boxes get second readings (as stacked lines, <see cref="OcrOptions.RecSplitMaxAspect"/>; with a
/// tighter vertical framing, <see cref="OcrOptions.RecRetryInset"/>); sure ones are read once.
/// Grey frames are replicated to three channels. Not thread-safe (pool it); the models are shared.
/// </summary>
public sealed class PaddleOcrEngine(PaddleOcrModels models, OcrOptions options) : IOcrEngine
{
    /// <summary>Bumped when pre/post-processing changes what is read (part of the OCR version).</summary>
    internal const string PipelineVersion = "ppocr-p4";
    /// <summary>Small frames are enlarged at most this much (a thumbnail has no more detail to give).</summary>
    private const float MaxUpscale = 4;
    private readonly TextDetector _detector = new(models.Detector, options);
    private readonly TextRecognizer _recognizer = new(models.Recognizer, models.Classes, options);

    public string ModelVersion => $"{models.Version}:{PipelineVersion}";

    public OcrResult Recognize(GreyImage image) => Recognize(image, CancellationToken.None);

    public OcrResult Recognize(GreyImage image, CancellationToken ct) => Read(image, null, ct);

    /// <summary>
    /// A second look at a picture that has not changed since <paramref name="previous"/> was read from a
    /// frame of the same size: the boxes found then are read again, without running the detector (more
    /// than half the cost of a read). Otherwise a full read.
    /// </summary>
    public OcrResult Reread(GreyImage image, OcrResult previous, CancellationToken ct = default) =>
        Read(image, previous.Regions is DetectedBoxes d && d.Width == image.Width && d.Height == image.Height ? d.Boxes : null, ct);

    private OcrResult Read(GreyImage image, IReadOnlyList<TextBox>? known, CancellationToken ct)
    {
        if (!OcrInput.Usable(image)) return OcrResult.Empty;
        var (px, w, h) = (image.Pixels, image.Width, image.Height);
        var rgb = new byte[w * h * 3];
        for (int i = 0, j = 0; i < w * h; i++, j += 3) rgb[j] = rgb[j + 1] = rgb[j + 2] = px[i];
        return ReadRgb(rgb, w, h, known, ct);
    }

    /// <summary>The boxes a read found (detector image, reading order) and the size of the frame they were found in.</summary>
    internal sealed record DetectedBoxes(int Width, int Height, IReadOnlyList<TextBox> Boxes);

    /// <summary>Interleaved RGB (HWC) input.</summary>
    public OcrResult RecognizeRgb(byte[] rgb, int w, int h, CancellationToken ct = default) => ReadRgb(rgb, w, h, null, ct);

    private OcrResult ReadRgb(byte[] rgb, int w, int h, IReadOnlyList<TextBox>? known, CancellationToken ct)
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
        var boxes = known?.ToList() ?? ReadingOrder(_detector.Detect(rgb, w, h, ct));
        if (boxes.Count == 0) return OcrResult.Empty;
        var read = _recognizer.Recognize(rgb, w, h, boxes, ct);
        var texts = read.Select(Clean).ToArray();
        var unsure = Enumerable.Range(0, boxes.Count).Where(i => (texts[i].Length == 0 || read[i].Score < SureScore) && MayBeStacked(boxes[i])).ToList();
        var stacked = unsure.Count == 0 ? [] : ReadStacked(rgb, w, h, boxes, unsure, ct);
        // Each line's box (or stacked strip), text, score and raw reading's length, in reading order.
        var found = new List<Line>();
        for (var i = 0; i < boxes.Count; i++)
        {
            // A box that reads better as stacked lines: its lines, top to bottom, where the box stood in reading order.
            if (stacked.TryGetValue(i, out var parts)
                && (texts[i].Length == 0 || parts.Average(x => x.Score) > read[i].Score))
                found.AddRange(parts);
            else if (texts[i].Length > 0) found.Add(new Line(boxes[i], texts[i], read[i].Score, read[i].Text.Length));
        }
        if (options.RecRetryInset > 0) ReadUnsureAgain(rgb, w, h, found, ct);
        var lines = found.Select(x => new OcrLine(x.Text, x.Score * 100, x.Box.Bounds(scale, ow, oh))).ToList();
        return lines.Count == 0 ? OcrResult.Empty
            : new OcrResult(string.Join('\n', lines.Select(l => l.Text)), lines) { Regions = new DetectedBoxes(ow, oh, boxes) };
    }

    /// <summary>
    /// Unsure lines (mean character probability below <see cref="SureScore"/>) read once more with the
    /// box's top and bottom edges moved in by <see cref="OcrOptions.RecRetryInset"/> of its height; the
    /// reading with the higher mean probability is kept. The detector's unclip margin is generous, and
    /// on small or stylised text the strip's vertical framing sways single glyphs ("Byck"/"Buck",
    /// "Kar"/"Karl"); a second framing is a cheap second opinion, spent only where the first was unsure.
    /// A re-read with fewer characters does not count: leaving out an unsure character (a narrow space,
    /// "Our-teamwon") raises the mean without reading better.
    /// </summary>
    private void ReadUnsureAgain(byte[] rgb, int w, int h, List<Line> found, CancellationToken ct)
    {
        var retry = Enumerable.Range(0, found.Count).Where(i => found[i].Score < SureScore).ToList();
        if (retry.Count == 0) return;
        var inset = (float)options.RecRetryInset;
        var read = _recognizer.Recognize(rgb, w, h, retry.Select(i => Strip(found[i].Box, inset, 1 - inset)).ToList(), ct);
        for (var k = 0; k < retry.Count; k++)
        {
            var i = retry[k];
            if (read[k].Score <= found[i].Score || read[k].Text.Length < found[i].RawLength) continue;
            var text = Clean(read[k]);
            if (text.Length > 0) found[i] = new Line(found[i].Box, text, read[k].Score, read[k].Text.Length);
        }
    }

    /// <summary>A line read: its box (or stacked strip), cleaned text, mean character probability and the raw reading's length.</summary>
    private readonly record struct Line(TextBox Box, string Text, float Score, int RawLength);

    /// <summary>The reading as line text, or "" when it is below <see cref="OcrOptions.RecMinScore"/> or only junk.</summary>
    private string Clean((string Text, float Score) read)
    {
        if (read.Score < options.RecMinScore) return "";
        var text = OcrTextCleaner.CleanLine(read.Text);
        if (options.FixZeroOh) text = OcrTextCleaner.FixZeroOh(text);
        return options.SplitGluedWords ? OcrTextCleaner.SplitGluedWords(text) : text;
    }

    private bool MayBeStacked(TextBox box) =>
        box.Width < options.RecSplitMaxAspect * box.Height && box.Height / 2 >= MinStackedLineHeight;

    /// <summary>A reading this sure (mean character probability) is not second-guessed as stacked lines.</summary>
    private const float SureScore = 0.95f;

    /// <summary>Strips are at least this tall (pixels of the detector's image): below it there is no second line to read.</summary>
    private const float MinStackedLineHeight = 16;

    /// <summary>
    /// Boxes tall for their width that read as nothing or unsurely, read again as 2..RecSplitMaxLines equal
    /// strips (a little overlap, so a cut through a line's edge still leaves it whole in one strip). A cut
    /// counts only when every strip reads; of those, the one with the best mean score wins, and it replaces
    /// the box's own reading when its mean score is higher (a cut through one big line reads worse).
    /// </summary>
    /// <returns>The best cut's strips per box index (boxes with no cut that reads are left out).</returns>
    private Dictionary<int, List<Line>> ReadStacked(byte[] rgb, int w, int h, List<TextBox> boxes, List<int> unsure,
        CancellationToken ct)
    {
        var strips = new List<(int Box, int Lines, TextBox Strip)>();
        foreach (var b in unsure)
            for (var k = 2; k <= options.RecSplitMaxLines && boxes[b].Height / k >= MinStackedLineHeight; k++)
                for (var j = 0; j < k; j++)
                    strips.Add((b, k, Strip(boxes[b], (j - 0.1f) / k, (j + 1.1f) / k)));
        var found = new Dictionary<int, List<Line>>();
        if (strips.Count == 0) return found;
        var read = _recognizer.Recognize(rgb, w, h, strips.Select(s => s.Strip).ToList(), ct);
        foreach (var byBox in Enumerable.Range(0, strips.Count).GroupBy(i => strips[i].Box))
        {
            var best = byBox.GroupBy(i => strips[i].Lines)
                .Select(cut => cut.Select(i => new Line(strips[i].Strip, Clean(read[i]), read[i].Score, read[i].Text.Length)).ToList())
                .Where(cut => cut.All(x => x.Text.Length > 0))
                .MaxBy(cut => cut.Average(x => x.Score));
            if (best is not null) found[byBox.Key] = best;
        }
        return found;
    }

    /// <summary>The part of <paramref name="box"/> between fractions <paramref name="from"/> and <paramref name="to"/> of its height (clamped to the box).</summary>
    private static TextBox Strip(TextBox box, float from, float to)
    {
        (from, to) = (Math.Max(0, from), Math.Min(1, to));
        var c = box.Corners;
        static PointF Lerp(PointF a, PointF b, float t) => new(a.X + (b.X - a.X) * t, a.Y + (b.Y - a.Y) * t);
        return new TextBox([Lerp(c[0], c[3], from), Lerp(c[1], c[2], from), Lerp(c[1], c[2], to), Lerp(c[0], c[3], to)], box.Score);
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
