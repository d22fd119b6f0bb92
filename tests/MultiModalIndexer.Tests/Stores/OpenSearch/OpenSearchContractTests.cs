using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.OpenSearch;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Tests.Stores.OpenSearch;

/// <summary>
/// The store contract suite against a live OpenSearch (≥ 2.19 with k-NN and neural-search; collapse in hybrid
/// needs ≥ 3.1): set OPENSEARCH_URL (and OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD, OPENSEARCH_CA for a custom CA).
/// No cluster runs on this machine, and faking one would prove nothing, so without OPENSEARCH_URL every test here
/// FAILS with "requires OPENSEARCH_URL" instead of passing; runs without a cluster exclude them with
/// <c>--filter "Requires!=OpenSearch"</c> (trait below). Each test uses its own index prefix (the suite's Prefix)
/// and deletes its indices, templates and pipelines afterwards.
/// </summary>
[Trait("Requires", "OpenSearch")]
public sealed class OpenSearchContractTests : StoreContractTests
{
    public const string Requirement =
        "requires OPENSEARCH_URL (plus OPENSEARCH_USERNAME/OPENSEARCH_PASSWORD, OPENSEARCH_CA): this is the store contract against a live cluster; " +
        "without one, run the suite with --filter \"Requires!=OpenSearch\".";

    protected override Task<ISegmentStore> CreateStoreAsync()
    {
        var url = Environment.GetEnvironmentVariable("OPENSEARCH_URL");
        if (string.IsNullOrWhiteSpace(url)) throw new InvalidOperationException(Requirement);
        var options = new OpenSearchOptions
        {
            Url = url,
            Username = Environment.GetEnvironmentVariable("OPENSEARCH_USERNAME"),
            Password = Environment.GetEnvironmentVariable("OPENSEARCH_PASSWORD"),
            CaCertificatePath = Environment.GetEnvironmentVariable("OPENSEARCH_CA") is { Length: > 0 } ca ? ca : null,
            IndexPrefix = Prefix,
        };
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(" ", problems));
        var http = OpenSearchHttp.CreateClient(options);
        return Task.FromResult<ISegmentStore>(new ThrowAwayStore(new OpenSearchStore(options, http), http));
    }

    protected override Task RefreshAsync(ISegmentStore store) => ((ThrowAwayStore)store).Inner.RefreshAsync();

    /// <summary>The real store; disposing it drops the per-test indices so a shared cluster stays clean.</summary>
    private sealed class ThrowAwayStore(OpenSearchStore inner, HttpClient http) : ISegmentStore
    {
        public OpenSearchStore Inner { get; } = inner;
        public Task EnsureSchemaAsync(CancellationToken ct = default) => Inner.EnsureSchemaAsync(ct);
        public Task UpsertVideoAsync(VideoDocument video, IReadOnlyList<SegmentDocument> segments, CancellationToken ct = default) => Inner.UpsertVideoAsync(video, segments, ct);
        public Task DeleteVideoAsync(string videoId, CancellationToken ct = default) => Inner.DeleteVideoAsync(videoId, ct);
        public Task<SegmentDocument?> GetSegmentAsync(string segmentId, CancellationToken ct = default) => Inner.GetSegmentAsync(segmentId, ct);
        public Task<VideoDocument?> GetVideoAsync(string videoId, CancellationToken ct = default) => Inner.GetVideoAsync(videoId, ct);
        public Task<IReadOnlyList<VideoDocument>> ListVideosAsync(int from, int size, CancellationToken ct = default) => Inner.ListVideosAsync(from, size, ct);
        public Task<IReadOnlyList<SegmentDocument>> GetSegmentsOfVideoAsync(string videoId, CancellationToken ct = default) => Inner.GetSegmentsOfVideoAsync(videoId, ct);
        public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default) => Inner.SearchAsync(request, ct);
        public Task<StoreStats> StatsAsync(CancellationToken ct = default) => Inner.StatsAsync(ct);
        public Task<StoreHealth> HealthAsync(CancellationToken ct = default) => Inner.HealthAsync(ct);

        public async ValueTask DisposeAsync()
        {
            try { await Inner.DeleteSchemaAsync(); }
            finally
            {
                await Inner.DisposeAsync();
                http.Dispose();
            }
        }
    }
}
