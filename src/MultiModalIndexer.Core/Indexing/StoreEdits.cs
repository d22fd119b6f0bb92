using MultiModalIndexer.Crawl;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Indexing;

/// <summary>
/// What the write side shares: the store (one write at a time), the ledger, thumbnails and the
/// edits that move or drop a video's documents (used by the crawl run, the per-video unit of work
/// and the integrity check).
/// </summary>
internal sealed class StoreEdits(IndexingOptions options, ISegmentStore store, Func<Ledger> ledger, ThumbnailStore thumbnails, string dataDir, ILogger logger)
{
    private readonly SemaphoreSlim _storeGate = new(1, 1);

    public IndexingOptions Options { get; } = options;
    public ISegmentStore Store { get; } = store;
    public Ledger Ledger => ledger();
    public ThumbnailStore Thumbnails { get; } = thumbnails;
    public string DataDir { get; } = dataDir;
    public ILogger Logger { get; } = logger;

    public async Task WriteAsync(Func<Task> write, CancellationToken ct)
    {
        await _storeGate.WaitAsync(ct);
        try { await write(); }
        finally { _storeGate.Release(); }
    }

    /// <summary>A move: the store documents are re-pointed to the new path (no models re-run). False → re-index instead.</summary>
    public async Task<bool> MoveAsync(MoveItem move, CancellationToken ct)
    {
        var videoId = move.From.VideoId!;
        if (!await RelocateAsync(videoId, move.To.Path, move.To.Source, ct)) return false;
        Ledger.Replace(move.From.Path, move.From with { Path = move.To.Path, Source = move.To.Source, Size = move.To.Size, MtimeTicks = move.To.MtimeTicks, MissingSince = null });
        Logger.LogInformation("Moved {From} → {To} (recognised by fingerprint; documents re-pointed).", move.From.Path, move.To.Path);
        return true;
    }

    public async Task<bool> RelocateAsync(string videoId, string path, string storage, CancellationToken ct)
    {
        var video = await Store.GetVideoAsync(videoId, ct);
        if (video is null) return false;
        var segments = await Store.GetSegmentsOfVideoAsync(videoId, ct);
        if (segments.Count != video.SegmentCount || segments.Count == 0) return false;
        var fileName = Path.GetFileName(path);
        var title = Path.GetFileNameWithoutExtension(path);
        var newVideo = video with { SourcePath = path, Storage = storage, FileName = fileName, Title = title };
        var newSegments = segments.Select(s => s with { SourcePath = path, Storage = storage, FileName = fileName, Title = title }).ToList();
        await WriteAsync(() => Store.UpsertVideoAsync(newVideo, newSegments, ct), ct);
        return true;
    }

    /// <summary>A vanished file: its documents go (or pass to a live copy), then its ledger row.</summary>
    public async Task ForgetAsync(LedgerRow row, CancellationToken ct)
    {
        if (row.VideoId is { } v) await ReleaseVideoAsync(v, row.Path, ct);
        if (row.PendingVideoId is { } p && p != row.VideoId) await ReleaseVideoAsync(p, row.Path, ct);
        Ledger.Delete(row.Path);
        Logger.LogInformation("Removed {File}: file deleted.", row.Path);
    }

    /// <summary>
    /// <paramref name="releasingPath"/> no longer holds <paramref name="videoId"/>: if another live
    /// file has the same content the documents are re-pointed to it, otherwise they are deleted.
    /// </summary>
    public async Task ReleaseVideoAsync(string videoId, string releasingPath, CancellationToken ct)
    {
        var heir = Ledger.WithVideoId(videoId).FirstOrDefault(r => r.Path != releasingPath && r.VideoId == videoId
            && r.Status == LedgerStatus.Indexed && r.PendingVideoId is null && File.Exists(r.Path));
        if (heir is not null)
        {
            var video = await Store.GetVideoAsync(videoId, ct);
            if (video is not null && video.SourcePath != releasingPath) return;
            if (await RelocateAsync(videoId, heir.Path, heir.Source, ct)) return;
        }
        await DropVideoAsync(videoId, ct);
    }

    public async Task DropVideoAsync(string videoId, CancellationToken ct)
    {
        await WriteAsync(() => Store.DeleteVideoAsync(videoId, ct), ct);
        Thumbnails.DeleteVideo(videoId);
    }
}
