// API SKELETON written by the integrator so later stages compile against it.
// The media stage replaces these bodies (and may split this file by class); keep the signatures.
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>ffprobe JSON → <see cref="MediaInfo"/>; bad input → <see cref="MediaException"/>.</summary>
public sealed class MediaProbe(MediaOptions options, ILogger<MediaProbe>? logger = null)
{
    public Task<MediaInfo> ProbeAsync(string path, CancellationToken ct = default) =>
        throw new NotImplementedException($"{options}{logger}");
}

/// <summary>Shot boundaries (cuts, fades, dissolves) and the segment/keyframe policy over them.</summary>
public sealed class ShotDetector(MediaOptions options, ILogger<ShotDetector>? logger = null)
{
    public Task<ShotAnalysis> AnalyzeAsync(MediaInfo media, CancellationToken ct = default) =>
        throw new NotImplementedException($"{options}{logger}");
}

/// <summary>One decode pass over a video that yields every keyframe's CLIP input, OCR frame and thumbnail.</summary>
public sealed class KeyframeExtractor(MediaOptions options, ILogger<KeyframeExtractor>? logger = null)
{
    public async IAsyncEnumerable<KeyframeImage> ExtractAsync(MediaInfo media, IReadOnlyList<SegmentSpan> segments,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.Yield();
        throw new NotImplementedException($"{options}{logger}");
#pragma warning disable CS0162
        yield break;
#pragma warning restore CS0162
    }
}

/// <summary>16 kHz mono float PCM of the first audio stream, streamed in chunks.</summary>
public sealed class AudioReader(MediaOptions options, ILogger<AudioReader>? logger = null)
{
    public async IAsyncEnumerable<float[]> ReadPcm16kMonoAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.Yield();
        throw new NotImplementedException($"{options}{logger}");
#pragma warning disable CS0162
        yield break;
#pragma warning restore CS0162
    }
}

/// <summary>Still images (uploads for image search, OCR of image files) decoded by ffmpeg.</summary>
public sealed class StillImageReader(MediaOptions options, ILogger<StillImageReader>? logger = null)
{
    /// <summary>The exact CLIP input (shorter side 224 bicubic, centre crop, RGB bytes) of an image file.</summary>
    public Task<byte[]> ReadClipRgbAsync(string imagePath, CancellationToken ct = default) =>
        throw new NotImplementedException($"{options}{logger}");

    /// <summary>8-bit grey pixels of an image file at its own size (long side capped at <paramref name="maxLongSide"/>).</summary>
    public Task<(byte[] Pixels, int Width, int Height)> ReadGreyAsync(string imagePath, int maxLongSide = 4096, CancellationToken ct = default) =>
        throw new NotImplementedException($"{options}{logger}");
}
