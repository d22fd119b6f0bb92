using MultiModalIndexer.Media;

namespace MultiModalIndexer.Inference.Ocr.Imaging;

/// <summary>
/// Image file → 8-bit grey pixels, for `./mmi ocr IMAGE` and tests: the media stage's
/// <see cref="StillImageReader"/> does the decoding (ffprobe/ffmpeg, timeouts, typed errors).
/// Bad input becomes a <see cref="MediaException"/> (NotFound, Empty, NotMedia, Corrupt, Timeout, ToolMissing).
/// </summary>
public static class StillImageDecoder
{
    public static async Task<GreyImage> ReadGreyAsync(string path, int maxLongSide = 4096, CancellationToken ct = default) =>
        await ReadGreyAsync(path, new MediaOptions(), maxLongSide, ct).ConfigureAwait(false);

    public static async Task<GreyImage> ReadGreyAsync(string path, MediaOptions media, int maxLongSide = 4096, CancellationToken ct = default)
    {
        var (px, w, h) = await new StillImageReader(media).ReadGreyAsync(path, maxLongSide, ct).ConfigureAwait(false);
        return new GreyImage(px, w, h);
    }
}
