using System.Globalization;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

/// <summary>What the store/ledger check found (and, when repairing, fixed). <see cref="Lines"/> is for people.</summary>
public sealed class IntegrityReport
{
    public List<string> Lines { get; } = [];
    /// <summary>Where a damaged store or ledger was moved aside (null when none was).</summary>
    public string? StoreMovedTo { get; set; }
    public string? LedgerMovedTo { get; set; }
    public bool StoreReplaced { get; set; }
    /// <summary>Indexed files whose documents in the store are missing or incomplete (re-indexed).</summary>
    public int Mismatches { get; set; }
    /// <summary>Store videos no ledger row knew: adopted when their file is there unchanged, else removed.</summary>
    public int Adopted { get; set; }
    public int OrphansRemoved { get; set; }
    public int MissingThumbnails { get; set; }
    public bool Healthy => StoreMovedTo is null && LedgerMovedTo is null && !StoreReplaced && Mismatches == 0 && Adopted == 0 && OrphansRemoved == 0 && MissingThumbnails == 0;
}

/// <summary>
/// The store and the ledger verify each other (at the start of every crawl and by `./mmi doctor`):
/// the store id the ledger last agreed with, the segment count of every indexed video, orphans either
/// way, thumbnails. Repairing resets files whose documents are gone (the crawl re-indexes them from
/// the media), adopts store videos whose file is present and unchanged (a lost ledger is rebuilt from
/// the store and the file system) and removes the rest.
/// </summary>
internal sealed class StoreLedgerCheck(StoreEdits edits, MediaResolver resolver)
{
    public const string StoreIdKey = "store_id", StoreGenerationKey = "store_generation";

    public async Task<IntegrityReport> RunAsync(IntegrityReport report, bool repair, CancellationToken ct)
    {
        var ledger = edits.Ledger;
        var store = edits.Store;
        var log = edits.Logger;
        void Say(string line)
        {
            report.Lines.Add(line);
            if (repair) log.LogWarning("{Line}", line);
        }

        var identity = await store.IdentityAsync(ct);
        var knownId = ledger.GetMeta(StoreIdKey);
        var rows = ledger.All();
        if (identity is not null && knownId is not null && knownId != identity.StoreId && rows.Any(r => r.VideoId is not null || r.PendingVideoId is not null))
        {
            report.StoreReplaced = true;
            var affected = rows.Count(r => r.VideoId is not null);
            Say($"The store is not the one the ledger was written with (lost or replaced): {affected} file(s) {(repair ? "will be" : "need to be")} re-indexed from the media.");
            if (repair)
                foreach (var r in rows.Where(r => r.VideoId is not null || r.PendingVideoId is not null))
                    ledger.Upsert(r with { Status = LedgerStatus.Pending, VideoId = null, PendingVideoId = null, DocumentCount = 0, Attempts = 0, NextAttemptAt = null });
            rows = ledger.All();
        }

        var counts = await store.SegmentCountsAsync(ct);
        foreach (var r in rows.Where(r => r.Status == LedgerStatus.Indexed && r.VideoId is not null && r.PendingVideoId is null))
        {
            if (counts.TryGetValue(r.VideoId!, out var n) && n == r.DocumentCount) continue;
            report.Mismatches++;
            if (repair) ledger.Upsert(r with { Status = LedgerStatus.Pending, Attempts = 0, NextAttemptAt = null });
        }
        if (report.Mismatches > 0)
            Say($"{report.Mismatches} indexed file(s) have missing or incomplete documents in the store: {(repair ? "re-indexing them" : "they need re-indexing")} from the media.");

        var referenced = new HashSet<string>(rows.SelectMany(r => new[] { r.VideoId, r.PendingVideoId }).OfType<string>(), StringComparer.Ordinal);
        foreach (var (videoId, segments) in counts)
        {
            if (referenced.Contains(videoId)) continue;
            var video = await store.GetVideoAsync(videoId, ct);
            // Its folder is unavailable (unmounted, moved away): nothing to compare with, so keep it.
            if (video is not null && !File.Exists(video.SourcePath) && !Directory.Exists(Path.GetDirectoryName(video.SourcePath))) continue;
            var adopt = video is not null && segments == video.SegmentCount && segments > 0 && await SameContentAsync(video.SourcePath, videoId, ct)
                        && ledger.Get(video.SourcePath) is null;
            if (adopt)
            {
                report.Adopted++;
                if (repair)
                {
                    var fi = new FileInfo(video!.SourcePath);
                    ledger.Upsert(new LedgerRow
                    {
                        Path = video.SourcePath, Source = video.Storage, Size = fi.Length, MtimeTicks = fi.LastWriteTimeUtc.Ticks,
                        Fingerprint = await FileFingerprint.ComputeAsync(video.SourcePath, ct), Status = LedgerStatus.Indexed, VideoId = videoId,
                        ModelVersions = Modalities.VersionsKey(video.ModelVersions), DocumentCount = segments, Duration = video.Duration,
                    });
                }
            }
            else
            {
                report.OrphansRemoved++;
                if (repair) await edits.DropVideoAsync(videoId, ct);
            }
        }
        if (report.Adopted > 0) Say($"{report.Adopted} video(s) in the store had no ledger row but their file is unchanged: {(repair ? "adopted" : "to adopt")} (no re-index).");
        if (report.OrphansRemoved > 0) Say($"{report.OrphansRemoved} video(s) in the store belong to no current file: {(repair ? "removed" : "to remove")}.");

        foreach (var r in ledger.All().Where(r => r.Status == LedgerStatus.Indexed && r.VideoId is not null && r.PendingVideoId is null && r.DocumentCount > 0))
        {
            if (Directory.Exists(Path.Combine(edits.Thumbnails.Directory, r.VideoId!)) || !File.Exists(r.Path)) continue;
            report.MissingThumbnails++;
            if (repair) await resolver.RegenerateVideoAsync(r.VideoId!, ct);
        }
        if (report.MissingThumbnails > 0) Say($"{report.MissingThumbnails} video(s) had lost their thumbnails: {(repair ? "rendered again" : "to render again")} from the media.");

        if (repair && await store.IdentityAsync(ct) is { } now) Record(ledger, now);
        return report;
    }

    public static void Record(Ledger ledger, StoreIdentity identity)
    {
        ledger.SetMeta(StoreIdKey, identity.StoreId);
        ledger.SetMeta(StoreGenerationKey, identity.Generation.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<bool> SameContentAsync(string path, string videoId, CancellationToken ct)
    {
        try
        {
            var fi = new FileInfo(path);
            if (!fi.Exists || fi.Length == 0) return false; // length 0 also keeps FIFOs and devices unopened
            return DocumentIds.VideoId(await FileFingerprint.ComputeAsync(path, ct)) == videoId;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
