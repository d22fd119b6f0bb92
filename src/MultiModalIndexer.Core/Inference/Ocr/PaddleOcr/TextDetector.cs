using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Inference.Ocr.PaddleOcr;

/// <summary>
/// PP-OCR's DB text detector: the frame resized (long side at most <see cref="OcrOptions.DetMaxSide"/>,
/// both sides multiples of 32), normalised with ImageNet mean/std, run to a per-pixel text probability
/// map; the map thresholded, its 8-connected components turned into minimum-area rectangles, kept when
/// their mean probability reaches the box threshold, grown by the unclip distance (area × ratio ÷
/// perimeter) and mapped back to frame coordinates. Not thread-safe (reuses its buffers); the session is.
/// </summary>
internal sealed class TextDetector
{
    // PaddleOCR's NormalizeImage: (x/255 - mean) / std per channel, channels in the order the image holds them.
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];
    private static readonly float[][] Lut = Enumerable.Range(0, 3)
        .Select(c => Enumerable.Range(0, 256).Select(b => (b / 255f - Mean[c]) / Std[c]).ToArray()).ToArray();

    private readonly OrtSession _session;
    private readonly string _input;
    private readonly string[] _outputs;
    private readonly OcrOptions _o;

    public TextDetector(OrtSession session, OcrOptions options)
    {
        _session = session;
        _input = session.Inputs[0].Name;
        _outputs = [session.Outputs[0].Name];
        _o = options;
    }

    /// <summary>Boxes in frame coordinates, in no particular order. <paramref name="rgb"/> is interleaved RGB (HWC).</summary>
    public List<TextBox> Detect(byte[] rgb, int w, int h, CancellationToken ct = default)
    {
        var scale = Math.Min(1.0, _o.DetMaxSide / (double)Math.Max(w, h));
        var rw = Math.Max(32, (int)Math.Round(w * scale / 32) * 32);
        var rh = Math.Max(32, (int)Math.Round(h * scale / 32) * 32);
        var input = new float[3 * rw * rh];
        ResizeNormalise(rgb, w, h, input, rw, rh);
        float[] prob;
        using (var tensor = OrtTensor.Create(input, 1, 3, rh, rw))
        using (var outputs = _session.Run([new(_input, tensor)], _outputs, ct))
        {
            var o = outputs[0];
            if (o.ElementCount != (long)rw * rh)
                throw new OcrException($"PP-OCR detector returned {o.ElementCount} values for a {rw}×{rh} input; expected a [1,1,{rh},{rw}] probability map.");
            prob = o.GetData<float>().ToArray();
        }
        return BoxesFromMap(prob, rw, rh, w / (float)rw, h / (float)rh, w, h);
    }

    /// <summary>Bilinear resize (OpenCV INTER_LINEAR's half-pixel mapping) straight into normalised CHW planes.</summary>
    private static void ResizeNormalise(byte[] rgb, int w, int h, float[] dst, int rw, int rh)
    {
        var plane = rw * rh;
        float sx = w / (float)rw, sy = h / (float)rh;
        var x0s = new int[rw]; var x1s = new int[rw]; var fxs = new float[rw];
        for (var x = 0; x < rw; x++)
        {
            var fx = Math.Clamp((x + 0.5f) * sx - 0.5f, 0, w - 1);
            x0s[x] = (int)fx; x1s[x] = Math.Min(w - 1, x0s[x] + 1); fxs[x] = fx - x0s[x];
        }
        for (var y = 0; y < rh; y++)
        {
            var fy = Math.Clamp((y + 0.5f) * sy - 0.5f, 0, h - 1);
            int y0 = (int)fy, y1 = Math.Min(h - 1, y0 + 1);
            var wy = fy - y0;
            int r0 = y0 * w * 3, r1 = y1 * w * 3;
            for (var x = 0; x < rw; x++)
            {
                int a = r0 + x0s[x] * 3, b = r0 + x1s[x] * 3, c = r1 + x0s[x] * 3, d = r1 + x1s[x] * 3;
                var wx = fxs[x];
                for (var ch = 0; ch < 3; ch++)
                {
                    var top = rgb[a + ch] + (rgb[b + ch] - rgb[a + ch]) * wx;
                    var bottom = rgb[c + ch] + (rgb[d + ch] - rgb[c + ch]) * wx;
                    var v = (int)(top + (bottom - top) * wy + 0.5f);
                    dst[ch * plane + y * rw + x] = Lut[ch][v];
                }
            }
        }
    }

    /// <summary>DB post-processing on the probability map (internal for tests).</summary>
    internal List<TextBox> BoxesFromMap(float[] prob, int mw, int mh, float toX, float toY, int w, int h)
    {
        var thresh = (float)_o.DetThreshold;
        var labels = new int[mw * mh];
        var boxes = new List<TextBox>();
        var stack = new Stack<int>();
        var rowMin = new Dictionary<int, int>(); var rowMax = new Dictionary<int, int>();
        var candidates = 0;
        for (var start = 0; start < prob.Length && candidates < _o.DetMaxCandidates; start++)
        {
            if (labels[start] != 0 || prob[start] <= thresh) continue;
            candidates++;
            // One 8-connected component; its hull needs only each row's left- and right-most pixel.
            rowMin.Clear(); rowMax.Clear();
            labels[start] = candidates;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                int x = i % mw, y = i / mw;
                if (!rowMin.TryGetValue(y, out var lo) || x < lo) rowMin[y] = x;
                if (!rowMax.TryGetValue(y, out var hi) || x > hi) rowMax[y] = x;
                for (var dy = -1; dy <= 1; dy++)
                {
                    var ny = y + dy;
                    if (ny < 0 || ny >= mh) continue;
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var nx = x + dx;
                        if (nx < 0 || nx >= mw) continue;
                        var j = ny * mw + nx;
                        if (labels[j] != 0 || prob[j] <= thresh) continue;
                        labels[j] = candidates;
                        stack.Push(j);
                    }
                }
            }
            var points = new List<PointF>(rowMin.Count * 2);
            foreach (var (y, lo) in rowMin) { points.Add(new(lo, y)); points.Add(new(rowMax[y], y)); }
            var rect = BoxGeometry.MinAreaRect(BoxGeometry.ConvexHull(points));
            if (rect.ShortSide < _o.DetMinBoxSide) continue;
            var score = MeanInside(prob, mw, mh, rect);
            if (score < _o.DetBoxThreshold) continue;
            // Unclip: grow by area × ratio / perimeter (what pyclipper's offset of a rectangle gives once
            // re-boxed); the detector's kernels are shrunk text, this restores the glyphs' full extent.
            var perimeter = 2 * (rect.SideA + rect.SideB);
            var grown = rect.Grow(rect.SideA * rect.SideB * (float)_o.DetUnclipRatio / perimeter);
            if (grown.ShortSide < _o.DetMinBoxSide + 2) continue;
            var corners = grown.Corners();
            for (var k = 0; k < 4; k++)
                corners[k] = new PointF(Math.Clamp(MathF.Round(corners[k].X * toX), 0, w), Math.Clamp(MathF.Round(corners[k].Y * toY), 0, h));
            boxes.Add(new TextBox(corners, score));
        }
        return boxes;
    }

    /// <summary>Mean probability over the rectangle's pixels (PaddleOCR's box_score_fast: the filled box polygon).</summary>
    private static float MeanInside(float[] prob, int mw, int mh, BoxGeometry.RotatedRect r)
    {
        var corners = r.Corners();
        int x0 = Math.Clamp((int)MathF.Floor(corners.Min(p => p.X)), 0, mw - 1), x1 = Math.Clamp((int)MathF.Ceiling(corners.Max(p => p.X)), 0, mw - 1);
        int y0 = Math.Clamp((int)MathF.Floor(corners.Min(p => p.Y)), 0, mh - 1), y1 = Math.Clamp((int)MathF.Ceiling(corners.Max(p => p.Y)), 0, mh - 1);
        double sum = 0; var n = 0;
        for (var y = y0; y <= y1; y++)
            for (var x = x0; x <= x1; x++)
                if (r.Contains(x, y, 0.5f)) { sum += prob[y * mw + x]; n++; }
        return n == 0 ? 0 : (float)(sum / n);
    }
}
