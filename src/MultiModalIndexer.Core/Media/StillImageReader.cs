using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>Still images (uploads for image search, OCR of image files) decoded by ffmpeg.</summary>
public sealed class StillImageReader(MediaOptions options, ILogger<StillImageReader>? logger = null)
{
    /// <summary>The exact CLIP input (shorter side 224 bicubic, centre crop, RGB bytes) of an image file.</summary>
    public async Task<byte[]> ReadClipRgbAsync(string imagePath, CancellationToken ct = default)
    {
        var (w, h) = await SizeAsync(imagePath, ct).ConfigureAwait(false);
        const int bytes = KeyframeImage.ClipSize * KeyframeImage.ClipSize * 3;
        var data = await DecodeAsync(imagePath, FrameGeometry.ClipFilter(w, h), "rgb24", bytes, ct).ConfigureAwait(false);
        return data;
    }

    /// <summary>8-bit grey pixels of an image file at its own size (long side capped at <paramref name="maxLongSide"/>).</summary>
    public async Task<(byte[] Pixels, int Width, int Height)> ReadGreyAsync(string imagePath, int maxLongSide = 4096, CancellationToken ct = default)
    {
        var (w, h) = await SizeAsync(imagePath, ct).ConfigureAwait(false);
        var (gw, gh) = FrameGeometry.Grey(w, h, maxLongSide);
        var data = await DecodeAsync(imagePath, $"scale={gw}:{gh}:flags=area,format=gray", "gray", gw * gh, ct).ConfigureAwait(false);
        return (data, gw, gh);
    }

    private async Task<byte[]> DecodeAsync(string path, string filter, string pixFmt, int expected, CancellationToken ct)
    {
        string[] args =
        [
            "-nostdin", "-hide_banner", "-v", "error", "-i", FfmpegProcess.InputArg(path), "-map", "0:v:0", "-frames:v", "1",
            "-vf", filter, "-f", "rawvideo", "-pix_fmt", pixFmt, "pipe:1",
        ];
        var data = await FfmpegProcess.RunToBytesAsync(options.FfmpegPath, args, path, TimeSpan.FromSeconds(options.DecodeTimeoutSeconds),
            logger, ct, maxBytes: expected).ConfigureAwait(false);
        if (data.Length != expected)
            throw new MediaException(MediaErrorKind.Corrupt, path, $"decoded {data.Length} bytes, expected {expected}");
        return data;
    }

    /// <summary>Width and height of the first video (image) stream.</summary>
    private async Task<(int W, int H)> SizeAsync(string path, CancellationToken ct)
    {
        MediaProbe.CheckFile(path);
        string[] args =
        [
            "-hide_banner", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
            "-of", "csv=p=0", "-i", FfmpegProcess.InputArg(path),
        ];
        var outBytes = await FfmpegProcess.RunToBytesAsync(options.FfprobePath, args, path, TimeSpan.FromSeconds(options.ProbeTimeoutSeconds),
            logger, ct, maxBytes: 4096).ConfigureAwait(false);
        var parts = Encoding.UTF8.GetString(outBytes).Trim().Split('\n')[0].Split(',');
        if (parts.Length >= 2
            && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var w)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var h) && w > 0 && h > 0)
            return (w, h);
        throw new MediaException(MediaErrorKind.NotMedia, path, "not an image (no picture stream found)");
    }
}
