// API SKELETON written by the integrator so the host compiles against it.
// The indexing stage (which composes encoders and the store) replaces these bodies; keep the signatures.
namespace MultiModalIndexer.Search;

/// <summary>Queries as users send them: text is embedded with CLIP here, images decoded and embedded.</summary>
public sealed class SearchService
{
    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default) =>
        throw new NotImplementedException(request.Query);

    /// <summary>Image → moments: the uploaded image file is decoded, embedded and searched by vector.</summary>
    public Task<SearchResponse> SearchByImageAsync(string imagePath, SearchRequest options, CancellationToken ct = default) =>
        throw new NotImplementedException(imagePath);

    /// <summary>Moment → similar moments (excluding the moment itself).</summary>
    public Task<SearchResponse> SimilarAsync(string segmentId, SearchRequest options, CancellationToken ct = default) =>
        throw new NotImplementedException(segmentId);

    /// <summary>Text → CLIP vectors (for POST /api/embed); null when CLIP is switched off.</summary>
    public IReadOnlyList<float[]>? Embed(IReadOnlyList<string> texts) => throw new NotImplementedException(texts.Count.ToString());
}
