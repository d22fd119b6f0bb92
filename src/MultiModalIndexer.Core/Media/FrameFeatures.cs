using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    public required double Time { get; set; }
    public required byte[] Thumb { get; init; }   // GridX*GridY*3 RGB block means
    public required float[] Hist { get; init; }   // normalised, sums to 1
    public required float Luma { get; init; }     // 0..255
    /// <summary>Content delta (0..255) to the previous decoded frame; 0 for the first.</summary>
    public float Content1 { get; set; }
    /// <summary>Content delta to the frame two back (skips a one-frame flash); 0 when unknown.</summary>
    public float Content2 { get; set; }
    /// <summary>This frame's copy-detection hashes when it is one of the samples (see <see cref="FrameHashSampling"/>).</summary>
    public FrameHashes? Copy { get; set; }

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
/// Turns planar YUV 4:4:4 frames (limited range, as ffmpeg's scaler emits them: the Y plane, then U,
/// then V) into <see cref="FrameFeatures"/>. Colour conversion happens here at analysis size because
/// ffmpeg's RGB output path costs more than the whole analysis. Keeps the HSV/edge planes of the last
/// two frames only, so memory does not grow with the video beyond the small per-frame features.
/// </summary>
internal sealed class FrameFeatureExtractor
{
    // The per-frame loops are marked AggressiveOptimization: at tier 0 their vector code runs as calls,
    // many times slower, and a first video would be analysed mostly before tiering caught up.
    private readonly int _w, _h;
    private readonly int[] _bx, _by;
    private Planes? _prev1, _prev2;
    private Planes _spare;
    // Copies of the first two frames' planes, for the deltas across the seam to a previous part.
    private Planes? _first0, _first1;
    private int _added;
    // Edge pixels before dilation, padded by one zero row (+1) on each side so every neighbour read is in range.
    private readonly byte[] _mask;
    // Per-pixel scratch of the current frame: RGB and histogram bin.
    private readonly byte[] _r, _g, _b, _bin;
    private readonly int[] _cellCounts;
    // First column of each of the 16 cell columns (+ the width): _bx is monotonic, so cells are runs.
    private readonly int[] _cellStart;

    // BT.601 limited-range YUV -> RGB in 8.8 fixed point (the integer form swscale uses).
    private static readonly int[] YTerm = Table(i => 298 * (i - 16) + 128);
    private static readonly int[] RFromV = Table(i => 409 * (i - 128));
    private static readonly int[] GFromU = Table(i => -100 * (i - 128));
    private static readonly int[] GFromV = Table(i => -208 * (i - 128));
    private static readonly int[] BFromU = Table(i => 516 * (i - 128));
    // ceil(2^24 / d): n / d == (n * Recip[d]) >> 24 exactly for every n < 65536, d in 1..255, so the
    // per-pixel divisions of HSV (saturation, hue) become multiplications with identical results.
    private static readonly long[] Recip = Enumerable.Range(0, 256).Select(d => d == 0 ? 0L : ((1L << 24) + d - 1) / d).ToArray();

    private static int[] Table(Func<int, int> f) => Enumerable.Range(0, 256).Select(f).ToArray();

    private sealed class Planes(int n)
    {
        public readonly byte[] H = new byte[n], S = new byte[n], V = new byte[n], E = new byte[n];

        public Planes Copy()
        {
            var c = new Planes(H.Length);
            H.CopyTo(c.H); S.CopyTo(c.S); V.CopyTo(c.V); E.CopyTo(c.E);
            return c;
        }
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
        _mask = new byte[width * height + 2 * (width + 1)];
        _r = new byte[width * height];
        _g = new byte[width * height];
        _b = new byte[width * height];
        _bin = new byte[width * height];
        _cellStart = new int[FrameFeatures.GridX + 1];
        for (var x = width - 1; x >= 0; x--) _cellStart[_bx[x]] = x;
        _cellStart[FrameFeatures.GridX] = width;
        _cellCounts = new int[FrameFeatures.GridX * FrameFeatures.GridY];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                _cellCounts[_by[y] * FrameFeatures.GridX + _bx[x]]++;
    }

    /// <summary>Bytes of one input frame (three full-size planes).</summary>
    public int FrameBytes => 3 * _w * _h;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public FrameFeatures Add(ReadOnlySpan<byte> yuv, double time)
    {
        int n = _w * _h;
        if (yuv.Length < 3 * n) throw new ArgumentException($"a {_w}x{_h} YUV 4:4:4 frame needs {3 * n} bytes, got {yuv.Length}", nameof(yuv));
        var cur = _spare;
        var lumaSum = ConvertPixels(yuv[..n], yuv.Slice(n, n), yuv.Slice(2 * n, n), _r, _g, _b, cur.H, cur.S, cur.V, _bin);
        var sums = new long[FrameFeatures.GridX * FrameFeatures.GridY * 3];
        ReadOnlySpan<byte> r = _r, g = _g, b = _b;
        for (var y = 0; y < _h; y++)
        {
            var rowCell = _by[y] * FrameFeatures.GridX;
            var row = y * _w;
            for (var cx = 0; cx < FrameFeatures.GridX; cx++)
            {
                // Sums in registers per cell run: adding into the array per pixel chains every add on memory.
                int sr = 0, sg = 0, sb = 0;
                for (var x = _cellStart[cx]; x < _cellStart[cx + 1]; x++)
                {
                    sr += r[row + x];
                    sg += g[row + x];
                    sb += b[row + x];
                }
                var cell = (rowCell + cx) * 3;
                sums[cell] += sr;
                sums[cell + 1] += sg;
                sums[cell + 2] += sb;
            }
        }
        // Neighbouring pixels mostly share a bin; four tallies interleaved keep the increments independent.
        var tallies = new int[4 * FrameFeatures.HistBins];
        ReadOnlySpan<byte> bins = _bin;
        var k4 = 0;
        for (; k4 + 4 <= n; k4 += 4)
        {
            tallies[bins[k4]]++;
            tallies[FrameFeatures.HistBins + bins[k4 + 1]]++;
            tallies[2 * FrameFeatures.HistBins + bins[k4 + 2]]++;
            tallies[3 * FrameFeatures.HistBins + bins[k4 + 3]]++;
        }
        for (; k4 < n; k4++) tallies[bins[k4]]++;
        var binCounts = new int[FrameFeatures.HistBins];
        for (var i = 0; i < tallies.Length; i++) binCounts[i % FrameFeatures.HistBins] += tallies[i];
        var hist = new float[FrameFeatures.HistBins];
        for (var i = 0; i < hist.Length; i++) hist[i] = binCounts[i] / (float)n;
        Edges(cur);
        var thumb = new byte[sums.Length];
        for (var c = 0; c < _cellCounts.Length; c++)
            for (var k = 0; k < 3; k++)
                thumb[c * 3 + k] = (byte)(_cellCounts[c] == 0 ? 0 : sums[c * 3 + k] / _cellCounts[c]);

        var f = new FrameFeatures
        {
            Time = time,
            Thumb = thumb,
            Hist = hist,
            Luma = (float)lumaSum / n,
            Content1 = _prev1 is null ? 0 : Content(_prev1, cur),
            Content2 = _prev2 is null ? 0 : Content(_prev2, cur),
        };
        if (_added == 0) _first0 = cur.Copy();
        else if (_added == 1) _first1 = cur.Copy();
        _added++;
        // Rotate the plane buffers: the oldest becomes the next frame's scratch.
        _spare = _prev2 ?? new Planes(n);
        _prev2 = _prev1;
        _prev1 = cur;
        return f;
    }

    /// <summary>
    /// Per pixel: YUV → RGB → HSV (OpenCV convention, hue 0..179) and the histogram bin; returns the
    /// sum of luma. Vectorised, 32 pixels a step, with a scalar tail giving identical results.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static long ConvertPixels(ReadOnlySpan<byte> y, ReadOnlySpan<byte> u, ReadOnlySpan<byte> v,
        Span<byte> r, Span<byte> g, Span<byte> b, Span<byte> hue, Span<byte> sat, Span<byte> val, Span<byte> bin, bool vectorise = true)
    {
        var n = y.Length;
        long luma = 0;
        var i = 0;
        if (vectorise && Vector256.IsHardwareAccelerated)
        {
            var lumaAcc = Vector256<int>.Zero;
            for (; i + Vector256<byte>.Count <= n; i += Vector256<byte>.Count)
            {
                var (y0, y1) = Vector256.Widen(Vector256.Create(y.Slice(i)));
                var (u0, u1) = Vector256.Widen(Vector256.Create(u.Slice(i)));
                var (v0, v1) = Vector256.Widen(Vector256.Create(v.Slice(i)));
                var q0 = Pixels8(Lo(y0), Lo(u0), Lo(v0));
                var q1 = Pixels8(Hi(y0), Hi(u0), Hi(v0));
                var q2 = Pixels8(Lo(y1), Lo(u1), Lo(v1));
                var q3 = Pixels8(Hi(y1), Hi(u1), Hi(v1));
                Pack(q0.R, q1.R, q2.R, q3.R).CopyTo(r.Slice(i));
                Pack(q0.G, q1.G, q2.G, q3.G).CopyTo(g.Slice(i));
                Pack(q0.B, q1.B, q2.B, q3.B).CopyTo(b.Slice(i));
                Pack(q0.Hue, q1.Hue, q2.Hue, q3.Hue).CopyTo(hue.Slice(i));
                Pack(q0.Sat, q1.Sat, q2.Sat, q3.Sat).CopyTo(sat.Slice(i));
                Pack(q0.Max, q1.Max, q2.Max, q3.Max).CopyTo(val.Slice(i));
                Pack(q0.Bin, q1.Bin, q2.Bin, q3.Bin).CopyTo(bin.Slice(i));
                lumaAcc += q0.Luma + q1.Luma + q2.Luma + q3.Luma;
            }
            luma = Vector256.Sum(Vector256.WidenLower(lumaAcc) + Vector256.WidenUpper(lumaAcc));
        }
        var recip = Recip;
        for (; i < n; i++)
        {
            int yt = YTerm[y[i]], uu = u[i], vv = v[i];
            int rr = Math.Clamp((yt + RFromV[vv]) >> 8, 0, 255);
            int gg = Math.Clamp((yt + GFromU[uu] + GFromV[vv]) >> 8, 0, 255);
            int bb = Math.Clamp((yt + BFromU[uu]) >> 8, 0, 255);
            luma += (77 * rr + 150 * gg + 29 * bb) >> 8;
            int max = Math.Max(rr, Math.Max(gg, bb)), min = Math.Min(rr, Math.Min(gg, bb));
            var delta = max - min;
            int s = (int)((255 * delta * recip[max]) >> 24);
            int h = 0;
            if (delta > 0)
            {
                // Division truncates toward zero, as the vector path's float division does.
                int num = max == rr ? 60 * (gg - bb) : max == gg ? 60 * (bb - rr) : 60 * (rr - gg);
                int q = num >= 0 ? (int)((num * recip[delta]) >> 24) : -(int)((-num * recip[delta]) >> 24);
                int h6 = (max == rr ? 0 : max == gg ? 120 : 240) + q;
                if (h6 < 0) h6 += 360;
                h = h6 >> 1;
            }
            r[i] = (byte)rr; g[i] = (byte)gg; b[i] = (byte)bb;
            hue[i] = (byte)h; sat[i] = (byte)s; val[i] = (byte)max;
            // Hue is noise for grey or dark pixels, so those go to luminance-only bins.
            bin[i] = (byte)(s < 50 || max < 40
                ? 48 + (max >> 5)
                : Math.Min(7, h * 8 / 180) * 6 + (s < 150 ? 0 : 3) + (max < 110 ? 0 : max < 190 ? 1 : 2));
        }
        return luma;
    }

    private readonly record struct Quad(Vector256<int> R, Vector256<int> G, Vector256<int> B, Vector256<int> Hue,
        Vector256<int> Sat, Vector256<int> Max, Vector256<int> Bin, Vector256<int> Luma);

    private static Vector256<int> Lo(Vector256<ushort> x) => Vector256.WidenLower(x).AsInt32();
    private static Vector256<int> Hi(Vector256<ushort> x) => Vector256.WidenUpper(x).AsInt32();

    private static Vector256<byte> Pack(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) =>
        Vector256.Narrow(Vector256.Narrow(a.AsUInt32(), b.AsUInt32()), Vector256.Narrow(c.AsUInt32(), d.AsUInt32()));

    /// <summary>The scalar loop's arithmetic on 8 pixels; float division truncated is exact here (quotients of integers ≤ 65025 by ≤ 255).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad Pixels8(Vector256<int> y, Vector256<int> u, Vector256<int> v)
    {
        var zero = Vector256<int>.Zero;
        var one = Vector256<int>.One;
        var c255 = Vector256.Create(255);
        var yt = (y - Vector256.Create(16)) * Vector256.Create(298) + Vector256.Create(128);
        u -= Vector256.Create(128);
        v -= Vector256.Create(128);
        var r = Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(yt + v * Vector256.Create(409), 8), zero), c255);
        var g = Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(yt - u * Vector256.Create(100) - v * Vector256.Create(208), 8), zero), c255);
        var b = Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(yt + u * Vector256.Create(516), 8), zero), c255);
        var max = Vector256.Max(r, Vector256.Max(g, b));
        var delta = max - Vector256.Min(r, Vector256.Min(g, b));
        var sat = Vector256.ConvertToInt32(Vector256.ConvertToSingle(delta * c255) / Vector256.ConvertToSingle(Vector256.Max(max, one)));
        var isR = Vector256.Equals(max, r);
        var isG = Vector256.AndNot(Vector256.Equals(max, g), isR);
        var num = Vector256.ConditionalSelect(isR, g - b, Vector256.ConditionalSelect(isG, b - r, r - g)) * Vector256.Create(60);
        // Grey pixels (delta 0) have num 0 and the red branch, so hue 0 as in the scalar loop.
        var q = Vector256.ConvertToInt32(Vector256.ConvertToSingle(num) / Vector256.ConvertToSingle(Vector256.Max(delta, one)));
        var h6 = Vector256.ConditionalSelect(isR, zero, Vector256.ConditionalSelect(isG, Vector256.Create(120), Vector256.Create(240))) + q;
        h6 += Vector256.LessThan(h6, zero) & Vector256.Create(360);
        var hue = Vector256.ShiftRightArithmetic(h6, 1);
        var grey = Vector256.LessThan(sat, Vector256.Create(50)) | Vector256.LessThan(max, Vector256.Create(40));
        var greyBin = Vector256.Create(48) + Vector256.ShiftRightArithmetic(max, 5);
        // hue * 8 / 180 as a multiply-shift (exact for hue < 180).
        var hueBin = Vector256.Min(Vector256.ShiftRightArithmetic(hue * Vector256.Create(46608), 20), Vector256.Create(7));
        var colourBin = hueBin * Vector256.Create(6) + (Vector256.GreaterThanOrEqual(sat, Vector256.Create(150)) & Vector256.Create(3))
                        + (Vector256.GreaterThanOrEqual(max, Vector256.Create(110)) & one) + (Vector256.GreaterThanOrEqual(max, Vector256.Create(190)) & one);
        var luma = Vector256.ShiftRightArithmetic(r * Vector256.Create(77) + g * Vector256.Create(150) + b * Vector256.Create(29), 8);
        return new Quad(r, g, b, hue, sat, max, Vector256.ConditionalSelect(grey, greyBin, colourBin), luma);
    }

    /// <summary>
    /// Fills in the deltas that <paramref name="after"/>'s first two frames could not know: to the
    /// last frames of <paramref name="before"/>, the part decoded just before it. The features are
    /// then exactly those of one extractor fed both parts in order.
    /// </summary>
    public static void Stitch(FrameFeatureExtractor before, FrameFeatureExtractor after, IReadOnlyList<FrameFeatures> afterFrames)
    {
        if (before._prev1 is null || after._first0 is null || afterFrames.Count == 0) return;
        afterFrames[0].Content1 = before.Content(before._prev1, after._first0);
        afterFrames[0].Content2 = before._prev2 is null ? 0 : before.Content(before._prev2, after._first0);
        if (afterFrames.Count > 1 && after._first1 is not null) afterFrames[1].Content2 = before.Content(before._prev1, after._first1);
    }

    /// <summary>Binary edge map of V (gradient magnitude threshold), dilated by one pixel so small motion still overlaps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Edges(Planes pl)
    {
        int w = _w, h = _h;
        ReadOnlySpan<byte> v = pl.V;
        var mask = _mask.AsSpan();
        mask.Clear();
        var pad = w + 1;
        // Edge pixels first (|gx| + |gy| > 48 on the interior), then the 4-neighbour dilation as an OR
        // of shifted copies; vectorised, since this runs on every analysed frame.
        var limit = Vector256.Create((byte)49);
        var threshold = Vector256.Create((byte)48);
        for (var y = 1; y < h - 1; y++)
        {
            var row = y * w;
            var x = 1;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; x + Vector256<byte>.Count <= w - 1; x += Vector256<byte>.Count)
                {
                    var p = row + x;
                    var gx = AbsDiff(Vector256.Create(v.Slice(p + 1)), Vector256.Create(v.Slice(p - 1)));
                    var gy = AbsDiff(Vector256.Create(v.Slice(p + w)), Vector256.Create(v.Slice(p - w)));
                    // Capped at 49 each so the byte sum cannot wrap; "> 48" is unchanged by the cap.
                    var g = Vector256.Min(gx, limit) + Vector256.Min(gy, limit);
                    Vector256.GreaterThan(g, threshold).CopyTo(mask.Slice(pad + p));
                }
            }
            for (; x < w - 1; x++)
            {
                var p = row + x;
                if (Math.Abs(v[p + 1] - v[p - 1]) + Math.Abs(v[p + w] - v[p - w]) > 48) mask[pad + p] = 255;
            }
        }
        // Column 0 and w-1 of the mask are always 0, so the left/right neighbours that wrap to the
        // adjacent row add nothing, and the padding rows stand in for the neighbours above/below the frame.
        var e = pl.E.AsSpan(0, w * h);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<byte>.Count <= e.Length; i += Vector256<byte>.Count)
            {
                var c = pad + i;
                (Vector256.Create(mask.Slice(c)) | Vector256.Create(mask.Slice(c - 1)) | Vector256.Create(mask.Slice(c + 1))
                 | Vector256.Create(mask.Slice(c - w)) | Vector256.Create(mask.Slice(c + w))).CopyTo(e.Slice(i));
            }
        }
        for (; i < e.Length; i++)
        {
            var c = pad + i;
            e[i] = (byte)(mask[c] | mask[c - 1] | mask[c + 1] | mask[c - w] | mask[c + w]);
        }
    }

    private static Vector256<byte> AbsDiff(Vector256<byte> a, Vector256<byte> b) => Vector256.Max(a, b) - Vector256.Min(a, b);

    /// <summary>Σ|a − b| over bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long SumAbsDiff(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long sum = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<uint>.Zero;
            for (; i + Vector256<byte>.Count <= a.Length; i += Vector256<byte>.Count)
            {
                var (lo, hi) = Vector256.Widen(AbsDiff(Vector256.Create(a.Slice(i)), Vector256.Create(b.Slice(i))));
                var (l2, h2) = Vector256.Widen(lo + hi);
                acc += l2 + h2;
            }
            sum = (long)Vector256.Sum(Vector256.WidenLower(acc) + Vector256.WidenUpper(acc));
        }
        for (; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return sum;
    }

    /// <summary>Σ hueDistance(a, b) · min(satA, satB): hue change weighted by saturation (grey pixels have no hue).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long WeightedHueDiff(ReadOnlySpan<byte> ha, ReadOnlySpan<byte> hb, ReadOnlySpan<byte> sa, ReadOnlySpan<byte> sb)
    {
        long sum = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<uint>.Zero;
            var half = Vector256.Create((byte)180);
            for (; i + Vector256<byte>.Count <= ha.Length; i += Vector256<byte>.Count)
            {
                var hd = AbsDiff(Vector256.Create(ha.Slice(i)), Vector256.Create(hb.Slice(i)));
                hd = Vector256.Min(hd, half - hd);    // hue is circular (0..179)
                var m = Vector256.Min(Vector256.Create(sa.Slice(i)), Vector256.Create(sb.Slice(i)));
                var (hl, hh) = Vector256.Widen(hd);
                var (ml, mh) = Vector256.Widen(m);
                // ≤ 90 · 255 per lane: fits 16 bits.
                var (p0, p1) = Vector256.Widen(hl * ml);
                var (p2, p3) = Vector256.Widen(hh * mh);
                acc += p0 + p1 + p2 + p3;
            }
            sum = (long)Vector256.Sum(Vector256.WidenLower(acc) + Vector256.WidenUpper(acc));
        }
        for (; i < ha.Length; i++)
        {
            var hd = Math.Abs(ha[i] - hb[i]);
            if (hd > 90) hd = 180 - hd;
            sum += hd * Math.Min(sa[i], sb[i]);
        }
        return sum;
    }

    /// <summary>PySceneDetect ContentDetector style: mean of |ΔH|, |ΔS|, |ΔV|, |Δedges| (hue weighted by saturation).</summary>
    private float Content(Planes a, Planes b)
    {
        var n = _w * _h;
        var dh = WeightedHueDiff(a.H.AsSpan(0, n), b.H.AsSpan(0, n), a.S.AsSpan(0, n), b.S.AsSpan(0, n)) * 2 / 255.0;
        var ds = SumAbsDiff(a.S.AsSpan(0, n), b.S.AsSpan(0, n));
        var dv = SumAbsDiff(a.V.AsSpan(0, n), b.V.AsSpan(0, n));
        // Edge maps are 0/255, so their absolute difference counts changed edge pixels times 255.
        var de = SumAbsDiff(a.E.AsSpan(0, n), b.E.AsSpan(0, n));
        return (float)((dh + ds + dv + de) / 4.0 / n);
    }
}
