using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MultiModalIndexer.Common;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

/// <summary>
/// Crawls sources and keeps the store current: new/changed files indexed, deleted removed.
/// Crash safety rests on one ordering rule: the ledger records the video id about to be written
/// (status 'indexing') before the store write, and records success only after it; the store
/// replaces a video atomically. So after a kill at any moment the next run finds every unfinished
/// file still 'indexing' (retried, same deterministic ids) and every id the store may hold.
/// </summary>
public sealed class Indexer : IAsyncDisposable
{
    private readonly IndexingOptions _options;
    private readonly ISegmentStore _store;
    private readonly MediaProbe _probe;
    private readonly ShotDetector _shots;
    private readonly KeyframeExtractor _keyframes;
    private readonly AudioReader _audio;
    private readonly Modalities _modalities;
    private readonly ILogger _logger;
    private readonly Lazy<Ledger> _ledger;
    private readonly SemaphoreSlim _runGate = new(1, 1);
    private readonly SemaphoreSlim _storeGate = new(1, 1);
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private readonly ConcurrentDictionary<string, FileProgress> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _knownRoots = new(StringComparer.Ordinal);
    private bool _schemaReady;

    // Progress of the running (or last) run.
    private volatile bool _running;
    private long _runStartTicks;
    private long _runPlannedBytes, _runDoneBytes, _runMediaMillis;
    private int _runPlanned, _runDone;
    private DateTimeOffset? _lastRunFinished;
    private TimeSpan _lastRunElapsed;

    public Indexer(IndexingOptions options, IReadOnlyList<SourceOptions> sources, ISegmentStore store,
        MediaProbe probe, ShotDetector shots, KeyframeExtractor keyframes, AudioReader audio,
        Modalities modalities, ILogger<Indexer>? logger = null)
    {
        _options = options;
        Sources = sources;
        _store = store;
        _probe = probe;
        _shots = shots;
        _keyframes = keyframes;
        _audio = audio;
        _modalities = modalities;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        DataDir = Path.GetFullPath(options.DataDir);
        Thumbnails = new ThumbnailStore(Path.Combine(DataDir, "thumbs"));
        _ledger = new Lazy<Ledger>(() => new Ledger(Path.Combine(DataDir, "ledger.db")) { MaxAttemptsForCounts = options.MaxAttempts });
        foreach (var s in sources) RememberRoot(s.Root);
    }

    /// <summary>The sources from configuration ("Sources" array); the daemon crawls these.</summary>
    public IReadOnlyList<SourceOptions> Sources { get; }

    public string DataDir { get; }
    public ThumbnailStore Thumbnails { get; }
    public Modalities Modalities => _modalities;

    /// <summary>Per-stage wall seconds of the last run (probe, shots, keyframes, clip, ocr, asr, store).</summary>
    public PipelineStats LastRunStats { get; private set; } = new();

    internal Ledger Ledger => _ledger.Value;

    /// <summary>Crawls the configured <see cref="Sources"/>.</summary>
    public Task<IndexRunReport> RunAsync(CancellationToken ct = default) => RunAsync(Sources, ct);

    /// <summary>One crawl + indexing run over the given sources; concurrent calls are serialised.</summary>
    public async Task<IndexRunReport> RunAsync(IReadOnlyList<SourceOptions> sources, CancellationToken ct = default)
    {
        await _runGate.WaitAsync(ct);
        var stats = new PipelineStats();
        LastRunStats = stats;
        var wall = Stopwatch.StartNew();
        try
        {
            _running = true;
            _runStartTicks = Stopwatch.GetTimestamp();
            _runPlannedBytes = _runDoneBytes = _runMediaMillis = 0;
            _runPlanned = _runDone = 0;
            foreach (var s in sources) RememberRoot(s.Root);
            await EnsureSchemaAsync(ct);

            var versions = _modalities.IndexingModelVersions();
            var versionsKey = Modalities.VersionsKey(versions);
            var plan = await new CrawlPlanner(Ledger, _options).PlanAsync(sources, versionsKey, ct);
            _logger.LogInformation("Crawl: {New} to index, {Touched} touched, {Moved} moved, {Deleted} deleted, {Unchanged} unchanged, {Ignored} non-video files ignored.",
                plan.ToIndex.Count, plan.Touched.Count, plan.Moves.Count, plan.Deletes.Count, plan.Unchanged, plan.Ignored);

            foreach (var (row, file) in plan.Touched)
                Ledger.Upsert(row with { Size = file.Size, MtimeTicks = file.MtimeTicks, Source = file.Source });

            var moved = 0;
            foreach (var move in plan.Moves)
            {
                if (await MoveAsync(move, ct)) moved++;
                else plan.ToIndex.Add(new IndexItem(move.To, move.From.Fingerprint!, Ledger.Get(move.To.Path)));
            }

            var deleted = 0;
            foreach (var row in plan.Deletes)
            {
                ct.ThrowIfCancellationRequested();
                await ForgetAsync(row, ct);
                deleted++;
            }

            // Same content at two paths: index it once, then the copies become duplicates of it.
            var primaries = plan.ToIndex.GroupBy(i => i.Fingerprint).Select(g => g.First()).ToList();
            var copies = plan.ToIndex.Except(primaries).ToList();
            _runPlanned = plan.ToIndex.Count;
            _runPlannedBytes = plan.ToIndex.Sum(i => i.File.Size);

            var outcomes = new ConcurrentBag<FileOutcome>();
            var clipEncoder = _modalities.ImageEncoder;
            var ocrPool = _modalities.Ocr;
            await using (var clip = clipEncoder is null ? null : new ClipBatcher(clipEncoder, _modalities.ClipOptions.BatchSize, _options.KeyframeQueue, stats))
            await using (var ocr = ocrPool is null ? null : new OcrWorkers(ocrPool, Math.Max(1, Math.Min(_options.MaxConcurrentVideos, OcrWorkerCount())), _options.KeyframeQueue, stats))
            {
                var ctx = new PipelineContext
                {
                    Probe = _probe, Shots = _shots, Keyframes = _keyframes, Audio = _audio, Thumbnails = Thumbnails,
                    Stats = stats, ModelVersions = versions, Clip = clip, Ocr = ocr,
                    Recognizer = _modalities.Recognizer, Logger = _logger,
                };
                var queue = Channel.CreateUnbounded<IndexItem>();
                foreach (var item in primaries.OrderBy(i => i.File.Path, StringComparer.Ordinal)) queue.Writer.TryWrite(item);
                queue.Writer.Complete();
                var workers = Enumerable.Range(0, _options.MaxConcurrentVideos).Select(_ => Task.Run(async () =>
                {
                    await foreach (var item in queue.Reader.ReadAllAsync(ct))
                        outcomes.Add(await IndexFileAsync(ctx, item, versionsKey, ct));
                }, ct)).ToList();
                await Task.WhenAll(workers);
                foreach (var item in copies)
                    outcomes.Add(await IndexFileAsync(ctx, item, versionsKey, ct));
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
            };
            _logger.LogInformation("Indexing run done in {Elapsed:0.0}s: {Indexed} indexed ({Segments} segments), {Failed} failed, {Deleted} deleted, {Moved} moved.",
                wall.Elapsed.TotalSeconds, report.Indexed, report.Segments, failed.Count, deleted, moved);
            return report;
        }
        finally
        {
            _lastRunElapsed = wall.Elapsed;
            _lastRunFinished = DateTimeOffset.UtcNow;
            _running = false;
            _inFlight.Clear();
            _runGate.Release();
        }
    }

    private int OcrWorkerCount() => Math.Max(1, _modalities.OcrOptions.MaxEngines);

    private sealed record FileOutcome(string Path, string? Error, int Segments, double MediaSeconds);

    private async Task<FileOutcome> IndexFileAsync(PipelineContext ctx, IndexItem item, string versionsKey, CancellationToken ct)
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
            if (row?.VideoId is { } old && old != videoId) await ReleaseVideoAsync(old, file.Path, ct);
            Ledger.Upsert(baseRow with
            {
                Status = LedgerStatus.Indexed, VideoId = videoId, PendingVideoId = null, Attempts = 0, LastError = $"duplicate of {twin.Path}",
                ModelVersions = versionsKey, DocumentCount = twin.DocumentCount, Duration = twin.Duration,
            });
            Interlocked.Increment(ref _runDone);
            Interlocked.Add(ref _runDoneBytes, file.Size);
            return new FileOutcome(file.Path, null, 0, 0);
        }

        Ledger.Upsert(baseRow with { Status = LedgerStatus.Indexing, PendingVideoId = videoId, LastError = null });
        var progress = new FileProgress(file.Path);
        _inFlight[file.Path] = progress;
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watchdog.CancelAfter(TimeSpan.FromSeconds(_options.FileTimeoutSeconds));
        double duration = 0;
        var written = false;
        try
        {
            var (video, segments, dur) = await VideoPipeline.BuildAsync(ctx, file.Path, file.Source, videoId, progress, d =>
            {
                duration = d;
                watchdog.CancelAfter(TimeSpan.FromSeconds(_options.FileTimeoutSeconds + _options.FileTimeoutPerMediaSecond * Math.Max(0, d)));
            }, watchdog.Token);
            duration = dur;

            var sw = Stopwatch.StartNew();
            await _storeGate.WaitAsync(ct);
            try
            {
                await _store.UpsertVideoAsync(video, segments, ct);
                written = true;
            }
            finally
            {
                _storeGate.Release();
            }
            ctx.Stats.Add("store", sw.Elapsed);
            if (row?.VideoId is { } previous && previous != videoId) await ReleaseVideoAsync(previous, file.Path, ct);
            if (row?.PendingVideoId is { } stale && stale != videoId && stale != row.VideoId) await ReleaseVideoAsync(stale, file.Path, ct);

            Ledger.Upsert(baseRow with
            {
                Status = LedgerStatus.Indexed, VideoId = videoId, PendingVideoId = null, Attempts = 0, LastError = null,
                NextAttemptAt = null, ModelVersions = versionsKey, DocumentCount = segments.Count, Duration = duration,
            });
            Interlocked.Add(ref _runMediaMillis, (long)(duration * 1000));
            _logger.LogInformation("Indexed {File}: {Segments} segments, {Duration:0.0}s of media.", file.Path, segments.Count, duration);
            return new FileOutcome(file.Path, null, segments.Count, duration);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw; // shutdown: the row stays 'indexing' and is retried on the next start
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var (reason, permanent) = Describe(e, watchdog.IsCancellationRequested);
            var attempts = permanent ? Math.Max(_options.MaxAttempts, baseRow.Attempts + 1) : baseRow.Attempts + 1;
            var final = attempts >= _options.MaxAttempts;
            // Documents of older content at this path no longer describe the file.
            var keepVideo = row?.VideoId == videoId ? videoId : null;
            try
            {
                if (row?.VideoId is { } previous && previous != videoId) await ReleaseVideoAsync(previous, file.Path, CancellationToken.None);
                if (keepVideo is null) await ReleaseVideoAsync(videoId, file.Path, CancellationToken.None);
            }
            catch (Exception cleanup) when (cleanup is not OutOfMemoryException)
            {
                // The row below keeps the id pending, so the next run or a deletion cleans it up.
                _logger.LogWarning("Could not remove documents of {File} after its failure: {Error}", file.Path, cleanup.Message);
                keepVideo = videoId;
            }
            Ledger.Upsert(baseRow with
            {
                Status = LedgerStatus.Failed, Attempts = attempts, LastError = reason, VideoId = keepVideo,
                PendingVideoId = written && keepVideo is null ? videoId : null,
                NextAttemptAt = final ? null : DateTimeOffset.UtcNow.AddSeconds(_options.RetryBackoffSeconds * Math.Pow(2, attempts - 1)),
                ModelVersions = versionsKey, DocumentCount = keepVideo is null ? 0 : baseRow.DocumentCount,
            });
            _logger.LogWarning("Failed {File}: {Reason}", file.Path, reason);
            var shown = final ? reason : $"{reason} (attempt {attempts} of {_options.MaxAttempts}; will retry)";
            return new FileOutcome(file.Path, shown, 0, 0);
        }
        finally
        {
            _inFlight.TryRemove(file.Path, out _);
            Interlocked.Increment(ref _runDone);
            Interlocked.Add(ref _runDoneBytes, file.Size);
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

    /// <summary>A move: the store documents are re-pointed to the new path (no models re-run). False → re-index instead.</summary>
    private async Task<bool> MoveAsync(MoveItem move, CancellationToken ct)
    {
        var videoId = move.From.VideoId!;
        if (!await RelocateAsync(videoId, move.To.Path, move.To.Source, ct)) return false;
        Ledger.Replace(move.From.Path, move.From with { Path = move.To.Path, Source = move.To.Source, Size = move.To.Size, MtimeTicks = move.To.MtimeTicks });
        _logger.LogInformation("Moved {From} → {To} (recognised by fingerprint; documents re-pointed).", move.From.Path, move.To.Path);
        return true;
    }

    private async Task<bool> RelocateAsync(string videoId, string path, string storage, CancellationToken ct)
    {
        var video = await _store.GetVideoAsync(videoId, ct);
        if (video is null) return false;
        var segments = await _store.GetSegmentsOfVideoAsync(videoId, ct);
        if (segments.Count != video.SegmentCount || segments.Count == 0) return false;
        var fileName = Path.GetFileName(path);
        var title = Path.GetFileNameWithoutExtension(path);
        var newVideo = new VideoDocument
        {
            Id = video.Id, SourcePath = path, Storage = storage, FileName = fileName, Title = title, Duration = video.Duration,
            Media = video.Media, SegmentCount = video.SegmentCount, MeanVector = video.MeanVector, Transcript = video.Transcript,
            Language = video.Language, IndexedAt = video.IndexedAt, ModelVersions = video.ModelVersions,
        };
        var newSegments = segments.Select(s => new SegmentDocument
        {
            Id = s.Id, VideoId = s.VideoId, Ordinal = s.Ordinal, SourcePath = path, Storage = storage, FileName = fileName, Title = title,
            Start = s.Start, End = s.End, KeyframeTimes = s.KeyframeTimes, ThumbnailRef = s.ThumbnailRef, Transcript = s.Transcript,
            Utterances = s.Utterances, OcrText = s.OcrText, Vector = s.Vector, Language = s.Language, Media = s.Media,
            IndexedAt = s.IndexedAt, ModelVersions = s.ModelVersions,
        }).ToList();
        await _storeGate.WaitAsync(ct);
        try
        {
            await _store.UpsertVideoAsync(newVideo, newSegments, ct);
        }
        finally
        {
            _storeGate.Release();
        }
        return true;
    }

    /// <summary>A vanished file: its documents go (or pass to a live copy), then its ledger row.</summary>
    private async Task ForgetAsync(LedgerRow row, CancellationToken ct)
    {
        if (row.VideoId is { } v) await ReleaseVideoAsync(v, row.Path, ct);
        if (row.PendingVideoId is { } p && p != row.VideoId) await ReleaseVideoAsync(p, row.Path, ct);
        Ledger.Delete(row.Path);
        _logger.LogInformation("Removed {File}: file deleted.", row.Path);
    }

    /// <summary>
    /// <paramref name="releasingPath"/> no longer holds <paramref name="videoId"/>: if another live
    /// file has the same content the documents are re-pointed to it, otherwise they are deleted.
    /// </summary>
    private async Task ReleaseVideoAsync(string videoId, string releasingPath, CancellationToken ct)
    {
        var heir = Ledger.WithVideoId(videoId).FirstOrDefault(r => r.Path != releasingPath && r.VideoId == videoId
            && r.Status == LedgerStatus.Indexed && r.PendingVideoId is null && File.Exists(r.Path));
        if (heir is not null)
        {
            var video = await _store.GetVideoAsync(videoId, ct);
            if (video is not null && video.SourcePath != releasingPath) return;
            if (await RelocateAsync(videoId, heir.Path, heir.Source, ct)) return;
        }
        await _storeGate.WaitAsync(ct);
        try
        {
            await _store.DeleteVideoAsync(videoId, ct);
        }
        finally
        {
            _storeGate.Release();
        }
        Thumbnails.DeleteVideo(videoId);
    }

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        if (_schemaReady) return;
        await _schemaGate.WaitAsync(ct);
        try
        {
            if (!_schemaReady) await _store.EnsureSchemaAsync(ct);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    public IndexingStatus Status
    {
        get
        {
            var counts = File.Exists(Path.Combine(DataDir, "ledger.db")) || _ledger.IsValueCreated ? Ledger.CountsBySource() : [];
            var sources = counts.Select(c => new SourceStatus(c.Source, c.Files, c.Indexed, c.Pending, c.Failed, c.Segments)).ToList();
            foreach (var s in Sources)
                if (sources.All(x => x.Name != s.Name)) sources.Add(new SourceStatus(s.Name, 0, 0, 0, 0, 0));
            var current = _inFlight.Values.OrderBy(p => p.Path, StringComparer.Ordinal).FirstOrDefault();
            var elapsed = _running ? Stopwatch.GetElapsedTime(_runStartTicks) : _lastRunElapsed;
            var mediaRate = elapsed.TotalSeconds > 0 ? Interlocked.Read(ref _runMediaMillis) / 1000.0 / elapsed.TotalSeconds : 0;
            TimeSpan? eta = null;
            var doneBytes = Interlocked.Read(ref _runDoneBytes);
            if (_running && doneBytes > 0 && elapsed.TotalSeconds > 0)
                eta = TimeSpan.FromSeconds(Math.Max(0, _runPlannedBytes - doneBytes) / (doneBytes / elapsed.TotalSeconds));
            return new IndexingStatus(_running, current?.Path, current?.Fraction, sources, mediaRate, eta, _lastRunFinished)
            {
                RunPlanned = _runPlanned,
                RunDone = _runDone,
            };
        }
    }

    /// <summary>Resolves a video id to its file on disk, only if it is under a configured root (never a client path).</summary>
    public string? ResolveMediaPath(string videoId)
    {
        if (string.IsNullOrEmpty(videoId) || videoId.Length > 64 || !videoId.All(char.IsAsciiHexDigitLower)) return null;
        if (!File.Exists(Path.Combine(DataDir, "ledger.db")) && !_ledger.IsValueCreated) return null;
        foreach (var row in Ledger.WithVideoId(videoId))
        {
            if (row.VideoId != videoId || row.Status != LedgerStatus.Indexed || !File.Exists(row.Path)) continue;
            var real = RealPath.Resolve(row.Path);
            if (real is not null && _knownRoots.Keys.Any(root => RealPath.IsAtOrUnder(real, root))) return row.Path;
        }
        return null;
    }

    /// <summary>Thumbnail JPEG for a segment's ThumbnailRef, or null.</summary>
    public Task<byte[]?> GetThumbnailAsync(string thumbnailRef, CancellationToken ct = default) => Thumbnails.ReadAsync(thumbnailRef, ct);

    private void RememberRoot(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) return;
        try { _knownRoots[RealPath.Resolve(root) ?? Path.GetFullPath(root)] = 0; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { /* unusable roots resolve nothing */ }
    }

    public ValueTask DisposeAsync()
    {
        if (_ledger.IsValueCreated) _ledger.Value.Dispose();
        return ValueTask.CompletedTask;
    }
}
