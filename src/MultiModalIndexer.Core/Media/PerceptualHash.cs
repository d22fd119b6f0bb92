using System.Numerics;

namespace MultiModalIndexer.Media;

/// <summary>
/// A 64-bit DCT perceptual hash of one grey frame, the per-frame descriptor of copy detection.
/// Black borders (letterbox, pillarbox) are cropped first, the picture is area-averaged to 32×32,
/// and the 64 lowest-frequency DCT coefficients after the DC term are thresholded at their median:
/// re-encoding and scaling barely move low frequencies, brightness only moves the DC term (left
/// out) and contrast scales every coefficient and the median alike. The mirrored picture's hash
/// comes from the same coefficients (a horizontal flip negates the odd horizontal frequencies).
/// Beside it, a frame's colour layout (mean chroma of a coarse grid): smooth, detail-free pictures
/// (colour gradients, plain washes) of unrelated videos can agree in every grey hash bit, and their
/// colours are what still tells them apart; re-encoding, scaling, cropping a little, brightness and
/// contrast leave the layout within a few levels.
/// </summary>
public static class PerceptualHash
{
    public const int Grid = 32;
    public const int Bits = 64;

    /// <summary>Grey levels (limited range: black is 16) a border row/column stays under.</summary>
    private const int BorderLevel = 36;
    /// <summary>Borders are at most this fraction of the frame on each side (letterboxing 16:9 into 4:3 is 12.5 %).</summary>
    private const double MaxBorderFraction = 0.3;
    /// <summary>A border row/column may be this much not black: a channel logo or caption drawn over the bar.</summary>
    private const double MaxBrightInBorder = 0.4;

    // (u vertical, v horizontal) frequencies in zig-zag order, the DC term skipped.
    private static readonly (int U, int V)[] Coefficients = ZigZag();
    private static readonly int MaxFreq = Coefficients.Max(c => Math.Max(c.U, c.V));
    private static readonly float[] Cos = CosTable();

    private static (int, int)[] ZigZag()
    {
        var list = new List<(int, int)>();
        for (var s = 1; list.Count < Bits; s++)
            for (var u = 0; u <= s && list.Count < Bits; u++)
                list.Add((u, s - u));
        return [.. list];
    }

    private static float[] CosTable()
    {
        var n = MaxFreq + 1;
        var t = new float[n * Grid];
        for (var f = 0; f < n; f++)
            for (var x = 0; x < Grid; x++)
                t[f * Grid + x] = (float)Math.Cos(Math.PI * (2 * x + 1) * f / (2.0 * Grid));
        return t;
    }

    /// <summary>
    /// Hashes one frame: its grey (or Y) plane, and when given its chroma planes (Cb, Cr; the same size
    /// and stride as the grey plane, as in YUV 4:4:4) the colour layout too. False when the picture is
    /// too flat to say anything (black, a fade, a plain colour): such frames would match each other
    /// across unrelated videos.
    /// </summary>
    /// <param name="minContrast">Least standard deviation (grey levels) of the 32×32 picture.</param>
    public static bool TryCompute(ReadOnlySpan<byte> grey, int width, int height, int stride, double minContrast, out FrameHashes hashes,
        ReadOnlySpan<byte> cb = default, ReadOnlySpan<byte> cr = default)
    {
        hashes = default;
        if (width < 8 || height < 8 || stride < width || grey.Length < stride * (height - 1) + width) return false;
        var (top, bottom, left, right) = ContentBox(grey, width, height, stride);
        if (!HashBox(grey, stride, top, bottom, left, right, minContrast, out var hash, out var mirrored)) return false;
        int dy = (int)Math.Round((bottom - top) * CropMargin), dx = (int)Math.Round((right - left) * CropMargin);
        if (!HashBox(grey, stride, top + dy, bottom - dy, left + dx, right - dx, 0, out var cropped, out _)) cropped = hash;
        var chroma = cb.Length >= grey.Length && cr.Length >= grey.Length ? ChromaLayout(cb, cr, stride, top, bottom, left, right) : 0;
        hashes = new FrameHashes(hash, mirrored, cropped, chroma);
        return true;
    }

    /// <summary>Hashes one planar YUV 4:4:4 frame (Y, Cb, Cr planes of width × height each, as the analysis decodes give).</summary>
    public static bool TryComputeYuv444(ReadOnlySpan<byte> yuv, int width, int height, double minContrast, out FrameHashes hashes)
    {
        var plane = width * height;
        return TryCompute(yuv[..plane], width, height, width, minContrast, out hashes, yuv.Slice(plane, plane), yuv.Slice(2 * plane, plane));
    }

    /// <summary>Margin (fraction of each side) the cropped variant leaves out: a 10 % crop keeps the central 90 %.</summary>
    public const double CropMargin = 0.05;

    private static bool HashBox(ReadOnlySpan<byte> grey, int stride, int top, int bottom, int left, int right, double minContrast,
        out ulong hash, out ulong mirrored)
    {
        hash = mirrored = 0;
        Span<float> g = stackalloc float[Grid * Grid];
        Downsample(grey, stride, top, bottom, left, right, g);

        double mean = 0, sq = 0;
        foreach (var p in g) { mean += p; sq += p * p; }
        mean /= g.Length;
        var variance = sq / g.Length - mean * mean;
        if (variance < minContrast * minContrast) return false;

        // Separable DCT-II, only the frequencies the hash uses: rows first, then one dot product per coefficient.
        var n = MaxFreq + 1;
        Span<float> rows = stackalloc float[n * Grid];
        rows.Clear();
        for (var u = 0; u < n; u++)
        {
            var cu = Cos.AsSpan(u * Grid, Grid);
            var r = rows.Slice(u * Grid, Grid);
            for (var y = 0; y < Grid; y++)
            {
                var c = cu[y];
                var line = g.Slice(y * Grid, Grid);
                for (var x = 0; x < Grid; x++) r[x] += c * line[x];
            }
        }
        Span<float> coef = stackalloc float[Bits];
        Span<float> flip = stackalloc float[Bits];
        for (var i = 0; i < Bits; i++)
        {
            var (u, v) = Coefficients[i];
            var r = rows.Slice(u * Grid, Grid);
            var cv = Cos.AsSpan(v * Grid, Grid);
            float s = 0;
            for (var x = 0; x < Grid; x++) s += r[x] * cv[x];
            coef[i] = s;
            flip[i] = (v & 1) == 1 ? -s : s;
        }
        hash = Threshold(coef);
        mirrored = Threshold(flip);
        return true;
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    // Colour layout: mean Cb and Cr (less 128) of a ChromaColumns × ChromaRows grid over the content box,
    // each a 4-bit signed step of ChromaStep levels, in 64 bits: nibble (channel·rows + row)·columns + column.
    private const int ChromaColumns = 4, ChromaRows = 2;
    /// <summary>Grey levels of one step of the stored colour layout (±8 steps: ±40 levels, most real colour).</summary>
    public const int ChromaStep = 5;
    private const int ChromaCells = 2 * ChromaRows * ChromaColumns;

    private static ulong ChromaLayout(ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, int stride, int top, int bottom, int left, int right)
    {
        ulong layout = 0;
        int h = bottom - top, w = right - left;
        for (var c = 0; c < 2; c++)
        {
            var plane = c == 0 ? cb : cr;
            for (var row = 0; row < ChromaRows; row++)
            {
                int y0 = top + row * h / ChromaRows, y1 = top + (row + 1) * h / ChromaRows;
                for (var col = 0; col < ChromaColumns; col++)
                {
                    int x0 = left + col * w / ChromaColumns, x1 = left + (col + 1) * w / ChromaColumns;
                    long sum = 0;
                    for (var y = y0; y < y1; y++)
                        foreach (var p in plane.Slice(y * stride + x0, x1 - x0)) sum += p;
                    var mean = sum / (double)Math.Max(1, (y1 - y0) * (x1 - x0)) - 128;
                    var q = (int)Math.Clamp(Math.Round(mean / ChromaStep), -8, 7);
                    layout |= (ulong)(q & 0xF) << (4 * ((c * ChromaRows + row) * ChromaColumns + col));
                }
            }
        }
        return layout;
    }

    private static int Nibble(ulong layout, int i) => (int)((layout >> (4 * i)) & 0xF) is var n && n >= 8 ? n - 16 : n;

    /// <summary>Mean difference (grey levels) of two colour layouts, cell by cell.</summary>
    public static double ChromaDistance(ulong a, ulong b)
    {
        var sum = 0;
        for (var i = 0; i < ChromaCells; i++) sum += Math.Abs(Nibble(a, i) - Nibble(b, i));
        return sum * ChromaStep / (double)ChromaCells;
    }

    /// <summary>How colourful a layout is: its mean distance from grey (levels). Near 0 for black-and-white pictures.</summary>
    public static double ChromaStrength(ulong layout) => ChromaDistance(layout, 0);

    /// <summary>The colour layout of the mirrored picture: columns in reverse order.</summary>
    public static ulong MirrorChroma(ulong layout)
    {
        ulong m = 0;
        for (var i = 0; i < ChromaCells; i++)
        {
            var col = i % ChromaColumns;
            var j = i - col + (ChromaColumns - 1 - col);
            m |= ((layout >> (4 * i)) & 0xF) << (4 * j);
        }
        return m;
    }

    // Bits of the odd horizontal frequencies: the coefficients a horizontal flip negates.
    private static readonly ulong OddHorizontal = Enumerable.Range(0, Bits).Where(i => (Coefficients[i].V & 1) == 1).Aggregate(0UL, (m, i) => m | 1UL << i);

    /// <summary>
    /// The mirrored picture's hash from a stored hash alone (the coefficients are not kept): a flip negates
    /// the odd horizontal frequencies, and AC coefficients centre near zero, so their bits invert. Exact but
    /// for coefficients close to the median: on real footage 2-6 of 64 bits off, rarely more than 10.
    /// </summary>
    public static ulong MirrorOf(ulong hash) => hash ^ OddHorizontal;

    private static ulong Threshold(Span<float> c)
    {
        Span<float> sorted = stackalloc float[Bits];
        c.CopyTo(sorted);
        sorted.Sort();
        var median = 0.5f * (sorted[Bits / 2 - 1] + sorted[Bits / 2]);
        ulong h = 0;
        for (var i = 0; i < Bits; i++)
            if (c[i] > median) h |= 1UL << i;
        return h;
    }

    /// <summary>The picture inside black bars: rows/columns that are black all across are borders.</summary>
    internal static (int Top, int Bottom, int Left, int Right) ContentBox(ReadOnlySpan<byte> grey, int width, int height, int stride)
    {
        int maxRows = (int)(height * MaxBorderFraction), maxCols = (int)(width * MaxBorderFraction);
        int top = 0, bottom = height, left = 0, right = width;
        while (top < maxRows && BlackRow(grey, stride, top, 0, width)) top++;
        while (height - bottom < maxRows && BlackRow(grey, stride, bottom - 1, 0, width)) bottom--;
        while (left < maxCols && BlackColumn(grey, stride, left, top, bottom)) left++;
        while (width - right < maxCols && BlackColumn(grey, stride, right - 1, top, bottom)) right--;
        // Wholly dark pictures (night, fades) keep their frame: the crop would be arbitrary.
        if (bottom - top < height / 3 || right - left < width / 3) return (0, height, 0, width);
        return (top, bottom, left, right);
    }

    private static bool BlackRow(ReadOnlySpan<byte> grey, int stride, int y, int x0, int x1)
    {
        var row = grey.Slice(y * stride + x0, x1 - x0);
        var bright = 0;
        foreach (var p in row)
            if (p > BorderLevel && ++bright > row.Length * MaxBrightInBorder) return false;
        return true;
    }

    private static bool BlackColumn(ReadOnlySpan<byte> grey, int stride, int x, int y0, int y1)
    {
        var bright = 0;
        var limit = (y1 - y0) * MaxBrightInBorder;
        for (var y = y0; y < y1; y++)
            if (grey[y * stride + x] > BorderLevel && ++bright > limit) return false;
        return true;
    }

    /// <summary>Area average of the box into Grid×Grid cells (nearest pixel when the box is smaller).</summary>
    private static void Downsample(ReadOnlySpan<byte> grey, int stride, int top, int bottom, int left, int right, Span<float> g)
    {
        int h = bottom - top, w = right - left;
        Span<int> x0 = stackalloc int[Grid + 1];
        for (var i = 0; i <= Grid; i++) x0[i] = left + i * w / Grid;
        for (var gy = 0; gy < Grid; gy++)
        {
            var y0 = top + gy * h / Grid;
            var y1 = Math.Max(y0 + 1, top + (gy + 1) * h / Grid);
            for (var gx = 0; gx < Grid; gx++)
            {
                var xa = x0[gx];
                var xb = Math.Max(xa + 1, x0[gx + 1]);
                long sum = 0;
                for (var y = y0; y < y1; y++)
                {
                    var row = grey.Slice(y * stride + xa, xb - xa);
                    foreach (var p in row) sum += p;
                }
                g[gy * Grid + gx] = sum / (float)((y1 - y0) * (xb - xa));
            }
        }
    }
}

/// <summary>
/// One frame's copy-detection hashes: the whole picture's, its mirror image's, its central part's
/// (<see cref="PerceptualHash.CropMargin"/>), and its colour layout (0 when not taken or grey).
/// </summary>
public readonly record struct FrameHashes(ulong Hash, ulong Mirrored, ulong Cropped, ulong Chroma);
