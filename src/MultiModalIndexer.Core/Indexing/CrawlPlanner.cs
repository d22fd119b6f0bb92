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
/// exponentially and stay failed after MaxAttempts until the file changes.
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
        var missing = rows.Values.Where(r => !discovered.Contains(r.Path)).ToList();
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
        return plan;
    }
}
