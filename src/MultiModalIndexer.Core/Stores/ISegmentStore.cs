using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores;

public sealed record StoreStats(long Videos, long Segments, IReadOnlyDictionary<string, long> SegmentsByStorage);

public sealed record StoreHealth(bool Healthy, string Detail);

/// <summary>
/// Who the store is: an id created with it (a lost or replaced store has another) and a counter
/// bumped by every committed write (readers compare it to notice other processes' writes).
/// </summary>
public sealed record StoreIdentity(string StoreId, long Generation);

/// <summary>
/// Where segment and video documents live. Embedded (SQLite) and OpenSearch implement it and pass
/// one contract suite.
/// </summary>
public interface ISegmentStore : IAsyncDisposable
{
    /// <summary>Creates tables/indices/templates/pipelines if missing; safe to call repeatedly.</summary>
    Task EnsureSchemaAsync(CancellationToken ct = default);

    /// <summary>
    /// Writes one video and all its segments, replacing whatever that video had before (segments
    /// whose ordinal no longer exists are removed), so re-indexing never duplicates or orphans.
    /// </summary>
    Task UpsertVideoAsync(VideoDocument video, IReadOnlyList<SegmentDocument> segments, CancellationToken ct = default);

    /// <summary>Removes a video and all its segments; no error if absent.</summary>
    Task DeleteVideoAsync(string videoId, CancellationToken ct = default);

    Task<SegmentDocument?> GetSegmentAsync(string segmentId, CancellationToken ct = default);
    Task<VideoDocument?> GetVideoAsync(string videoId, CancellationToken ct = default);
    Task<IReadOnlyList<VideoDocument>> ListVideosAsync(int from, int size, CancellationToken ct = default);
    Task<IReadOnlyList<SegmentDocument>> GetSegmentsOfVideoAsync(string videoId, CancellationToken ct = default);

    /// <summary>Validates the request (throws <see cref="SearchValidationException"/>) and runs it.</summary>
    Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default);

    Task<StoreStats> StatsAsync(CancellationToken ct = default);
    Task<StoreHealth> HealthAsync(CancellationToken ct = default);

    /// <summary>The store's id and write generation, or null when the store keeps none.</summary>
    Task<StoreIdentity?> IdentityAsync(CancellationToken ct = default) => Task.FromResult<StoreIdentity?>(null);

    /// <summary>Segments held per video id (every video listed, 0 included); checked against the ledger.</summary>
    async Task<IReadOnlyDictionary<string, int>> SegmentCountsAsync(CancellationToken ct = default)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var from = 0; ; from += 1000)
        {
            var page = await ListVideosAsync(from, 1000, ct);
            foreach (var v in page) counts[v.Id] = v.SegmentCount;
            if (page.Count < 1000) return counts;
        }
    }

    /// <summary>
    /// Moves a damaged store aside (returns where) so the next open starts empty; null when this
    /// kind of store cannot be repaired that way.
    /// </summary>
    Task<string?> QuarantineAsync(CancellationToken ct = default) => Task.FromResult<string?>(null);
}
