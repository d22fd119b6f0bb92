namespace MultiModalIndexer.Inference.Ocr.Preprocessing;

/// <summary>Which way a caption differs from its surroundings.</summary>
internal enum TextPolarity { LightOnDark, DarkOnLight }

/// <summary>Which mask found a line: near-white strokes, or strokes brighter/darker than their neighbourhood.</summary>
internal enum MaskKind { White, LightContrast, DarkContrast }

/// <summary>A candidate text line: its box in frame pixels, polarity and typical glyph height.</summary>
internal readonly record struct TextRegion(int Left, int Top, int Right, int Bottom, TextPolarity Polarity, int GlyphHeight, int GlyphCount, double Score = 0)
{
    public MaskKind Mask { get; init; }
    public int Width => Right - Left;
    public int Height => Bottom - Top;
}

/// <summary>
/// Finds caption-like lines in a video frame without any image library. Burned-in captions are
/// strokes much brighter (or darker) than their neighbourhood, so a local-contrast mask per polarity
/// isolates them from photos and moving patterns; connected components of the mask that look like
/// glyphs are chained into lines (similar height, overlapping vertically, small horizontal gaps).
/// Tesseract then reads each line alone (PSM 7) from a clean, upscaled crop: that is what recovers
/// white-on-black and over-photo captions that Tesseract's own page layout skips.
/// </summary>
internal static class TextRegionDetector
{
    /// <summary>Local-contrast text mask (1 = text stroke) for one polarity.</summary>
    public static byte[] ContrastMask(ReadOnlySpan<byte> g, int w, int h, long[] integral, TextPolarity polarity, int radius)
    {
        var mask = new byte[w * h];
        var iw = w + 1;
        for (var y = 0; y < h; y++)
        {
            var y0 = Math.Max(0, y - radius);
            var y1 = Math.Min(h, y + radius + 1);
            var row = y * w;
            for (var x = 0; x < w; x++)
            {
                var x0 = Math.Max(0, x - radius);
                var x1 = Math.Min(w, x + radius + 1);
                var sum = integral[y1 * iw + x1] - integral[y0 * iw + x1] - integral[y1 * iw + x0] + integral[y0 * iw + x0];
                var mean = (int)(sum / ((y1 - y0) * (x1 - x0)));
                int v = g[row + x];
                if (polarity == TextPolarity.LightOnDark)
                {
                    // Margin shrinks near white so white text over a light photo still separates.
                    var margin = Math.Max(14, (255 - mean) * 2 / 5);
                    if (v >= 120 && v >= mean + margin) mask[row + x] = 1;
                }
                else
                {
                    var margin = Math.Max(14, mean * 2 / 5);
                    if (v <= 135 && v <= mean - margin) mask[row + x] = 1;
                }
            }
        }
        return mask;
    }

    /// <summary>
    /// Near-white mask: burned-in captions are drawn white, so their stroke cores are among the
    /// brightest pixels of the frame while even a light photo or a light test-pattern bar stays a
    /// little darker. The threshold follows the frame's brightest level so compressed video works too.
    /// With <paramref name="hysteresis"/> &gt; 0, pixels up to that many levels darker also count when
    /// they touch a stroke core: video compression spreads a flat caption level by ±10 (ringing,
    /// blocking), so a one-level threshold keeps only broken stroke cores.
    /// </summary>
    public static byte[]? WhiteMask(ReadOnlySpan<byte> g, int w, int h, long[] integral, int radius, int belowBrightest = 8, int belowLocalMax = 6,
        byte[]? localMax = null, int? brightest = null, int hysteresis = 0, int[]? hist = null)
    {
        var p999 = brightest ?? BrightestLevel(g, w, h);
        if (p999 < 170) return null; // nothing close to white: no white caption here
        var t = Math.Clamp(p999 - belowBrightest, 150, 247);
        var tWeak = hysteresis > 0 ? WeakLevel(hist ?? Histogram(g), w, h, t, hysteresis) : t;
        var mask = new byte[w * h];
        var any = false;
        var iw = w + 1;
        // Near the caption its own strokes are the local maximum: light surroundings (a bar, a suit)
        // a few levels darker drop out even where the frame is only limited-range video white.
        localMax ??= LocalMax(g, w, h, LocalMaxRadius(w, h));
        for (var y = 0; y < h; y++)
        {
            var y0 = Math.Max(0, y - radius);
            var y1 = Math.Min(h, y + radius + 1);
            for (var x = 0; x < w; x++)
            {
                int v = g[y * w + x];
                var strong = v >= t && v >= localMax[y * w + x] - belowLocalMax;
                if (!strong && (tWeak >= t || v < tWeak)) continue;
                // Also a little brighter than the neighbourhood: a uniformly light area (a bar, the sky) is not text.
                var x0 = Math.Max(0, x - radius);
                var x1 = Math.Min(w, x + radius + 1);
                var sum = integral[y1 * iw + x1] - integral[y0 * iw + x1] - integral[y1 * iw + x0] + integral[y0 * iw + x0];
                if (v * (long)((y1 - y0) * (x1 - x0)) < sum + 8L * (y1 - y0) * (x1 - x0)) continue;
                mask[y * w + x] = strong ? (byte)2 : (byte)1;
                any |= strong;
            }
        }
        if (!any) return null;
        if (tWeak < t) GrowFromCores(mask, w, h);
        return mask;
    }

    /// <summary>
    /// The lowest level weak stroke pixels may have: <paramref name="extra"/> below the core threshold,
    /// but above the top of any large flat population in between (a light bar, the cells of a
    /// pattern), which would otherwise be glued to the caption wherever it touches it.
    /// </summary>
    private static int WeakLevel(int[] hist, int w, int h, int t, int extra)
    {
        var big = Math.Max(100, w * h / 2000);
        for (var v = t - 1; v >= Math.Max(1, t - extra); v--)
        {
            long above = 0;
            for (var k = v + 1; k <= Math.Min(255, v + 6); k++) above += hist[k];
            var avg = above / (double)Math.Min(6, 255 - v);
            if (hist[v] >= big && hist[v] >= avg * 3) return v + 1;
        }
        return Math.Max(1, t - extra);
    }

    /// <summary>Keeps weak pixels (1) 8-connected to a core (2), then makes the mask 0/1.</summary>
    private static void GrowFromCores(byte[] mask, int w, int h)
    {
        var stack = new Stack<int>();
        for (var i = 0; i < mask.Length; i++)
            if (mask[i] == 2) stack.Push(i);
        while (stack.Count > 0)
        {
            var i = stack.Pop();
            var (x, y) = (i % w, i / w);
            for (var dy = -1; dy <= 1; dy++)
                for (var dx = -1; dx <= 1; dx++)
                {
                    var (nx, ny) = (x + dx, y + dy);
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    var j = ny * w + nx;
                    if (mask[j] != 1) continue;
                    mask[j] = 2;
                    stack.Push(j);
                }
        }
        for (var i = 0; i < mask.Length; i++) mask[i] = mask[i] == 2 ? (byte)1 : (byte)0;
    }

    /// <summary>
    /// A 3×3 closing of a 0/1 mask (dilate, then erode): joins the one-pixel breaks compression leaves
    /// in thin strokes, so a glyph is one component of its real height again, without growing it.
    /// </summary>
    public static byte[] Close3(byte[] mask, int w, int h)
    {
        var dil = Morph3(mask, w, h, 1);
        return Morph3(dil, w, h, 0);
    }

    /// <summary>Separable 3×3 dilation of <paramref name="on"/> pixels (erosion when on is 0); the frame edge counts as neither.</summary>
    private static byte[] Morph3(byte[] src, int w, int h, byte on)
    {
        var tmp = new byte[src.Length];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                tmp[i] = src[i] == on || x > 0 && src[i - 1] == on || x < w - 1 && src[i + 1] == on ? on : (byte)(1 - on);
            }
        var dst = new byte[src.Length];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                dst[i] = tmp[i] == on || y > 0 && tmp[i - w] == on || y < h - 1 && tmp[i + w] == on ? on : (byte)(1 - on);
            }
        return dst;
    }

    /// <summary>The level the brightest 0.1 % of the frame reach.</summary>
    public static int BrightestLevel(ReadOnlySpan<byte> g, int w, int h) => BrightestLevel(Histogram(g), w, h);

    public static int BrightestLevel(int[] hist, int w, int h)
    {
        var n = (long)w * h;
        long acc = 0;
        for (var v = 255; v >= 0; v--)
        {
            acc += hist[v];
            if (acc >= n / 1000) return v;
        }
        return 0;
    }

    /// <summary>
    /// The level of a small flat-coloured caption above the 0.1 % level, or null: a sharp spike at
    /// the top of the histogram holding at least a short caption's worth of pixels. A caption too
    /// small to reach 0.1 % of the frame otherwise sets its white threshold by whatever is a little
    /// darker (near-white cells of a pattern, 224 beside a 235 caption) and is glued to it.
    /// </summary>
    public static int? CaptionSpike(int[] hist, int w, int h, int brightest)
    {
        var need = Math.Max(50, w * h / 5000);
        for (var v = 254; v >= brightest + 4; v--)
        {
            var c = hist[v - 1] + hist[v] + hist[v + 1];
            var around = hist[Math.Max(0, v - 4)] + hist[Math.Min(255, v + 4)];
            if (c >= need && c >= around * 4) return v;
        }
        return null;
    }

    /// <summary>
    /// Whether the frame's brightest level is a sharp spike (a flat-coloured caption drawn losslessly)
    /// or a spread bump (the same caption after video compression, whose ringing and blocking spread
    /// a flat level over ±10). Only a spread top gets the compression-tolerant masks.
    /// </summary>
    public static bool TopLevelSpread(int[] hist, int w, int h, int brightest)
    {
        var peak = brightest;
        for (var v = Math.Max(1, brightest - 4); v <= 254; v++)
            if (hist[v] > hist[peak]) peak = v;
        long core = 0, around = 0;
        for (var v = Math.Max(0, peak - 6); v <= Math.Min(255, peak + 6); v++)
        {
            around += hist[v];
            if (Math.Abs(v - peak) <= 1) core += hist[v];
        }
        return around >= Math.Max(50, w * h / 5000) && core * 5 < around * 3;
    }

    public static int[] Histogram(ReadOnlySpan<byte> g)
    {
        var hist = new int[256];
        foreach (var v in g) hist[v]++;
        return hist;
    }

    public static int LocalMaxRadius(int w, int h) => Math.Max(4, Math.Min(w, h) / 90);

    /// <summary>Maximum over a (2r+1)² square, separable.</summary>
    public static byte[] LocalMax(ReadOnlySpan<byte> g, int w, int h, int r)
    {
        var tmp = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            var row = y * w;
            for (var x = 0; x < w; x++)
            {
                byte m = 0;
                var x1 = Math.Min(w - 1, x + r);
                for (var k = Math.Max(0, x - r); k <= x1; k++) if (g[row + k] > m) m = g[row + k];
                tmp[row + x] = m;
            }
        }
        var dst = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            var y1 = Math.Min(h - 1, y + r);
            for (var x = 0; x < w; x++)
            {
                byte m = 0;
                for (var k = Math.Max(0, y - r); k <= y1; k++) if (tmp[k * w + x] > m) m = tmp[k * w + x];
                dst[y * w + x] = m;
            }
        }
        return dst;
    }

    /// <summary>
    /// Keeps only mask pixels that lie in a thin run horizontally or vertically (at most
    /// <paramref name="maxStroke"/> pixels): glyph strokes are thin in at least one direction, while
    /// a light bar, sky or a caption box interior is wide in both and is removed here.
    /// </summary>
    public static void KeepThinStrokes(byte[] mask, int w, int h, int maxStroke)
    {
        var vrun = new ushort[w * h];
        for (var x = 0; x < w; x++)
        {
            var y = 0;
            while (y < h)
            {
                if (mask[y * w + x] == 0) { y++; continue; }
                var s = y;
                while (y < h && mask[y * w + x] != 0) y++;
                var len = (ushort)Math.Min(y - s, ushort.MaxValue);
                for (var k = s; k < y; k++) vrun[k * w + x] = len;
            }
        }
        for (var y = 0; y < h; y++)
        {
            var row = y * w;
            var x = 0;
            while (x < w)
            {
                if (mask[row + x] == 0) { x++; continue; }
                var s = x;
                while (x < w && mask[row + x] != 0) x++;
                if (x - s <= maxStroke) continue;
                for (var k = s; k < x; k++)
                    if (vrun[row + k] > maxStroke) mask[row + k] = 0;
            }
        }
    }

    public static long[] Integral(ReadOnlySpan<byte> g, int w, int h)
    {
        var iw = w + 1;
        var ii = new long[iw * (h + 1)];
        for (var y = 0; y < h; y++)
        {
            long rowSum = 0;
            var row = y * w;
            for (var x = 0; x < w; x++)
            {
                rowSum += g[row + x];
                ii[(y + 1) * iw + x + 1] = ii[y * iw + x + 1] + rowSum;
            }
        }
        return ii;
    }

    internal readonly record struct Box(int Left, int Top, int Right, int Bottom, int Area)
    {
        public int W => Right - Left;
        public int H => Bottom - Top;
    }

    /// <summary>Horizontal runs of a 0/1 mask joined 8-connected; <paramref name="parent"/> is the union-find forest.</summary>
    public static List<(int Start, int End, int Row)> Runs(byte[] mask, int w, int h, out List<int> parent)
    {
        var (s, e, r, p) = RunsCore(mask, w, h);
        parent = p;
        var list = new List<(int, int, int)>(s.Count);
        for (var i = 0; i < s.Count; i++) list.Add((s[i], e[i], r[i]));
        return list;
    }

    public static int FindRoot(List<int> parent, int i) => Find(parent, i);

    private static (List<int> Start, List<int> End, List<int> Row, List<int> Parent) RunsCore(byte[] mask, int w, int h)
    {
        var runStart = new List<int>();
        var runEnd = new List<int>();
        var runRow = new List<int>();
        var parent = new List<int>();
        var prevFirst = 0;
        var prevCount = 0;
        for (var y = 0; y < h; y++)
        {
            var row = y * w;
            var first = runStart.Count;
            var x = 0;
            while (x < w)
            {
                if (mask[row + x] == 0) { x++; continue; }
                var s = x;
                while (x < w && mask[row + x] != 0) x++;
                var id = runStart.Count;
                runStart.Add(s); runEnd.Add(x); runRow.Add(y); parent.Add(id);
                for (var k = prevFirst; k < prevFirst + prevCount; k++)
                {
                    if (runEnd[k] < s || runStart[k] > x) continue; // 8-connectivity: touching diagonally counts
                    Union(parent, id, k);
                }
            }
            prevFirst = first;
            prevCount = runStart.Count - first;
        }
        return (runStart, runEnd, runRow, parent);
    }

    /// <summary>8-connected components of a 0/1 mask (run-based union-find), as boxes with pixel counts.</summary>
    public static List<Box> Components(byte[] mask, int w, int h)
    {
        var (runStart, runEnd, runRow, parent) = RunsCore(mask, w, h);
        var boxes = new Dictionary<int, (int l, int t, int r, int b, int a)>();
        for (var i = 0; i < runStart.Count; i++)
        {
            var root = Find(parent, i);
            var len = runEnd[i] - runStart[i];
            if (boxes.TryGetValue(root, out var bx))
                boxes[root] = (Math.Min(bx.l, runStart[i]), Math.Min(bx.t, runRow[i]), Math.Max(bx.r, runEnd[i]), Math.Max(bx.b, runRow[i] + 1), bx.a + len);
            else
                boxes[root] = (runStart[i], runRow[i], runEnd[i], runRow[i] + 1, len);
        }
        return boxes.Values.Select(b => new Box(b.l, b.t, b.r, b.b, b.a)).ToList();
    }

    private static int Find(List<int> p, int i)
    {
        while (p[i] != i) { p[i] = p[p[i]]; i = p[i]; }
        return i;
    }

    private static void Union(List<int> p, int a, int b)
    {
        a = Find(p, a); b = Find(p, b);
        if (a != b) p[Math.Max(a, b)] = Math.Min(a, b);
    }

    /// <summary>
    /// Strokes too low to be glyphs ("一", a dash, the short strokes of "影" in a small font) leave a
    /// glyph-wide gap in a line. Lines on one row join when such fragments, at the row's mid-height,
    /// fill the gap between them so that no empty stretch is wider than about half a glyph.
    /// </summary>
    private static void BridgeFragmentGaps(List<Box> glyphs, List<int> parent, List<Box> comps, int minGlyph, int maxGlyph)
    {
        var extents = new Dictionary<int, (int Left, int Top, int Right, int Bottom, int Member)>();
        for (var i = 0; i < glyphs.Count; i++)
        {
            var root = Find(parent, i);
            var g = glyphs[i];
            extents[root] = extents.TryGetValue(root, out var e)
                ? (Math.Min(e.Left, g.Left), Math.Min(e.Top, g.Top), Math.Max(e.Right, g.Right), Math.Max(e.Bottom, g.Bottom), e.Member)
                : (g.Left, g.Top, g.Right, g.Bottom, i);
        }
        var frags = comps.Where(c => c.H < minGlyph && c.Area >= 3 && c.W <= maxGlyph).OrderBy(c => c.Left).ToList();
        if (frags.Count == 0) return;
        var fragLefts = frags.Select(f => f.Left).ToList();
        var lines = extents.Values.OrderBy(e => e.Left).ToList();
        for (var i = 0; i < lines.Count; i++)
            for (var j = i + 1; j < lines.Count && lines[j].Left <= lines[i].Right + maxGlyph * 2; j++)
            {
                var (a, b) = (lines[i], lines[j]);
                var gap = b.Left - a.Right;
                var (ah, bh) = (a.Bottom - a.Top, b.Bottom - b.Top);
                var (hMin, hMax) = (Math.Min(ah, bh), Math.Max(ah, bh));
                if (gap <= 0 || gap > hMax * 2 || hMin < hMax * 0.6) continue;
                if (Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top) < hMin * 0.6) continue;
                var bandTop = Math.Max(a.Top, b.Top) + hMin * 0.15;
                var bandBottom = Math.Min(a.Bottom, b.Bottom) - hMin * 0.15;
                var maxEmpty = hMin * 0.6;
                var x = a.Right;
                var k = fragLefts.BinarySearch(a.Right - maxGlyph);
                for (k = k < 0 ? ~k : k; k < frags.Count && frags[k].Left < b.Left && x < b.Left; k++)
                {
                    var f = frags[k];
                    var cy = (f.Top + f.Bottom) / 2.0;
                    if (f.Right <= x || cy < bandTop || cy > bandBottom) continue;
                    if (f.Left - x > maxEmpty) break;
                    x = Math.Max(x, f.Right);
                }
                if (b.Left - x <= maxEmpty) Union(parent, a.Member, b.Member);
            }
    }

    /// <summary>
    /// Glyph-like components chained into text lines. A solid box is not a glyph, except a thin
    /// upright bar: "l", "I", "1" and the stem of "i" fill their box, and dropping them broke lines
    /// ("the lazy" became "the" + "azy").
    /// </summary>
    public static List<TextRegion> Lines(List<Box> comps, int w, int h, TextPolarity polarity, int minGlyph, int maxLines)
    {
        var maxGlyph = Math.Max(minGlyph + 1, Math.Max(h / 4, Math.Min(h, 120))); // small images: one line may fill them
        var glyphs = comps.Where(c =>
                c.H >= minGlyph && c.H <= maxGlyph && c.W <= w * 9 / 10 && c.Area >= 6 &&
                c.W <= c.H * 40 && ((double)c.Area / (c.W * c.H) <= 0.92 || c.W * 3 <= c.H))
            .OrderBy(c => c.Left).ToList();
        var n = glyphs.Count;
        if (n == 0) return [];
        var parent = Enumerable.Range(0, n).ToList();
        for (var i = 0; i < n; i++)
        {
            var a = glyphs[i];
            for (var j = i + 1; j < n; j++)
            {
                var b = glyphs[j];
                if (b.Left - a.Right > maxGlyph * 1.3) break;
                var hMax = Math.Max(a.H, b.H);
                var hMin = Math.Min(a.H, b.H);
                if (b.Left - a.Right > hMax * 1.3) continue;
                if (hMin < hMax * 0.35) continue;
                var overlap = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
                if (overlap < hMin * 0.6) continue;
                Union(parent, i, j);
            }
        }
        BridgeFragmentGaps(glyphs, parent, comps, minGlyph, maxGlyph);

        var groups = new Dictionary<int, List<Box>>();
        for (var i = 0; i < n; i++)
        {
            var r = Find(parent, i);
            if (!groups.TryGetValue(r, out var list)) groups[r] = list = [];
            list.Add(glyphs[i]);
        }

        var lines = new List<(TextRegion Region, double Score)>();
        foreach (var group in groups.Values)
        {
            var g = group;
            var heights = g.Select(c => c.H).OrderBy(v => v).ToList();
            // Upper quartile, not median: a Han character breaks into many short strokes, the full glyph height is near the top.
            var med = heights[heights.Count * 3 / 4];
            var l = g.Min(c => c.Left); var t = g.Min(c => c.Top);
            var r = g.Max(c => c.Right); var b = g.Max(c => c.Bottom);
            var lw = r - l; var lh = b - t;
            if (lh > med * 2.2 && g.Count >= 4)
            {
                // A tall background blob (a strap, a pole) chained into the caption: drop it, keep the line.
                var m = med;
                g = g.Where(c => c.H <= m * 1.6).ToList();
                if (g.Count == 0) continue;
                heights = g.Select(c => c.H).OrderBy(v => v).ToList();
                med = heights[heights.Count * 3 / 4];
                l = g.Min(c => c.Left); t = g.Min(c => c.Top);
                r = g.Max(c => c.Right); b = g.Max(c => c.Bottom);
                lw = r - l; lh = b - t;
            }
            if (g.Count == 1 && (g[0].W < g[0].H * 0.5 || g[0].H < 12)) continue; // a lone stroke is not a caption
            if (g.Count == 2 && lw < med * 1.5) continue;
            if (lw < med * 0.8 || lh > med * 2.2) continue;
            // Captions have many glyphs of even height; rank so that busy backgrounds cannot crowd them out.
            var evenness = heights.Count(v => Math.Abs(v - med) <= med * 0.25) / (double)heights.Count;
            var bottoms = g.Select(c => c.Bottom).OrderBy(v => v).ToList();
            var medBottom = bottoms[bottoms.Count / 2];
            var aligned = bottoms.Count(v => Math.Abs(v - medBottom) <= Math.Max(2, med * 0.2)) / (double)bottoms.Count;
            var score = g.Count * evenness * aligned + Math.Min(lw / (double)med, 30) * aligned;
            lines.Add((new TextRegion(l, t, r, b, polarity, med, g.Count, score), score));
        }
        return lines.OrderByDescending(x => x.Score).Take(maxLines).Select(x => x.Region).ToList();
    }
}
