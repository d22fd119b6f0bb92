using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>Still images (uploads for image search, OCR of image files) decoded by ffmpeg.</summary>
public sealed class StillImageReader(MediaOptions options, ILogger<StillImageReader>? logger = null)
{
    /// <summary>The exact CLIP input (shorter side 224 bicubic, centre crop, RGB bytes) of an image file.</summary>
    public async Task<byte[]> ReadClipRgbAsync(string imagePath, CancellationToken ct = default)
    {
        var (w, h, upright) = await SizeAsync(imagePath, ct).ConfigureAwait(false);
        const int bytes = KeyframeImage.ClipSize * KeyframeImage.ClipSize * 3;
        var data = await DecodeAsync(imagePath, upright + FrameGeometry.ClipFilter(w, h), "rgb24", bytes, ct).ConfigureAwait(false);
        return data;
    }

    /// <summary>8-bit grey pixels of an image file at its own size (long side capped at <paramref name="maxLongSide"/>).</summary>
    public async Task<(byte[] Pixels, int Width, int Height)> ReadGreyAsync(string imagePath, int maxLongSide = 4096, CancellationToken ct = default)
    {
        var (w, h, upright) = await SizeAsync(imagePath, ct).ConfigureAwait(false);
        var (gw, gh) = FrameGeometry.Grey(w, h, maxLongSide);
        var data = await DecodeAsync(imagePath, $"{upright}scale={gw}:{gh}:flags=area,format=gray", "gray", gw * gh, ct).ConfigureAwait(false);
        return (data, gw, gh);
    }

    private async Task<byte[]> DecodeAsync(string path, string filter, string pixFmt, int expected, CancellationToken ct)
    {
        string[] args =
        [
            // Orientation is applied by our own filters (all eight EXIF cases): ffmpeg's own turning
            // covers only some, and ffprobe reports the stored size, which the scale must match.
            "-nostdin", "-hide_banner", "-v", "error", "-noautorotate", "-i", FfmpegProcess.InputArg(path), "-map", "0:v:0", "-frames:v", "1",
            "-vf", filter, "-f", "rawvideo", "-pix_fmt", pixFmt, "pipe:1",
        ];
        var data = await FfmpegProcess.RunToBytesAsync(options.FfmpegPath, args, path, TimeSpan.FromSeconds(options.DecodeTimeoutSeconds),
            logger, ct, maxBytes: expected).ConfigureAwait(false);
        if (data.Length != expected)
            throw new MediaException(MediaErrorKind.Corrupt, path, $"decoded {data.Length} bytes, expected {expected}");
        return data;
    }

    /// <summary>
    /// Width and height of the first picture as it is meant to be seen, and the filters that turn it
    /// upright: phone photos store the sensor's orientation in EXIF (ffmpeg reports it as a frame tag),
    /// and CLIP on a sideways photo finds the wrong moments.
    /// </summary>
    private async Task<(int W, int H, string Upright)> SizeAsync(string path, CancellationToken ct)
    {
        MediaProbe.CheckFile(path);
        string[] args =
        [
            "-hide_banner", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1",
            "-show_entries", "stream=width,height:frame_tags=Orientation", "-of", "json", "-i", FfmpegProcess.InputArg(path),
        ];
        var json = await FfmpegProcess.RunToBytesAsync(options.FfprobePath, args, path, TimeSpan.FromSeconds(options.ProbeTimeoutSeconds),
            logger, ct, maxBytes: 1 << 16).ConfigureAwait(false);
        var (w, h, orientation) = ParseSize(json);
        if (w <= 0 || h <= 0) throw new MediaException(MediaErrorKind.NotMedia, path, "not an image (no picture stream found)");
        var upright = UprightFilter(orientation);
        return orientation is >= 5 and <= 8 ? (h, w, upright) : (w, h, upright);
    }

    internal static (int W, int H, int Orientation) ParseSize(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            int w = 0, h = 0, orientation = 1;
            if (doc.RootElement.TryGetProperty("streams", out var streams) && streams.GetArrayLength() > 0)
            {
                var s = streams[0];
                w = s.TryGetProperty("width", out var pw) && pw.TryGetInt32(out var wv) ? wv : 0;
                h = s.TryGetProperty("height", out var ph) && ph.TryGetInt32(out var hv) ? hv : 0;
            }
            if (doc.RootElement.TryGetProperty("frames", out var frames) && frames.GetArrayLength() > 0
                && frames[0].TryGetProperty("tags", out var tags) && tags.TryGetProperty("Orientation", out var o)
                && int.TryParse(o.GetString()?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ov) && ov is >= 1 and <= 8)
                orientation = ov;
            return (w, h, orientation);
        }
        catch (JsonException)
        {
            return (0, 0, 1);
        }
    }

    /// <summary>ffmpeg filters for EXIF orientations 2-8 (1 and unknown: none), each ending in a comma.</summary>
    internal static string UprightFilter(int orientation) => orientation switch
    {
        2 => "hflip,",
        3 => "hflip,vflip,",
        4 => "vflip,",
        5 => "transpose=cclock_flip,",   // mirror about the main diagonal
        6 => "transpose=clock,",
        7 => "transpose=clock_flip,",    // mirror about the other diagonal
        8 => "transpose=cclock,",
        _ => "",
    };
}
