// API SKELETON written by the integrator so later stages compile against it.
// The embedded-store stage replaces these bodies (and may split this file); keep the signatures.
using MultiModalIndexer.Documents;
using MultiModalIndexer.Search;

namespace MultiModalIndexer.Stores.Embedded;

public sealed class EmbeddedStoreOptions
{
    /// <summary>SQLite database file; relative paths are under the data folder.</summary>
    public string Path { get; set; } = "index.db";
    /// <summary>Keep an int8 copy of vectors for a fast first pass, re-scored exactly.</summary>
    public bool QuantizeVectors { get; set; }
}

/// <summary>SQLite (WAL, one writer) with FTS5 BM25 + exact SIMD vector scan + OpenSearch-style fusion.</summary>
public sealed class EmbeddedStore(string databasePath, EmbeddedStoreOptions options) : ISegmentStore
{
    private Exception Todo() => new NotImplementedException($"{databasePath}{options}");
    public Task EnsureSchemaAsync(CancellationToken ct = default) => throw Todo();
    public Task UpsertVideoAsync(VideoDocument video, IReadOnlyList<SegmentDocument> segments, CancellationToken ct = default) => throw Todo();
    public Task DeleteVideoAsync(string videoId, CancellationToken ct = default) => throw Todo();
    public Task<SegmentDocument?> GetSegmentAsync(string segmentId, CancellationToken ct = default) => throw Todo();
    public Task<VideoDocument?> GetVideoAsync(string videoId, CancellationToken ct = default) => throw Todo();
    public Task<IReadOnlyList<VideoDocument>> ListVideosAsync(int from, int size, CancellationToken ct = default) => throw Todo();
    public Task<IReadOnlyList<SegmentDocument>> GetSegmentsOfVideoAsync(string videoId, CancellationToken ct = default) => throw Todo();
    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default) => throw Todo();
    public Task<StoreStats> StatsAsync(CancellationToken ct = default) => throw Todo();
    public Task<StoreHealth> HealthAsync(CancellationToken ct = default) => throw Todo();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
