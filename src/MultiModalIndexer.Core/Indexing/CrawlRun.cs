using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

/// <summary>The stages one video's pipeline needs (media tools and models), shared by every run.</summary>
internal sealed record PipelineStages(MediaProbe Probe, ShotDetector Shots, KeyframeExtractor Keyframes, AudioReader Audio, Modalities Modalities);

/// <summary>
/// One crawl: plan from the walk and the ledger, apply touches, moves, unavailable marks and
/// deletes, then index new and changed files on <see cref="IndexingOptions.MaxConcurrentVideos"/>
/// workers (copies of the same content after their primary). A storage error in any worker stops
/// the whole run with that one error; the files it interrupted stay 'indexing' for the next run.
/// </summary>
internal sealed class CrawlRun(StoreEdits edits, PipelineStages stages, RunProgress progress, PipelineStats stats)
{
    private IndexingOptions Options => edits.Options;
    private Ledger Ledger => edits.Ledger;
    private ILogger Logger => edits.Logger;

    public async Task<IndexRunReport> ExecuteAsync(IReadOnlyList<SourceOptions> sources, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var modalities = stages.Modalities;
        var versions = modalities.IndexingModelVersions();
        var versionsKey = Modalities.VersionsKey(versions);
        var plan = await new CrawlPlanner(Ledger, Options).PlanAsync(sources, versionsKey, ct);
        Logger.LogInformation("Crawl: {New} to index, {Touched} touched, {Moved} moved, {Deleted} deleted, {Unavailable} unavailable (kept), {Deferred} still being written, {Unchanged} unchanged, {Ignored} non-video files ignored.",
            plan.ToIndex.Count, plan.Touched.Count, plan.Moves.Count, plan.Deletes.Count, plan.Unavailable.Count, plan.Deferred, plan.Unchanged, plan.Ignored);

        foreach (var (row, file) in plan.Touched)
            Ledger.Upsert(row with { Size = file.Size, MtimeTicks = file.MtimeTicks, Source = file.Source, MissingSince = null });
        foreach (var row in plan.Returned)
            if (Ledger.Get(row.Path) is { MissingSince: not null } current) Ledger.Upsert(current with { MissingSince = null });
        var now = DateTimeOffset.UtcNow;
        foreach (var row in plan.Unavailable.Where(r => r.MissingSince is null))
            Ledger.Upsert(row with { MissingSince = now });
        if (plan.Unavailable.Count > 0)
            Logger.LogWarning("{Count} indexed file(s) are under a root or folder that is unavailable (unmounted, moved away or unreadable): their documents are kept and marked unavailable.", plan.Unavailable.Count);

        var moved = 0;
        foreach (var move in plan.Moves)
        {
            if (await edits.MoveAsync(move, ct)) moved++;
            else plan.ToIndex.Add(new IndexItem(move.To, move.From.Fingerprint!, Ledger.Get(move.To.Path)));
        }

        var deleted = 0;
        foreach (var row in plan.Deletes)
        {
            ct.ThrowIfCancellationRequested();
            await edits.ForgetAsync(row, ct);
            deleted++;
        }

        // Same content at two paths: index it once, then the copies become duplicates of it.
        var primaries = plan.ToIndex.GroupBy(i => i.Fingerprint).Select(g => g.First()).ToList();
        var copies = plan.ToIndex.Except(primaries).ToList();
        progress.Planned = plan.ToIndex.Count;
        progress.PlannedBytes = plan.ToIndex.Sum(i => i.File.Size);

        var outcomes = new ConcurrentBag<FileOutcome>();
        var unit = new VideoUnitOfWork(edits, progress);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        StorageException? stoppedBy = null;
        var clipEncoder = modalities.ImageEncoder;
        var ocrPool = modalities.Ocr;
        await using (var clip = clipEncoder is null ? null : new ClipBatcher(clipEncoder, modalities.ClipOptions.BatchSize, Options.KeyframeQueue, stats))
        await using (var ocr = ocrPool is null ? null : new OcrWorkers(ocrPool, Math.Max(1, Math.Min(Options.MaxConcurrentVideos, Math.Max(1, modalities.OcrOptions.MaxEngines))), Options.KeyframeQueue, stats))
        {
            var ctx = new PipelineContext
            {
                Probe = stages.Probe, Shots = stages.Shots, Keyframes = stages.Keyframes, Audio = stages.Audio, Thumbnails = edits.Thumbnails,
                Stats = stats, ModelVersions = versions, Clip = clip, Ocr = ocr,
                TextFrames = ocr is null ? null : new TextFrameSampler(stages.Keyframes.Options, Logger),
                Recognizer = modalities.Recognizer, Logger = Logger,
            };
            async Task Index(IndexItem item)
            {
                try
                {
                    outcomes.Add(await unit.RunAsync(ctx, item, versionsKey, stop.Token));
                }
                catch (StorageException e)
                {
                    Interlocked.CompareExchange(ref stoppedBy, e, null);
                    await stop.CancelAsync();
                }
            }
            var queue = Channel.CreateUnbounded<IndexItem>();
            foreach (var item in primaries.OrderBy(i => i.File.Path, StringComparer.Ordinal)) queue.Writer.TryWrite(item);
            queue.Writer.Complete();
            var workers = Enumerable.Range(0, Options.MaxConcurrentVideos).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await foreach (var item in queue.Reader.ReadAllAsync(stop.Token)) await Index(item);
                }
                catch (OperationCanceledException) when (stoppedBy is not null) { }
            }, ct)).ToList();
            await Task.WhenAll(workers);
            foreach (var item in copies)
            {
                if (stoppedBy is not null) break;
                await Index(item);
            }
        }
        if (stoppedBy is not null)
        {
            Logger.LogError("Indexing run stopped: {Error}", stoppedBy.Message);
            throw stoppedBy;
        }

        var failed = plan.Problems.Concat(plan.KeptFailed)
            .Concat(outcomes.Where(o => o.Error is not null).Select(o => new FailedFile(o.Path, o.Error!)))
            .OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var ok = outcomes.Where(o => o.Error is null).ToList();
        wall.Stop();
        var report = new IndexRunReport(ok.Count, ok.Sum(o => o.Segments), deleted, plan.Unchanged, failed)
        {
            Moved = moved,
            Touched = plan.Touched.Count,
            MediaSeconds = ok.Sum(o => o.MediaSeconds),
            Elapsed = wall.Elapsed,
            Unavailable = plan.Unavailable.Count,
            Deferred = plan.Deferred,
        };
        Logger.LogInformation("Indexing run done in {Elapsed:0.0}s: {Indexed} indexed ({Segments} segments), {Failed} failed, {Deleted} deleted, {Moved} moved.",
            wall.Elapsed.TotalSeconds, report.Indexed, report.Segments, failed.Count, deleted, moved);
        return report;
    }
}
