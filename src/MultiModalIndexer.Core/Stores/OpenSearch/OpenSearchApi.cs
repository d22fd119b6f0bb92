// API SKELETON written by the integrator so later stages compile against it.
// The OpenSearch-store stage replaces these bodies (and may split this file); keep the signatures.
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Search;

namespace MultiModalIndexer.Stores.OpenSearch;

public sealed class OpenSearchOptions
{
    public string Url { get; set; } = "";
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>PEM file of a custom CA that signed the cluster's certificate.</summary>
    public string? CaCertificatePath { get; set; }
    /// <summary>Prefix of indices, aliases, templates and pipelines.</summary>
    public string IndexPrefix { get; set; } = "mmi";
    /// <summary>"lucene" (default, innerproduct on unit vectors) or "faiss".</summary>
    public string KnnEngine { get; set; } = "lucene";
}

/// <summary>OpenSearch over its REST API (HttpClient + System.Text.Json); mappings/ holds templates and pipelines.</summary>
public sealed class OpenSearchStore(OpenSearchOptions options, HttpClient http, ILogger<OpenSearchStore>? logger = null) : ISegmentStore
{
    private Exception Todo() => new NotImplementedException($"{options}{http}{logger}");
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
