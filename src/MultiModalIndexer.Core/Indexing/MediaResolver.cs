using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

/// <summary>
/// The read side: a video id → its file (only under a configured root, never a client path), a
/// thumbnail reference → its JPEG. A thumbnail that went missing (thumbs/ deleted) is rendered again
/// from the media on demand; <see cref="RegenerateVideoAsync"/> does a whole video for the crawl.
/// </summary>
public sealed class MediaResolver
{
    private readonly Func<Ledger?> _ledger;
    private readonly ISegmentStore _store;
    private readonly MediaOptions _media;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _roots = new(StringComparer.Ordinal);

    internal MediaResolver(Func<Ledger?> ledger, ISegmentStore store, ThumbnailStore thumbnails, MediaOptions media, ILogger logger)
    {
        _ledger = ledger;
        _store = store;
        Thumbnails = thumbnails;
        _media = media;
        _logger = logger;
    }

    public ThumbnailStore Thumbnails { get; }

    public void RememberRoot(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) return;
        try { _roots[RealPath.Resolve(root) ?? Path.GetFullPath(root)] = 0; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { /* unusable roots resolve nothing */ }
    }

    /// <summary>Resolves a video id to its file on disk, only if it is under a configured root (never a client path).</summary>
    public string? ResolveMediaPath(string videoId)
    {
        if (string.IsNullOrEmpty(videoId) || videoId.Length > 64 || !videoId.All(char.IsAsciiHexDigitLower)) return null;
        if (_ledger() is not { } ledger) return null;
        foreach (var row in ledger.WithVideoId(videoId))
        {
            if (row.VideoId != videoId || row.Status != LedgerStatus.Indexed || !File.Exists(row.Path)) continue;
            var real = RealPath.Resolve(row.Path);
            if (real is not null && _roots.Keys.Any(root => RealPath.IsAtOrUnder(real, root))) return row.Path;
        }
        return null;
    }

    /// <summary>Thumbnail JPEG for a segment's ThumbnailRef (rendered again if it went missing), or null.</summary>
    public async Task<byte[]?> GetThumbnailAsync(string thumbnailRef, CancellationToken ct = default)
    {
        var jpeg = await Thumbnails.ReadAsync(thumbnailRef, ct);
        if (jpeg is not null || !ThumbnailStore.TryParse(thumbnailRef, out var videoId, out var ordinal)) return jpeg;
        var segment = (await _store.GetSegmentsOfVideoAsync(videoId, ct)).FirstOrDefault(s => s.Ordinal == ordinal && s.ThumbnailRef == thumbnailRef);
        if (segment is null || ResolveMediaPath(videoId) is not { } path) return null;
        return await RenderAsync(path, videoId, segment.Ordinal, ThumbnailTime(segment.Start, segment.End, segment.KeyframeTimes), ct);
    }

    /// <summary>Renders every thumbnail of a video whose JPEG is missing; returns how many were written.</summary>
    public async Task<int> RegenerateVideoAsync(string videoId, CancellationToken ct)
    {
        if (ResolveMediaPath(videoId) is not { } path) return 0;
        var written = 0;
        foreach (var s in await _store.GetSegmentsOfVideoAsync(videoId, ct))
        {
            if (s.ThumbnailRef is null || await Thumbnails.ReadAsync(s.ThumbnailRef, ct) is not null) continue;
            if (await RenderAsync(path, videoId, s.Ordinal, ThumbnailTime(s.Start, s.End, s.KeyframeTimes), ct) is not null) written++;
        }
        return written;
    }

    /// <summary>The keyframe nearest the segment's middle, as the pipeline chose it.</summary>
    private static double ThumbnailTime(double start, double end, IReadOnlyList<double> keyframes)
    {
        var mid = (start + end) / 2;
        return keyframes.Count == 0 ? mid : keyframes.MinBy(t => Math.Abs(t - mid));
    }

    private async Task<byte[]?> RenderAsync(string path, string videoId, int ordinal, double time, CancellationToken ct)
    {
        string[] args =
        [
            "-hide_banner", "-loglevel", "error", "-nostdin",
            "-ss", time.ToString("0.###", CultureInfo.InvariantCulture), "-i", FfmpegProcess.InputArg(path),
            "-frames:v", "1", "-vf", $"scale={_media.ThumbnailWidth}:-2", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "4", "pipe:1",
        ];
        try
        {
            var jpeg = await FfmpegProcess.RunToBytesAsync(_media.FfmpegPath, args, path, TimeSpan.FromSeconds(30), _logger, ct, maxBytes: 8 << 20);
            if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return null;
            await Thumbnails.WriteAsync(videoId, ordinal, jpeg, ct);
            return jpeg;
        }
        catch (MediaException e)
        {
            _logger.LogWarning("Could not render thumbnail {Video}/{Ordinal} from {File}: {Error}", videoId, ordinal, path, e.Reason);
            return null;
        }
    }
}
