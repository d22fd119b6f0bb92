using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

/// <summary>
/// Keeps the store current with the sources. The work is split three ways: <see cref="CrawlRun"/>
/// (one crawl: plan, moves, deletes, workers), <see cref="VideoUnitOfWork"/> (one file, crash-safe:
/// the ledger records the video id about to be written before the store write and success only
/// after it) and <see cref="MediaResolver"/> (the read side: media files and thumbnails). This class
/// owns what they share: the writer lock on the data folder, the ledger, the store/ledger check that
/// runs before every crawl, and progress for status.
/// </summary>
public sealed class Indexer : IAsyncDisposable
{
    private readonly IndexingOptions _options;
    private readonly ISegmentStore _store;
    private readonly PipelineStages _stages;
    private readonly ILogger _logger;
    private readonly Lazy<Ledger> _ledger;
    private readonly SemaphoreSlim _runGate = new(1, 1);
    private readonly RunProgress _progress = new();
    private readonly StoreEdits _edits;
    private readonly Lock _lockGate = new();
    private DataFolderLock? _writerLock;

    public Indexer(IndexingOptions options, IReadOnlyList<SourceOptions> sources, ISegmentStore store,
        MediaProbe probe, ShotDetector shots, KeyframeExtractor keyframes, AudioReader audio,
        Modalities modalities, ILogger<Indexer>? logger = null, MediaOptions? media = null)
    {
        _options = options;
        Sources = sources;
        _store = store;
        _stages = new PipelineStages(probe, shots, keyframes, audio, modalities);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        DataDir = Path.GetFullPath(options.DataDir);
        Thumbnails = new ThumbnailStore(Path.Combine(DataDir, "thumbs"));
        _ledger = new Lazy<Ledger>(OpenLedger);
        _edits = new StoreEdits(options, store, () => _ledger.Value, Thumbnails, DataDir, _logger);
        Media = new MediaResolver(() => LedgerIfAny, store, Thumbnails, media ?? new MediaOptions(), _logger);
        foreach (var s in sources) Media.RememberRoot(s.Root);
    }

    /// <summary>The sources from configuration ("Sources" array); the daemon crawls these.</summary>
    public IReadOnlyList<SourceOptions> Sources { get; }

    public string DataDir { get; }
    public ThumbnailStore Thumbnails { get; }
    public Modalities Modalities => _stages.Modalities;
    /// <summary>The read side: media files and thumbnails by id.</summary>
    public MediaResolver Media { get; }

    /// <summary>Per-stage wall seconds of the last run (probe, shots, keyframes, clip, ocr, asr, store).</summary>
    public PipelineStats LastRunStats { get; private set; } = new();

    internal Ledger Ledger => _ledger.Value;

    private Ledger? LedgerIfAny => File.Exists(Path.Combine(DataDir, "ledger.db")) || _ledger.IsValueCreated ? _ledger.Value : null;

    private Ledger OpenLedger()
    {
        var ledger = new Ledger(Path.Combine(DataDir, "ledger.db")) { MaxAttemptsForCounts = _options.MaxAttempts };
        if (ledger.RecoveredFrom is { } aside)
            _logger.LogWarning("The ledger was damaged: moved to {Aside}; it is rebuilt from the store and the files.", aside);
        return ledger;
    }

    /// <summary>
    /// Takes the data folder's writer lock (held until disposal). Called by the first run; the daemon
    /// calls it at start so that `./mmi index` into a served folder is refused naming it.
    /// </summary>
    public void AcquireWriterLock()
    {
        lock (_lockGate) _writerLock ??= DataFolderLock.Acquire(DataDir, DataFolderLock.CurrentCommand());
    }

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
            AcquireWriterLock();
            _progress.Start();
            foreach (var s in sources) Media.RememberRoot(s.Root);
            await CheckAsync(repair: true, ct);
            var report = await new CrawlRun(_edits, _stages, _progress, stats).ExecuteAsync(sources, ct);
            if (await _store.IdentityAsync(ct) is { } identity) StoreLedgerCheck.Record(Ledger, identity);
            return report;
        }
        finally
        {
            _progress.Finish(wall.Elapsed);
            _runGate.Release();
        }
    }

    /// <summary>
    /// Store and ledger verify each other: a damaged store is moved aside (and rebuilt from the media by
    /// the crawl), a damaged ledger was moved aside on open (and is rebuilt from the store and the
    /// files), counts per video, orphans, thumbnails. Without <paramref name="repair"/> nothing changes
    /// (`./mmi doctor`); repairing needs the writer lock.
    /// </summary>
    public async Task<IntegrityReport> CheckAsync(bool repair, CancellationToken ct = default)
    {
        var report = new IntegrityReport();
        if (repair) AcquireWriterLock();
        try
        {
            await EnsureSchemaAsync(ct);
        }
        catch (StoreCorruptException e)
        {
            if (!repair)
            {
                report.Lines.Add($"The store is damaged: {e.Problem} ({e.Where}); --repair moves it aside and the next crawl rebuilds it from the media.");
                report.StoreMovedTo = "(not yet: run with --repair)";
                return report;
            }
            var movedTo = await _store.QuarantineAsync(ct);
            if (movedTo is null) throw;
            report.StoreMovedTo = movedTo;
            SchemaGate.Reset(_store);
            var line = $"The store was damaged ({e.Problem}): moved to {report.StoreMovedTo}; rebuilding it from the media.";
            report.Lines.Add(line);
            _logger.LogWarning("{Line}", line);
            await EnsureSchemaAsync(ct);
        }
        if (!repair && !File.Exists(Path.Combine(DataDir, "ledger.db"))) { report.Lines.Add("No ledger yet: nothing indexed into this folder."); return report; }
        if (!repair)
        {
            // Read-only: a damaged ledger is reported, not moved.
            try
            {
                using var probe = new Ledger(Path.Combine(DataDir, "ledger.db"), recover: false);
            }
            catch (StoreCorruptException e)
            {
                report.LedgerMovedTo = "(not yet: run with --repair)";
                report.Lines.Add($"The ledger is damaged: {e.Problem} ({e.Where}); --repair moves it aside and rebuilds it from the store and the files.");
                return report;
            }
        }
        if (Ledger.RecoveredFrom is { } aside && report.LedgerMovedTo is null && repair)
        {
            report.LedgerMovedTo = aside;
            report.Lines.Add($"The ledger was damaged: moved to {aside}; rebuilt from the store and the files.");
        }
        await new StoreLedgerCheck(_edits, Media).RunAsync(report, repair, ct);
        return report;
    }

    /// <summary>
    /// `./mmi retry`: failed files waiting out a back-off (and, with <paramref name="includeFinal"/>,
    /// those failed for good) get a fresh budget; the next crawl indexes them. Needs the writer lock.
    /// </summary>
    public int ResetFailed(bool includeFinal)
    {
        AcquireWriterLock();
        return Ledger.ResetFailed(includeFinal);
    }

    public Task EnsureSchemaAsync(CancellationToken ct = default) =>
        SchemaGate.EnsureAsync(_store, ct);

    public IndexingStatus Status
    {
        get
        {
            var counts = LedgerIfAny?.CountsBySource() ?? [];
            var sources = counts.Select(c => new SourceStatus(c.Source, c.Files, c.Indexed, c.Pending, c.Failed, c.Segments) { Unavailable = c.Unavailable }).ToList();
            foreach (var s in Sources)
                if (sources.All(x => x.Name != s.Name)) sources.Add(new SourceStatus(s.Name, 0, 0, 0, 0, 0));
            var p = _progress;
            var current = p.InFlight.Values.OrderBy(x => x.Path, StringComparer.Ordinal).FirstOrDefault();
            var elapsed = p.Running ? Stopwatch.GetElapsedTime(p.StartTicks) : p.LastElapsed;
            var mediaRate = elapsed.TotalSeconds > 0 ? Interlocked.Read(ref p.MediaMillis) / 1000.0 / elapsed.TotalSeconds : 0;
            TimeSpan? eta = null;
            var doneBytes = Interlocked.Read(ref p.DoneBytes);
            if (p.Running && doneBytes > 0 && elapsed.TotalSeconds > 0)
                eta = TimeSpan.FromSeconds(Math.Max(0, p.PlannedBytes - doneBytes) / (doneBytes / elapsed.TotalSeconds));
            return new IndexingStatus(p.Running, current?.Path, current?.Fraction, sources, mediaRate, eta, p.LastFinished)
            {
                RunPlanned = p.Planned,
                RunDone = p.Done,
            };
        }
    }

    /// <summary>Resolves a video id to its file on disk, only if it is under a configured root (never a client path).</summary>
    public string? ResolveMediaPath(string videoId) => Media.ResolveMediaPath(videoId);

    /// <summary>Thumbnail JPEG for a segment's ThumbnailRef (rendered again from the media if it went missing), or null.</summary>
    public Task<byte[]?> GetThumbnailAsync(string thumbnailRef, CancellationToken ct = default) => Media.GetThumbnailAsync(thumbnailRef, ct);

    public ValueTask DisposeAsync()
    {
        if (_ledger.IsValueCreated) _ledger.Value.Dispose();
        lock (_lockGate)
        {
            _writerLock?.Dispose();
            _writerLock = null;
        }
        return ValueTask.CompletedTask;
    }
}
