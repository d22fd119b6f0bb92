namespace MultiModalIndexer.Inference.Ocr.Preprocessing;

/// <summary>
/// Cuts one candidate line out of a frame as dark text on white, the form Tesseract's LSTM reads
/// best, upscaled so glyphs are ~40 px tall (Tesseract loses small video text below ~20 px).
/// </summary>
internal static class LineCrop
{
    public const int TargetGlyphHeight = 40;

    /// <summary>
    /// The crop box: line box plus padding, NOT clipped to the frame. A caption wider than the frame
    /// touches its edge, and Tesseract misreads a glyph with no white margin beside it ("T" as "f"),
    /// so the part outside the frame is rendered as background.
    /// </summary>
    public static (int L, int T, int R, int B) PaddedBox(TextRegion r)
    {
        var pad = Math.Max(4, r.GlyphHeight / 3);
        return (r.Left - pad, r.Top - pad, r.Right + pad, r.Bottom + pad);
    }

    /// <summary>The crop box's pixels of a frame-sized buffer; <paramref name="outside"/> where the box leaves the frame.</summary>
    private static byte[] Window(ReadOnlySpan<byte> src, int w, int h, (int L, int T, int R, int B) box, byte outside)
    {
        var (l, t, rr, b) = box;
        var cw = rr - l; var ch = b - t;
        var dst = new byte[cw * ch];
        if (l < 0 || t < 0 || rr > w || b > h) Array.Fill(dst, outside);
        var x0 = Math.Max(0, l); var x1 = Math.Min(w, rr);
        if (x1 <= x0) return dst;
        for (var y = Math.Max(0, t); y < Math.Min(h, b); y++)
            src.Slice(y * w + x0, x1 - x0).CopyTo(dst.AsSpan((y - t) * cw + x0 - l));
        return dst;
    }

    /// <summary>
    /// Binary crop from the local-contrast mask (text black, everything else white), then scaled with
    /// bilinear interpolation so edges stay smooth. Busy backgrounds vanish because only strokes that
    /// beat their neighbourhood survive the mask.
    /// </summary>
    public static (byte[] Pixels, int Width, int Height, double Scale) FromMask(byte[] mask, int w, int h, TextRegion r)
    {
        var (l, t, rr, b) = PaddedBox(r);
        var cw = rr - l; var ch = b - t;
        var src = Window(mask, w, h, (l, t, rr, b), 0);
        src = KeepLineComponents(src, cw, ch, r.Left - l, r.Top - t, r.Right - l, r.Bottom - t, r.GlyphHeight);
        var scale = r.GlyphHeight < TargetGlyphHeight ? TargetGlyphHeight / (double)Math.Max(1, r.GlyphHeight) : 1.0;
        scale = Math.Min(scale, 4.0);
        if (scale <= 1.01) return (src, cw, ch, 1.0);
        var (dst, dw, dh) = Resize(src, cw, ch, scale);
        return (dst, dw, dh, scale);
    }

    /// <summary>
    /// Binary crop of the brightest level only (text black on white): burned-in white captions are the
    /// flat top level of their line, while an outline or a light bar just below them (video white 235
    /// over a 226 bar) stays out. This separates outlined and over-light captions that a neighbourhood
    /// contrast mask glues to their background.
    /// </summary>
    public static (byte[] Pixels, int Width, int Height, double Scale) FromTopLevel(ReadOnlySpan<byte> g, int w, int h, TextRegion r)
    {
        var (l, t, rr, b) = PaddedBox(r);
        var cw = rr - l; var ch = b - t;
        var hist = new int[256];
        var inside = 0;
        for (var y = Math.Max(0, t); y < Math.Min(h, b); y++)
            for (var x = Math.Max(0, l); x < Math.Min(w, rr); x++) { hist[g[y * w + x]]++; inside++; }
        // The level reached by the brightest 0.5 % of the crop (glyph cores), ignoring a few hot pixels.
        var need = Math.Max(1, inside / 200);
        var top = 255;
        for (int v = 255, acc = 0; v >= 0; v--) { acc += hist[v]; if (acc >= need) { top = v; break; } }
        var threshold = top - 5;
        var src = Window(g, w, h, (l, t, rr, b), 0);
        for (var i = 0; i < src.Length; i++) src[i] = src[i] >= threshold ? (byte)1 : (byte)0;
        src = KeepLineComponents(src, cw, ch, r.Left - l, r.Top - t, r.Right - l, r.Bottom - t, r.GlyphHeight);
        var scale = r.GlyphHeight < TargetGlyphHeight ? Math.Min(4.0, TargetGlyphHeight / (double)Math.Max(1, r.GlyphHeight)) : 1.0;
        if (scale <= 1.01) return (src, cw, ch, 1.0);
        var (dst, dw, dh) = Resize(src, cw, ch, scale);
        return (dst, dw, dh, scale);
    }

    /// <summary>
    /// Binary crop of the caption's own grey level: burned-in captions are drawn in one flat colour,
    /// so their stroke cores share one level whatever lies behind them. Pixels near the level the
    /// line's mask strokes mostly have are text; a background both darker (a suit) and brighter (a
    /// strap, a sky) than the caption drops out, which no one-sided threshold or contrast mask does.
    /// Null when the mask strokes have no clear level (textured or gradient text).
    /// </summary>
    public static (byte[] Pixels, int Width, int Height, double Scale)? FromLevel(ReadOnlySpan<byte> g, byte[] mask, int w, int h, TextRegion r)
    {
        var hist = new int[256];
        var n = 0;
        for (var y = Math.Max(0, r.Top); y < Math.Min(h, r.Bottom); y++)
            for (var x = Math.Max(0, r.Left); x < Math.Min(w, r.Right); x++)
                if (mask[y * w + x] != 0) { hist[g[y * w + x]]++; n++; }
        if (n < 20) return null;
        // The level: the densest 5-level window of the stroke pixels.
        int level = 0, best = -1;
        for (var v = 2; v < 254; v++)
        {
            var c = hist[v - 2] + hist[v - 1] + hist[v] + hist[v + 1] + hist[v + 2];
            if (c > best) { best = c; level = v; }
        }
        if (best * 4 < n) return null;
        // Tolerance: the band that holds half the stroke pixels (compressed video spreads the level).
        var tol = 16;
        for (var t = 4; t <= 16; t++)
        {
            var acc = 0;
            for (var v = Math.Max(0, level - t); v <= Math.Min(255, level + t); v++) acc += hist[v];
            if (acc * 2 >= n) { tol = t; break; }
        }
        var (l, t0, rr, b) = PaddedBox(r);
        var cw = rr - l; var ch = b - t0;
        var src = Window(g, w, h, (l, t0, rr, b), 0);
        for (var y = 0; y < ch; y++)
            for (var x = 0; x < cw; x++)
            {
                var (fx, fy) = (l + x, t0 + y);
                var inside = fx >= 0 && fy >= 0 && fx < w && fy < h;
                src[y * cw + x] = inside && Math.Abs(src[y * cw + x] - level) <= tol ? (byte)1 : (byte)0;
            }
        src = KeepLineComponents(src, cw, ch, r.Left - l, r.Top - t0, r.Right - l, r.Bottom - t0, r.GlyphHeight);
        var scale = r.GlyphHeight < TargetGlyphHeight ? Math.Min(4.0, TargetGlyphHeight / (double)Math.Max(1, r.GlyphHeight)) : 1.0;
        if (scale <= 1.01) return (src, cw, ch, 1.0);
        var (dst, dw, dh) = Resize(src, cw, ch, scale);
        return (dst, dw, dh, scale);
    }

    /// <summary>Grey crop normalised to dark-on-light with contrast stretched between text and background levels.</summary>
    public static (byte[] Pixels, int Width, int Height, double Scale) FromGrey(ReadOnlySpan<byte> g, byte[] mask, int w, int h, TextRegion r)
    {
        var (l, t, rr, b) = PaddedBox(r);
        var cw = rr - l; var ch = b - t;
        var invert = r.Polarity == TextPolarity.LightOnDark;
        // Outside the frame: the background's level (dark for light text, before inverting).
        var src = Window(g, w, h, (l, t, rr, b), invert ? (byte)0 : (byte)255);
        long textSum = 0; var textN = 0; long bgSum = 0; var bgN = 0;
        for (var y = 0; y < ch; y++)
            for (var x = 0; x < cw; x++)
            {
                var v = invert ? 255 - src[y * cw + x] : src[y * cw + x];
                src[y * cw + x] = (byte)v;
                var (fx, fy) = (l + x, t + y);
                if (fx < 0 || fy < 0 || fx >= w || fy >= h) continue;
                if (mask[fy * w + fx] != 0) { textSum += v; textN++; } else { bgSum += v; bgN++; }
            }
        if (textN > 0 && bgN > 0)
        {
            var lo = (int)(textSum / textN); var hi = (int)(bgSum / bgN);
            if (hi - lo > 8)
                for (var i = 0; i < src.Length; i++)
                    src[i] = (byte)Math.Clamp((src[i] - lo) * 255 / (hi - lo), 0, 255);
        }
        var scale = r.GlyphHeight < TargetGlyphHeight ? Math.Min(4.0, TargetGlyphHeight / (double)Math.Max(1, r.GlyphHeight)) : 1.0;
        if (scale <= 1.01) return (src, cw, ch, 1.0);
        var (dst, dw, dh) = Resize(src, cw, ch, scale);
        return (dst, dw, dh, scale);
    }

    /// <summary>
    /// Grey crop of the line's strokes only: the grey values inside the mask's line components grown
    /// by a pixel or two (so anti-aliased and compression-blurred edges keep their shading), the rest
    /// plain background. Compressed video leaves the binary masks with broken, ragged strokes and the
    /// plain grey crop with the background's texture; this crop has neither, and Tesseract binarises
    /// the shaded strokes itself.
    /// </summary>
    public static (byte[] Pixels, int Width, int Height, double Scale) FromMaskedGrey(ReadOnlySpan<byte> g, byte[] mask, int w, int h, TextRegion r)
    {
        var (l, t, rr, b) = PaddedBox(r);
        var cw = rr - l; var ch = b - t;
        var invert = r.Polarity == TextPolarity.LightOnDark;
        var src = Window(g, w, h, (l, t, rr, b), invert ? (byte)0 : (byte)255);
        var strokes = KeepLineComponents(Window(mask, w, h, (l, t, rr, b), 0), cw, ch, r.Left - l, r.Top - t, r.Right - l, r.Bottom - t, r.GlyphHeight);
        var grown = new bool[cw * ch];
        var grow = Math.Clamp(r.GlyphHeight / 12, 1, 3);
        for (var y = 0; y < ch; y++)
            for (var x = 0; x < cw; x++)
            {
                if (strokes[y * cw + x] != 0) continue;
                for (var yy = Math.Max(0, y - grow); yy <= Math.Min(ch - 1, y + grow); yy++)
                    for (var xx = Math.Max(0, x - grow); xx <= Math.Min(cw - 1, x + grow); xx++)
                        grown[yy * cw + xx] = true;
            }
        // Stretch between the strokes' mean level and their grown rim's, dark text on white.
        long textSum = 0, rimSum = 0; int textN = 0, rimN = 0;
        for (var i = 0; i < src.Length; i++)
        {
            int v = invert ? 255 - src[i] : src[i];
            src[i] = (byte)v;
            if (strokes[i] == 0) { textSum += v; textN++; }
            else if (grown[i]) { rimSum += v; rimN++; }
        }
        var lo = textN > 0 ? (int)(textSum / textN) : 0;
        var hi = rimN > 0 ? (int)(rimSum / rimN) : 255;
        for (var i = 0; i < src.Length; i++)
            src[i] = !grown[i] ? (byte)255 : hi - lo > 8 ? (byte)Math.Clamp((src[i] - lo) * 255 / (hi - lo), 0, 255) : src[i];
        var scale = r.GlyphHeight < TargetGlyphHeight ? Math.Min(4.0, TargetGlyphHeight / (double)Math.Max(1, r.GlyphHeight)) : 1.0;
        if (scale <= 1.01) return (src, cw, ch, 1.0);
        var (dst, dw, dh) = Resize(src, cw, ch, scale);
        return (dst, dw, dh, scale);
    }

    /// <summary>
    /// Renders (text black on white) only the mask components that belong to the line: they touch the
    /// line's box and are not much taller than its glyphs. Background speckles in the padding and big
    /// blobs of a busy photo that graze the caption are dropped, which is what keeps PSM 7 on track.
    /// </summary>
    internal static byte[] KeepLineComponents(byte[] mask01, int cw, int ch, int ll, int lt, int lr, int lb, int glyphH)
    {
        var runs = TextRegionDetector.Runs(mask01, cw, ch, out var parent);
        var boxes = new Dictionary<int, (int l, int t, int r, int b)>();
        for (var i = 0; i < runs.Count; i++)
        {
            var root = TextRegionDetector.FindRoot(parent, i);
            var (s, e, y) = runs[i];
            boxes[root] = boxes.TryGetValue(root, out var bx)
                ? (Math.Min(bx.l, s), Math.Min(bx.t, y), Math.Max(bx.r, e), Math.Max(bx.b, y + 1))
                : (s, y, e, y + 1);
        }
        var keep = new HashSet<int>();
        foreach (var (root, b) in boxes)
        {
            var intersects = b.r > ll && b.l < lr && b.b > lt && b.t < lb;
            var tooTall = b.b - b.t > glyphH * 1.8 + 2;
            if (intersects && !tooTall) keep.Add(root);
        }
        var dst = new byte[cw * ch];
        Array.Fill(dst, (byte)255);
        for (var i = 0; i < runs.Count; i++)
        {
            if (!keep.Contains(TextRegionDetector.FindRoot(parent, i))) continue;
            var (s, e, y) = runs[i];
            Array.Fill(dst, (byte)0, y * cw + s, e - s);
        }
        return dst;
    }

    public static (byte[] Pixels, int Width, int Height) Resize(byte[] src, int sw, int sh, double scale)
    {
        var dw = Math.Max(1, (int)Math.Round(sw * scale));
        var dh = Math.Max(1, (int)Math.Round(sh * scale));
        var dst = new byte[dw * dh];
        for (var y = 0; y < dh; y++)
        {
            var fy = Math.Clamp((y + 0.5) / scale - 0.5, 0, sh - 1);
            var y0 = (int)fy; var y1 = Math.Min(sh - 1, y0 + 1); var wy = fy - y0;
            for (var x = 0; x < dw; x++)
            {
                var fx = Math.Clamp((x + 0.5) / scale - 0.5, 0, sw - 1);
                var x0 = (int)fx; var x1 = Math.Min(sw - 1, x0 + 1); var wx = fx - x0;
                var top = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
                var bot = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
                dst[y * dw + x] = (byte)Math.Round(top * (1 - wy) + bot * wy);
            }
        }
        return (dst, dw, dh);
    }
}
