using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores;

public sealed record StoreStats(long Videos, long Segments, IReadOnlyDictionary<string, long> SegmentsByStorage);

public sealed record StoreHealth(bool Healthy, string Detail);

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
}
