using MultiModalIndexer.Crawl;

namespace MultiModalIndexer.Indexing;

public sealed record IndexItem(DiscoveredFile File, string Fingerprint, LedgerRow? Row);

public sealed record MoveItem(LedgerRow From, DiscoveredFile To);

/// <summary>What one crawl will do. Built from the walk and the ledger; changes nothing itself.</summary>
public sealed class CrawlPlan
{
    public List<IndexItem> ToIndex { get; } = [];
    /// <summary>mtime changed, content (fingerprint) did not: only the ledger row is updated.</summary>
    public List<(LedgerRow Row, DiscoveredFile File)> Touched { get; } = [];
    public List<MoveItem> Moves { get; } = [];
    public List<LedgerRow> Deletes { get; } = [];
    /// <summary>Rows whose file is absent because its root or folder is unavailable: kept, marked missing.</summary>
    public List<LedgerRow> Unavailable { get; } = [];
    /// <summary>Rows marked missing whose file is back: the mark is cleared, nothing re-indexed unless changed.</summary>
    public List<LedgerRow> Returned { get; } = [];
    /// <summary>Files still being written (size or mtime moved between two looks): left for a later crawl.</summary>
    public int Deferred { get; set; }
    /// <summary>Failed for good (or backing off): listed with their last error, not retried now.</summary>
    public List<FailedFile> KeptFailed { get; } = [];
    public List<FailedFile> Problems { get; } = [];
    public int Unchanged { get; set; }
    public int Ignored { get; set; }
}

/// <summary>
/// Plans a crawl: new or changed files (size/mtime differ AND fingerprint differs) are indexed;
/// touched files (mtime changed, same fingerprint) are not; ledger rows whose file vanished are
/// either moves (a new path with the same fingerprint: documents re-pointed, no models re-run) or
/// deletes; rows left 'pending'/'indexing' by a crash are retried; failed rows back off
/// exponentially and stay failed after MaxAttempts until the file changes. Deleting needs the root
/// present and the file absent: rows under an unavailable root or folder are kept (marked missing)
/// until it returns or the source's MissingGrace runs out. Files younger than StableSeconds are
/// looked at twice and deferred when they moved in between.
/// </summary>
public sealed class CrawlPlanner(Ledger ledger, IndexingOptions options)
{
    public async Task<CrawlPlan> PlanAsync(IReadOnlyList<SourceOptions> sources, string currentModelVersions, CancellationToken ct)
    {
        var plan = new CrawlPlan();
        var walk = SourceWalker.Walk(sources, options.VideoExtensions, ct);
        plan.Problems.AddRange(walk.Problems);
        plan.Ignored = walk.Ignored;

        var rows = new Dictionary<string, LedgerRow>(StringComparer.Ordinal);
        foreach (var root in walk.Roots)
            foreach (var row in ledger.Under(root))
                rows[row.Path] = row;

        var now = DateTimeOffset.UtcNow;
        var fresh = new List<IndexItem>(); // new paths: may turn out to be moves
        var discovered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in walk.Files)
        {
            ct.ThrowIfCancellationRequested();
            discovered.Add(file.Path);
            rows.TryGetValue(file.Path, out var row);
            if (row?.MissingSince is not null) plan.Returned.Add(row);
            var modelsOk = !options.ReindexOnModelChange || row?.ModelVersions == currentModelVersions;

            if (row is not null && row.Size == file.Size && row.MtimeTicks == file.MtimeTicks && row.Fingerprint is not null)
            {
                if (row.Status == LedgerStatus.Indexed && row.PendingVideoId is null && modelsOk) { plan.Unchanged++; continue; }
                if (row.Status == LedgerStatus.Failed && (row.Attempts >= options.MaxAttempts || row.NextAttemptAt > now))
                {
                    plan.KeptFailed.Add(new FailedFile(file.Path, row.LastError ?? "failed"));
                    continue;
                }
                plan.ToIndex.Add(new IndexItem(file, row.Fingerprint, row));
                continue;
            }

            string fp;
            try
            {
                fp = await FileFingerprint.ComputeAsync(file.Path, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                plan.Problems.Add(new FailedFile(file.Path, "cannot read file: " + e.Message));
                continue;
            }

            if (row is not null && row.Fingerprint == fp)
            {
                if (row.Status == LedgerStatus.Indexed && row.PendingVideoId is null && modelsOk) { plan.Touched.Add((row, file)); continue; }
                if (row.Status == LedgerStatus.Failed && row.Attempts >= options.MaxAttempts)
                {
                    // Same bytes as when it failed for good: record the new mtime, keep the verdict.
                    ledger.Upsert(row with { Size = file.Size, MtimeTicks = file.MtimeTicks });
                    plan.KeptFailed.Add(new FailedFile(file.Path, row.LastError ?? "failed"));
                    continue;
                }
            }
            var item = new IndexItem(file, fp, row);
            if (row is null) fresh.Add(item); else plan.ToIndex.Add(item);
        }

        // Rows whose file is gone: a fresh path with the same content is a move, the rest are deletes.
        var missing = new List<LedgerRow>();
        foreach (var r in rows.Values.Where(r => !discovered.Contains(r.Path)))
        {
            if (!walk.IsUnavailable(r.Path)) { missing.Add(r); continue; }
            var grace = sources.FirstOrDefault(s => s.Name == r.Source)?.MissingGrace;
            if (grace is { } g && r.MissingSince is { } since && now - since > g) missing.Add(r); // unavailable for too long
            else plan.Unavailable.Add(r);
        }
        var movable = missing
            .Where(r => r.Status == LedgerStatus.Indexed && r.PendingVideoId is null && r.Fingerprint is not null && r.VideoId is not null)
            .GroupBy(r => r.Fingerprint!)
            .ToDictionary(g => g.Key, g => new Queue<LedgerRow>(g));
        var movedFrom = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in fresh)
        {
            if (movable.TryGetValue(item.Fingerprint, out var q) && q.Count > 0)
            {
                var from = q.Dequeue();
                movedFrom.Add(from.Path);
                plan.Moves.Add(new MoveItem(from, item.File));
            }
            else plan.ToIndex.Add(item);
        }
        plan.Deletes.AddRange(missing.Where(r => !movedFrom.Contains(r.Path)));
        await DeferGrowingAsync(plan, ct);
        return plan;
    }

    /// <summary>Second look at files modified within StableSeconds: those whose size or mtime moved are still being written.</summary>
    private async Task DeferGrowingAsync(CrawlPlan plan, CancellationToken ct)
    {
        if (options.StableSeconds <= 0) return;
        var stable = TimeSpan.FromSeconds(options.StableSeconds);
        var now = DateTime.UtcNow;
        var young = plan.ToIndex.Where(i => now - new DateTime(i.File.MtimeTicks, DateTimeKind.Utc) < stable).ToList();
        if (young.Count == 0) return;
        var settledAt = young.Max(i => new DateTime(i.File.MtimeTicks, DateTimeKind.Utc)) + stable;
        var wait = settledAt - DateTime.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait < stable ? wait : stable, ct);
        foreach (var item in young)
        {
            var fi = new FileInfo(item.File.Path);
            if (fi.Exists && fi.Length == item.File.Size && fi.LastWriteTimeUtc.Ticks == item.File.MtimeTicks) continue;
            plan.ToIndex.Remove(item);
            plan.Deferred++;
        }
    }
}
