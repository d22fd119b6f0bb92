namespace MultiModalIndexer.Media;

/// <summary>
/// What shot detection keeps of one low-resolution frame: a 16×9 colour thumbnail and an HSV
/// histogram (both tolerant of motion and zoom), mean luma (fades), and PySceneDetect-style
/// pixel deltas (HSV + edges) to the previous one and two frames.
/// </summary>
internal sealed class FrameFeatures
{
    public const int GridX = 16, GridY = 9;
    public const int HistBins = 8 * 2 * 3 + 8;

    public required double Time { get; init; }
    public required byte[] Thumb { get; init; }   // GridX*GridY*3 RGB block means
    public required float[] Hist { get; init; }   // normalised, sums to 1
    public required float Luma { get; init; }     // 0..255
    /// <summary>Content delta (0..255) to the previous decoded frame; 0 for the first.</summary>
    public float Content1 { get; set; }
    /// <summary>Content delta to the frame two back (skips a one-frame flash); 0 when unknown.</summary>
    public float Content2 { get; set; }

    /// <summary>Motion-tolerant distance in [0, 1]: half histogram, half thumbnail.</summary>
    public static double Distance(FrameFeatures a, FrameFeatures b)
    {
        double h = 0;
        for (var i = 0; i < HistBins; i++) h += Math.Abs(a.Hist[i] - b.Hist[i]);
        h *= 0.5;
        long t = 0;
        var ta = a.Thumb;
        var tb = b.Thumb;
        for (var i = 0; i < ta.Length; i++) t += Math.Abs(ta[i] - tb[i]);
        var thumb = Math.Min(1.0, t / (double)ta.Length / 255.0 * 3.0);
        return 0.5 * h + 0.5 * thumb;
    }

    /// <summary>Thumbnail distance after dividing out overall brightness, in [0, ~1]: near 0 for the same picture faded.</summary>
    public static double GainInvariantDistance(FrameFeatures a, FrameFeatures b)
    {
        double ma = 0, mb = 0;
        for (var i = 0; i < a.Thumb.Length; i++) { ma += a.Thumb[i]; mb += b.Thumb[i]; }
        ma = Math.Max(1, ma / a.Thumb.Length);
        mb = Math.Max(1, mb / b.Thumb.Length);
        double d = 0;
        for (var i = 0; i < a.Thumb.Length; i++) d += Math.Abs(a.Thumb[i] / ma - b.Thumb[i] / mb);
        return d / a.Thumb.Length / 2;
    }

    /// <summary>Fraction of the 16×9 cells whose colour changed noticeably (mean |ΔRGB| over 24 of 255).</summary>
    public static double ChangedCellFraction(FrameFeatures a, FrameFeatures b)
    {
        var changed = 0;
        var cells = a.Thumb.Length / 3;
        for (var c = 0; c < cells; c++)
        {
            var d = Math.Abs(a.Thumb[c * 3] - b.Thumb[c * 3]) + Math.Abs(a.Thumb[c * 3 + 1] - b.Thumb[c * 3 + 1])
                    + Math.Abs(a.Thumb[c * 3 + 2] - b.Thumb[c * 3 + 2]);
            if (d > 72) changed++;
        }
        return (double)changed / cells;
    }

    /// <summary>Thumbnail-only distance in [0, 1] (near-duplicate keyframes).</summary>
    public static double ThumbDistance(FrameFeatures a, FrameFeatures b)
    {
        long t = 0;
        for (var i = 0; i < a.Thumb.Length; i++) t += Math.Abs(a.Thumb[i] - b.Thumb[i]);
        return t / (double)a.Thumb.Length / 255.0;
    }
}

/// <summary>
/// Turns raw RGB24 frames into <see cref="FrameFeatures"/>. Keeps the HSV/edge planes of the last
/// two frames only, so memory does not grow with the video beyond the small per-frame features.
/// </summary>
internal sealed class FrameFeatureExtractor
{
    private readonly int _w, _h;
    private readonly int[] _bx, _by;
    private Planes? _prev1, _prev2;
    private Planes _spare;

    private sealed class Planes(int n)
    {
        public readonly byte[] H = new byte[n], S = new byte[n], V = new byte[n], E = new byte[n];
    }

    public FrameFeatureExtractor(int width, int height)
    {
        _w = width;
        _h = height;
        _bx = new int[width];
        _by = new int[height];
        for (var x = 0; x < width; x++) _bx[x] = Math.Min(FrameFeatures.GridX - 1, x * FrameFeatures.GridX / width);
        for (var y = 0; y < height; y++) _by[y] = Math.Min(FrameFeatures.GridY - 1, y * FrameFeatures.GridY / height);
        _spare = new Planes(width * height);
    }

    public FrameFeatures Add(ReadOnlySpan<byte> rgb, double time)
    {
        int n = _w * _h;
        var cur = _spare;
        var sums = new long[FrameFeatures.GridX * FrameFeatures.GridY * 3];
        var counts = new int[FrameFeatures.GridX * FrameFeatures.GridY];
        var hist = new float[FrameFeatures.HistBins];
        long lumaSum = 0;
        for (int y = 0, p = 0; y < _h; y++)
        {
            var rowCell = _by[y] * FrameFeatures.GridX;
            for (var x = 0; x < _w; x++, p++)
            {
                int r = rgb[p * 3], g = rgb[p * 3 + 1], b = rgb[p * 3 + 2];
                var cell = rowCell + _bx[x];
                sums[cell * 3] += r;
                sums[cell * 3 + 1] += g;
                sums[cell * 3 + 2] += b;
                counts[cell]++;
                lumaSum += (77 * r + 150 * g + 29 * b) >> 8;
                int max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
                var delta = max - min;
                int s = max == 0 ? 0 : 255 * delta / max;
                int hue = 0;
                if (delta > 0)
                {
                    // OpenCV convention: 0..179, two degrees per step.
                    int h6 = max == r ? 60 * (g - b) / delta : max == g ? 120 + 60 * (b - r) / delta : 240 + 60 * (r - g) / delta;
                    if (h6 < 0) h6 += 360;
                    hue = h6 / 2;
                }
                cur.H[p] = (byte)hue;
                cur.S[p] = (byte)s;
                cur.V[p] = (byte)max;
                // Hue is noise for grey or dark pixels, so those go to luminance-only bins.
                int bin = s < 50 || max < 40
                    ? 48 + max * 8 / 256
                    : Math.Min(7, hue * 8 / 180) * 6 + (s < 150 ? 0 : 3) + (max < 110 ? 0 : max < 190 ? 1 : 2);
                hist[bin]++;
            }
        }
        Edges(cur);
        var thumb = new byte[sums.Length];
        for (var c = 0; c < counts.Length; c++)
            for (var k = 0; k < 3; k++)
                thumb[c * 3 + k] = (byte)(counts[c] == 0 ? 0 : sums[c * 3 + k] / counts[c]);
        for (var i = 0; i < hist.Length; i++) hist[i] /= n;

        var f = new FrameFeatures
        {
            Time = time,
            Thumb = thumb,
            Hist = hist,
            Luma = (float)lumaSum / n,
            Content1 = _prev1 is null ? 0 : Content(_prev1, cur),
            Content2 = _prev2 is null ? 0 : Content(_prev2, cur),
        };
        // Rotate the plane buffers: the oldest becomes the next frame's scratch.
        _spare = _prev2 ?? new Planes(n);
        _prev2 = _prev1;
        _prev1 = cur;
        return f;
    }

    /// <summary>Binary edge map of V (gradient magnitude threshold), dilated by one pixel so small motion still overlaps.</summary>
    private void Edges(Planes pl)
    {
        var v = pl.V;
        var e = pl.E;
        Array.Clear(e);
        for (var y = 1; y < _h - 1; y++)
        {
            for (var x = 1; x < _w - 1; x++)
            {
                var p = y * _w + x;
                var gx = v[p + 1] - v[p - 1];
                var gy = v[p + _w] - v[p - _w];
                if (Math.Abs(gx) + Math.Abs(gy) > 48)
                {
                    e[p] = 255; e[p - 1] = 255; e[p + 1] = 255; e[p - _w] = 255; e[p + _w] = 255;
                }
            }
        }
    }

    /// <summary>PySceneDetect ContentDetector style: mean of |ΔH|, |ΔS|, |ΔV|, |Δedges| (hue weighted by saturation).</summary>
    private float Content(Planes a, Planes b)
    {
        long dh = 0, ds = 0, dv = 0, de = 0;
        var n = _w * _h;
        for (var i = 0; i < n; i++)
        {
            var hd = Math.Abs(a.H[i] - b.H[i]);
            if (hd > 90) hd = 180 - hd;
            // Hue of a grey pixel is meaningless; weight by the smaller saturation.
            dh += hd * 2 * Math.Min(a.S[i], b.S[i]) / 255;
            ds += Math.Abs(a.S[i] - b.S[i]);
            dv += Math.Abs(a.V[i] - b.V[i]);
            de += a.E[i] != b.E[i] ? 255 : 0;
        }
        return (float)((dh + ds + dv + de) / 4.0 / n);
    }
}
