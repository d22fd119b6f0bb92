using System.Text;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Inference.Ocr.PaddleOcr;

/// <summary>
/// PP-OCR's CRNN/SVTR recogniser: each box cut out of the frame by an affine map of its corners
/// straight into a 48-pixel-high strip (wide enough for its aspect ratio), strips of similar width
/// batched (zero-padded to the widest), run to per-step character probabilities [N,T,C], and
/// CTC-greedy decoded: best class per step, repeats collapsed, blanks (class 0) dropped; class k is
/// key k-1, and the last class is the space the keys file does not list. Not thread-safe (buffers).
/// </summary>
internal sealed class TextRecognizer
{
    public const int Height = 48;

    private readonly OrtSession _session;
    private readonly string _input;
    private readonly string[] _outputs;
    private readonly string[] _classes;
    private readonly OcrOptions _o;

    public TextRecognizer(OrtSession session, string[] classes, OcrOptions options)
    {
        _session = session;
        _input = session.Inputs[0].Name;
        _outputs = [session.Outputs[0].Name];
        _classes = classes;
        _o = options;
    }

    public int ClassCount => _classes.Length;

    /// <summary>Text and mean character probability per box (same order as <paramref name="boxes"/>).</summary>
    public (string Text, float Score)[] Recognize(byte[] rgb, int w, int h, IReadOnlyList<TextBox> boxes, CancellationToken ct = default)
    {
        var result = new (string, float)[boxes.Count];
        // Each box's strip at its own width, then batched: the batch pads only to its widest strip.
        var pending = new List<Strip>(boxes.Count);
        for (var i = 0; i < boxes.Count; i++)
        {
            var crop = CropFrame.Of(boxes[i]);
            var cw = Math.Clamp((int)MathF.Ceiling(Height * crop.Ratio), 1, _o.RecMaxWidth);
            var pixels = new float[3 * Height * cw];
            Sample(rgb, w, h, crop, pixels, cw, cw);
            pending.Add(new Strip(i, crop.Ratio, cw, pixels));
        }
        // Similar aspect ratios together, so a batch pads little (PaddleOCR sorts the same way).
        pending.Sort((a, b) => a.Ratio.CompareTo(b.Ratio));
        for (var start = 0; start < pending.Count; start += _o.RecBatchSize)
        {
            ct.ThrowIfCancellationRequested();
            var batch = pending.Skip(start).Take(_o.RecBatchSize).ToList();
            var stripW = Math.Min(_o.RecMaxWidth, Math.Max(_o.RecMinWidth, batch.Max(c => c.Width)));
            var plane = Height * stripW;
            var input = new float[batch.Count * 3 * plane];
            for (var n = 0; n < batch.Count; n++)
            {
                // The strip at the left of the padded plane; the rest stays 0 (padding).
                var s = batch[n];
                for (var ch = 0; ch < 3; ch++)
                    for (var y = 0; y < Height; y++)
                        s.Pixels.AsSpan((ch * Height + y) * s.Width, s.Width).CopyTo(input.AsSpan(n * 3 * plane + ch * plane + y * stripW, s.Width));
            }
            using var tensor = OrtTensor.Create(input, batch.Count, 3, Height, stripW);
            using var outputs = _session.Run([new(_input, tensor)], _outputs, ct);
            var o = outputs[0];
            if (o.Shape.Length != 3 || o.Shape[0] != batch.Count || o.Shape[2] != _classes.Length)
                throw new OcrException($"PP-OCR recogniser returned shape [{string.Join(",", o.Shape)}]; expected [{batch.Count},T,{_classes.Length}] for the keys file's {_classes.Length - 2} characters + blank + space.");
            var steps = (int)o.Shape[1];
            var data = o.GetData<float>();
            for (var n = 0; n < batch.Count; n++)
                result[batch[n].Index] = Decode(data.Slice(n * steps * _classes.Length, steps * _classes.Length), steps);
        }
        return result;
    }

    /// <summary>One box's strip: its place in the request, aspect ratio, width and model-ready pixels (3 planes).</summary>
    private sealed record Strip(int Index, float Ratio, int Width, float[] Pixels);

    /// <summary>CTC greedy decoding of one sequence of per-step class probabilities.</summary>
    internal (string Text, float Score) Decode(ReadOnlySpan<float> probs, int steps)
    {
        var c = _classes.Length;
        var sb = new StringBuilder();
        double sum = 0; var kept = 0; var prev = -1;
        for (var t = 0; t < steps; t++)
        {
            var row = probs.Slice(t * c, c);
            var best = 0; var bestP = row[0];
            for (var k = 1; k < c; k++) if (row[k] > bestP) { bestP = row[k]; best = k; }
            if (best != 0 && best != prev)
            {
                sb.Append(_classes[best]);
                sum += bestP; kept++;
            }
            prev = best;
        }
        return kept == 0 ? ("", 0) : (sb.ToString(), (float)(sum / kept));
    }

    /// <summary>
    /// The box's pixels, cut by the affine map of its corners, resampled to <paramref name="cw"/>×48 at
    /// the strip's left (bilinear, replicated border; box-averaged when the box is over twice the strip's
    /// height, so large titles do not alias), normalised to [-1,1] in three planes; the rest stays 0 (padding).
    /// </summary>
    private static void Sample(byte[] rgb, int w, int h, CropFrame crop, Span<float> dst, int stripW, int cw)
    {
        var plane = Height * stripW;
        var su = crop.Width / cw; var sv = crop.Height / Height;
        var k = Math.Clamp((int)MathF.Ceiling(MathF.Max(su, sv) / 2), 1, 4);
        var inv = 1f / (k * k);
        Span<float> acc = stackalloc float[3];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < cw; x++)
            {
                acc.Clear();
                for (var j = 0; j < k; j++)
                    for (var i = 0; i < k; i++)
                    {
                        var u = (x + (i + 0.5f) / k) * su;
                        var v = (y + (j + 0.5f) / k) * sv;
                        var px = crop.Origin.X + u * crop.AlongX + v * crop.DownX;
                        var py = crop.Origin.Y + u * crop.AlongY + v * crop.DownY;
                        Bilinear(rgb, w, h, px - 0.5f, py - 0.5f, acc);
                    }
                var o = y * stripW + x;
                for (var ch = 0; ch < 3; ch++) dst[ch * plane + o] = acc[ch] * inv / 127.5f - 1f;
            }
    }

    private static void Bilinear(byte[] rgb, int w, int h, float fx, float fy, Span<float> acc)
    {
        fx = Math.Clamp(fx, 0, w - 1); fy = Math.Clamp(fy, 0, h - 1);
        int x0 = (int)fx, y0 = (int)fy, x1 = Math.Min(w - 1, x0 + 1), y1 = Math.Min(h - 1, y0 + 1);
        float wx = fx - x0, wy = fy - y0;
        int a = (y0 * w + x0) * 3, b = (y0 * w + x1) * 3, c = (y1 * w + x0) * 3, d = (y1 * w + x1) * 3;
        for (var ch = 0; ch < 3; ch++)
        {
            var top = rgb[a + ch] + (rgb[b + ch] - rgb[a + ch]) * wx;
            var bottom = rgb[c + ch] + (rgb[d + ch] - rgb[c + ch]) * wx;
            acc[ch] += top + (bottom - top) * wy;
        }
    }

    /// <summary>
    /// A box as a crop frame: its top-left corner, unit vectors along and down the text, and its size.
    /// A box much taller than wide is vertical text, turned a quarter counter-clockwise (PaddleOCR's rot90).
    /// </summary>
    private readonly record struct CropFrame(PointF Origin, float AlongX, float AlongY, float DownX, float DownY, float Width, float Height)
    {
        public float Ratio => Width / Math.Max(1f, Height);

        public static CropFrame Of(TextBox box)
        {
            var c = box.Corners;
            var (w, h) = (Math.Max(1f, box.Width), Math.Max(1f, box.Height));
            if (h >= w * 1.5f) { c = [c[1], c[2], c[3], c[0]]; (w, h) = (h, w); }
            var along = Unit(c[0], c[1]); var down = Unit(c[0], c[3]);
            return new CropFrame(c[0], along.X, along.Y, down.X, down.Y, w, h);
        }

        private static PointF Unit(PointF a, PointF b)
        {
            var d = TextBox.Dist(a, b);
            return d < 1e-6f ? new PointF(0, 0) : new PointF((b.X - a.X) / d, (b.Y - a.Y) / d);
        }
    }
}
