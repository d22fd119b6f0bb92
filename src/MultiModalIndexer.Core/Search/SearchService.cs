using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Search;

/// <summary>
/// Queries as users send them: text is embedded with CLIP here, images decoded and embedded.
/// With CLIP off, hybrid degrades to text (BM25) and says so (<see cref="SearchWithNoteAsync"/>);
/// a pure vector query (or an image) without CLIP is a validation error naming the missing model.
/// </summary>
public sealed class SearchService
{
    private readonly ISegmentStore _store;
    private readonly Modalities _modalities;
    private readonly StillImageReader _images;
    private readonly ILogger _logger;

    public SearchService(ISegmentStore store, Modalities modalities, StillImageReader images, ILogger<SearchService>? logger = null)
    {
        _store = store;
        _modalities = modalities;
        _images = images;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>True when query text can be embedded (CLIP text encoder loaded).</summary>
    public bool ClipAvailable => _modalities.TextEncoder is not null;

    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default) =>
        (await SearchWithNoteAsync(request, ct)).Response;

    /// <summary>As <see cref="SearchAsync"/>, plus a note when the query ran differently than asked (CLIP off → text only).</summary>
    public async Task<SearchOutcome> SearchWithNoteAsync(SearchRequest request, CancellationToken ct = default)
    {
        string? note = null;
        await EnsureSchemaAsync(ct);
        var r = request;
        var needsVector = r.Mode is SearchMode.Hybrid or SearchMode.Vector
                          && r.QueryVector is null && r.SimilarToSegmentId is null;
        if (needsVector)
        {
            if (string.IsNullOrWhiteSpace(r.Query))
            {
                if (r.Mode == SearchMode.Vector) throw new SearchValidationException("A vector search needs a query text, an image or a segment id.");
            }
            else if (_modalities.TextEncoder is { } encoder)
            {
                if (r.Query.Length > 10_000) throw new SearchValidationException("The query is longer than 10,000 characters: shorten it.");
                var vector = await Task.Run(() => encoder.Encode(r.Query), ct);
                r = r with { QueryVector = vector };
            }
            else if (r.Mode == SearchMode.Vector)
                throw new SearchValidationException("Vector search needs the CLIP text model, which is not available: "
                    + (_modalities.OffReasons.GetValueOrDefault("clip-text") ?? "CLIP is off") + " Use mode 'text' or 'hybrid'.");
            else
            {
                r = r with { Mode = SearchMode.Text };
                note = "CLIP is off, so this hybrid search ran as text (BM25) only: " + (_modalities.OffReasons.GetValueOrDefault("clip-text") ?? "no text encoder");
                _logger.LogDebug("{Note}", note);
            }
        }
        return new SearchOutcome(await _store.SearchAsync(r, ct), note);
    }

    /// <summary>Image → moments: the uploaded image file is decoded, embedded and searched by vector.</summary>
    public async Task<SearchResponse> SearchByImageAsync(string imagePath, SearchRequest options, CancellationToken ct = default)
    {
        var encoder = _modalities.ImageEncoder
            ?? throw new SearchValidationException("Image search needs the CLIP image model, which is not available: "
                + (_modalities.OffReasons.GetValueOrDefault("clip") ?? "CLIP is off"));
        byte[] rgb;
        try
        {
            rgb = await _images.ReadClipRgbAsync(imagePath, ct);
        }
        catch (MediaException e)
        {
            throw new SearchValidationException("The uploaded file is not a readable image: " + e.Reason);
        }
        var vector = await Task.Run(() => encoder.Encode([rgb])[0], ct);
        await EnsureSchemaAsync(ct);
        // Text in the request, if any, joins as the BM25 half of a hybrid query.
        var mode = options.Mode == SearchMode.Hybrid && !string.IsNullOrWhiteSpace(options.Query) ? SearchMode.Hybrid : SearchMode.Vector;
        return await _store.SearchAsync(options with { QueryVector = vector, SimilarToSegmentId = null, Mode = mode }, ct);
    }

    /// <summary>Moment → similar moments (excluding the moment itself).</summary>
    public async Task<SearchResponse> SimilarAsync(string segmentId, SearchRequest options, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(segmentId)) throw new SearchValidationException("A segment id is required.");
        await EnsureSchemaAsync(ct);
        var self = await _store.GetSegmentAsync(segmentId, ct)
            ?? throw new SearchValidationException($"Segment '{segmentId}' does not exist.");
        if (self.Vector is null)
            throw new SearchValidationException($"Segment '{segmentId}' has no CLIP vector (it was indexed with CLIP off), so similar moments cannot be found.");
        // Ask for one more so the moment itself can be dropped whatever the store does with it.
        var response = await _store.SearchAsync(options with
        {
            Query = null,
            QueryVector = null,
            SimilarToSegmentId = segmentId,
            Mode = SearchMode.Vector,
            Size = options.Size + 1,
        }, ct);
        var hits = response.Hits.Where(h => h.Segment.Id != segmentId).Take(options.Size).ToList();
        var total = response.Hits.Count != hits.Count && response.Total > 0 ? response.Total - 1 : response.Total;
        return new SearchResponse(total, hits);
    }

    /// <summary>Text → CLIP vectors (for POST /api/embed); null when CLIP is switched off.</summary>
    public IReadOnlyList<float[]>? Embed(IReadOnlyList<string> texts)
    {
        var encoder = _modalities.TextEncoder;
        if (encoder is null) return null;
        return texts.Select(encoder.Encode).ToList();
    }

    private Task EnsureSchemaAsync(CancellationToken ct) =>
        SchemaGate.EnsureAsync(_store, ct);
}

/// <summary>A search response plus a note for the user when the query was degraded (e.g. CLIP off).</summary>
public sealed record SearchOutcome(SearchResponse Response, string? Note);
