using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Search;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Daemon.Backend;

/// <summary>
/// What the host needs from indexing. The seam exists so the host's own behaviour (scheduling,
/// HTTP, path checks) can be tested over small in-test data; production wires it to <see cref="Indexer"/>.
/// </summary>
public interface IIndexingBackend
{
    Task<IndexRunReport> RunAsync(IReadOnlyList<SourceOptions> sources, CancellationToken ct);
    IndexingStatus Status { get; }
    /// <summary>The file for a video id, or null. The host re-checks the answer against the source roots.</summary>
    string? ResolveMediaPath(string videoId);
    Task<byte[]?> GetThumbnailAsync(string thumbnailRef, CancellationToken ct);
    /// <summary>Claims the data folder's single-writer lock (throws a StorageException naming the holder).</summary>
    void AcquireWriterLock() { }
}

/// <summary>What the host needs from search (see <see cref="SearchService"/>).</summary>
public interface ISearchBackend
{
    Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct);
    Task<SearchResponse> SearchByImageAsync(string imagePath, SearchRequest options, CancellationToken ct);
    Task<SearchResponse> SimilarAsync(string segmentId, SearchRequest options, CancellationToken ct);
    /// <summary>Null when CLIP is switched off.</summary>
    IReadOnlyList<float[]>? Embed(IReadOnlyList<string> texts);
}

internal sealed class IndexerBackend(IServiceProvider services) : IIndexingBackend
{
    // Resolved on first use: composing the core (models, store) must not block the host's start-up path.
    private readonly Lazy<Indexer> indexer = new(services.GetRequiredService<Indexer>);

    public Task<IndexRunReport> RunAsync(IReadOnlyList<SourceOptions> sources, CancellationToken ct) => indexer.Value.RunAsync(sources, ct);
    public IndexingStatus Status => indexer.Value.Status;
    public string? ResolveMediaPath(string videoId) => indexer.Value.ResolveMediaPath(videoId);
    public Task<byte[]?> GetThumbnailAsync(string thumbnailRef, CancellationToken ct) => indexer.Value.GetThumbnailAsync(thumbnailRef, ct);
    public void AcquireWriterLock() => indexer.Value.AcquireWriterLock();
}

internal sealed class SearchServiceBackend(IServiceProvider services) : ISearchBackend
{
    private readonly Lazy<SearchService> search = new(services.GetRequiredService<SearchService>);

    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct) => search.Value.SearchAsync(request, ct);
    public Task<SearchResponse> SearchByImageAsync(string imagePath, SearchRequest options, CancellationToken ct) => search.Value.SearchByImageAsync(imagePath, options, ct);
    public Task<SearchResponse> SimilarAsync(string segmentId, SearchRequest options, CancellationToken ct) => search.Value.SimilarAsync(segmentId, options, ct);
    public IReadOnlyList<float[]>? Embed(IReadOnlyList<string> texts) => search.Value.Embed(texts);
}
