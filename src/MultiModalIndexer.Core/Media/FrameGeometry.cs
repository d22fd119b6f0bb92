namespace MultiModalIndexer.Media;

/// <summary>Output sizes computed up front so raw frames from ffmpeg can be sliced without guessing.</summary>
internal static class FrameGeometry
{
    /// <summary>CLIP resize: shorter side to 224, the longer truncated like torchvision's Resize, before the centre crop.</summary>
    public static (int W, int H) ClipResize(int w, int h)
    {
        const int s = KeyframeImage.ClipSize;
        if (w <= 0 || h <= 0) return (s, s);
        return w <= h ? (s, Math.Max(s, (int)((long)s * h / w))) : (Math.Max(s, (int)((long)s * w / h)), s);
    }

    /// <summary>Grey OCR frame: long side capped at <paramref name="longSide"/>, never upscaled.</summary>
    public static (int W, int H) Grey(int w, int h, int longSide)
    {
        var longest = Math.Max(w, h);
        if (longest <= longSide) return (Math.Max(1, w), Math.Max(1, h));
        var f = (double)longSide / longest;
        return (Math.Max(1, (int)Math.Round(w * f)), Math.Max(1, (int)Math.Round(h * f)));
    }

    /// <summary>Thumbnail: the given width (never upscaled), even sizes for the JPEG encoder.</summary>
    public static (int W, int H) Thumbnail(int w, int h, int width)
    {
        var tw = Math.Max(2, Math.Min(width, w) & ~1);
        var th = Math.Max(2, (int)Math.Round((double)h * tw / Math.Max(1, w) / 2) * 2);
        return (tw, th);
    }

    /// <summary>The ffmpeg filter that cuts the exact CLIP input out of any frame.</summary>
    public static string ClipFilter(int w, int h)
    {
        var (cw, ch) = ClipResize(w, h);
        return $"scale={cw}:{ch}:flags=bicubic,crop={KeyframeImage.ClipSize}:{KeyframeImage.ClipSize},format=rgb24";
    }
}
