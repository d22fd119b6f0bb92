using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

internal sealed record FileOutcome(string Path, string? Error, int Segments, double MediaSeconds);

/// <summary>
/// One file → its documents, crash-safely: the ledger records the video id about to be written
/// (status 'indexing') before the store write and success only after it; the store replaces a
/// video atomically. Failures of the media use the file's retry budget; failures of our own storage
/// (<see cref="StorageException"/>) leave the row as it was and stop the run.
/// </summary>
internal sealed class VideoUnitOfWork(StoreEdits edits, RunProgress progress)
{
    private IndexingOptions Options => edits.Options;
    private Ledger Ledger => edits.Ledger;

    public async Task<FileOutcome> RunAsync(PipelineContext ctx, IndexItem item, string versionsKey, CancellationToken ct)
    {
        var file = item.File;
        var fp = item.Fingerprint;
        var videoId = DocumentIds.VideoId(fp);
        var row = Ledger.Get(file.Path) ?? item.Row;
        var sameContent = row?.Fingerprint == fp;
        var baseRow = new LedgerRow
        {
            Path = file.Path, Source = file.Source, Size = file.Size, MtimeTicks = file.MtimeTicks, Fingerprint = fp,
            VideoId = row?.VideoId, Attempts = sameContent ? row!.Attempts : 0, ModelVersions = row?.ModelVersions,
            DocumentCount = row?.DocumentCount ?? 0, Duration = row?.Duration,
        };

        // A copy of content already indexed at another live path shares that video's documents.
        var twin = Ledger.WithVideoId(videoId).FirstOrDefault(r => r.Path != file.Path && r.VideoId == videoId
            && r.Status == LedgerStatus.Indexed && r.PendingVideoId is null && r.ModelVersions == versionsKey && File.Exists(r.Path));
        if (twin is not null)
        {
            if (row?.VideoId is { } old && old != videoId) await edits.ReleaseVideoAsync(old, file.Path, ct);
            Ledger.Upsert(baseRow with
            {
                Status = LedgerStatus.Indexed, VideoId = videoId, PendingVideoId = null, Attempts = 0, LastError = $"duplicate of {twin.Path}",
                ModelVersions = versionsKey, DocumentCount = twin.DocumentCount, Duration = twin.Duration,
            });
            progress.FileDone(file.Size);
            return new FileOutcome(file.Path, null, 0, 0);
        }

        Ledger.Upsert(baseRow with { Status = LedgerStatus.Indexing, PendingVideoId = videoId, LastError = null });
        var fileProgress = new FileProgress(file.Path);
        progress.InFlight[file.Path] = fileProgress;
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watchdog.CancelAfter(TimeSpan.FromSeconds(Options.FileTimeoutSeconds));
        double duration = 0;
        var written = false;
        try
        {
            var (video, segments, dur) = await VideoPipeline.BuildAsync(ctx, file.Path, file.Source, videoId, fileProgress, d =>
            {
                duration = d;
                watchdog.CancelAfter(TimeSpan.FromSeconds(Options.FileTimeoutSeconds + Options.FileTimeoutPerMediaSecond * Math.Max(0, d)));
            }, watchdog.Token);
            duration = dur;

            var sw = Stopwatch.StartNew();
            await edits.WriteAsync(() => edits.Store.UpsertVideoAsync(video, segments, ct), ct);
            written = true;
            ctx.Stats.Add("store", sw.Elapsed);
            if (row?.VideoId is { } previous && previous != videoId) await edits.ReleaseVideoAsync(previous, file.Path, ct);
            if (row?.PendingVideoId is { } stale && stale != videoId && stale != row.VideoId) await edits.ReleaseVideoAsync(stale, file.Path, ct);

            Ledger.Upsert(baseRow with
            {
                Status = LedgerStatus.Indexed, VideoId = videoId, PendingVideoId = null, Attempts = 0, LastError = null,
                NextAttemptAt = null, ModelVersions = versionsKey, DocumentCount = segments.Count, Duration = duration,
            });
            Interlocked.Add(ref progress.MediaMillis, (long)(duration * 1000));
            edits.Logger.LogInformation("Indexed {File}: {Segments} segments, {Duration:0.0}s of media.", file.Path, segments.Count, duration);
            return new FileOutcome(file.Path, null, segments.Count, duration);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw; // shutdown (or the run stopped): the row stays 'indexing' and is retried on the next start
        }
        catch (Exception e) when (e is not OutOfMemoryException && StorageErrors.Describe(e, edits.DataDir) is { } storage)
        {
            // Not the file's fault: the row stays 'indexing' with its attempts, and the run stops.
            throw storage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var (reason, permanent) = Describe(e, watchdog.IsCancellationRequested);
            var attempts = permanent ? Math.Max(Options.MaxAttempts, baseRow.Attempts + 1) : baseRow.Attempts + 1;
            var final = attempts >= Options.MaxAttempts;
            // Documents of older content at this path no longer describe the file.
            var keepVideo = row?.VideoId == videoId ? videoId : null;
            try
            {
                if (row?.VideoId is { } previous && previous != videoId) await edits.ReleaseVideoAsync(previous, file.Path, CancellationToken.None);
                if (keepVideo is null) await edits.ReleaseVideoAsync(videoId, file.Path, CancellationToken.None);
            }
            catch (Exception cleanup) when (cleanup is not OutOfMemoryException)
            {
                // The row below keeps the id pending, so the next run or a deletion cleans it up.
                edits.Logger.LogWarning("Could not remove documents of {File} after its failure: {Error}", file.Path, cleanup.Message);
                keepVideo = videoId;
            }
            Ledger.Upsert(baseRow with
            {
                Status = LedgerStatus.Failed, Attempts = attempts, LastError = reason, VideoId = keepVideo,
                PendingVideoId = written && keepVideo is null ? videoId : null,
                NextAttemptAt = final ? null : DateTimeOffset.UtcNow.AddSeconds(Options.RetryBackoffSeconds * Math.Pow(2, attempts - 1)),
                ModelVersions = versionsKey, DocumentCount = keepVideo is null ? 0 : baseRow.DocumentCount,
            });
            edits.Logger.LogWarning("Failed {File}: {Reason}", file.Path, reason);
            var shown = final ? reason : $"{reason} (attempt {attempts} of {Options.MaxAttempts}; will retry)";
            return new FileOutcome(file.Path, shown, 0, 0);
        }
        finally
        {
            progress.InFlight.TryRemove(file.Path, out _);
            progress.FileDone(file.Size);
        }
    }

    /// <summary>One-line reason and whether retrying the same bytes could help.</summary>
    private static (string Reason, bool Permanent) Describe(Exception e, bool timedOut) => e switch
    {
        OperationCanceledException when timedOut => ("timed out: the file took longer than the per-file limit (Indexing:FileTimeoutSeconds)", false),
        MediaException m => (m.Reason, m.Kind is MediaErrorKind.Empty or MediaErrorKind.NotMedia or MediaErrorKind.Corrupt or MediaErrorKind.NoVideoStream),
        AggregateException { InnerExceptions.Count: > 0 } a => Describe(a.InnerExceptions[0], timedOut),
        _ => ($"{e.GetType().Name}: {e.Message}", false),
    };
}
