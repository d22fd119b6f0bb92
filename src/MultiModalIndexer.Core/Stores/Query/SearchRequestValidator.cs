namespace MultiModalIndexer.Stores.Query;

/// <summary>Limits every store enforces the same way (documented in the API).</summary>
public static class SearchLimits
{
    /// <summary>Hits per page, like a sane UI page; larger pages are rejected, not clipped.</summary>
    public const int MaxSize = 100;
    /// <summary>From + Size may not exceed this (OpenSearch's index.max_result_window).</summary>
    public const int MaxWindow = 10_000;
    /// <summary>Longer query text is rejected with a clear message rather than silently truncated.</summary>
    public const int MaxQueryChars = 1_000;
    /// <summary>Distinct analysed terms used from a query; later terms are ignored.</summary>
    public const int MaxQueryTerms = 64;
    /// <summary>CLIP ViT-B/32 vector length.</summary>
    public const int VectorDimension = 512;
    /// <summary>Each hybrid sub-query retrieves max(From + Size, this) candidates before fusion.</summary>
    public const int MinCandidates = 100;
    public const int MaxFilterChars = 4_096;
}

/// <summary>A request after validation: which sub-queries run, with what input.</summary>
public sealed record ValidatedSearch(
    SearchMode Mode,
    string? Text,
    IReadOnlyList<string> Terms,
    float[]? Vector,
    string? SimilarToSegmentId,
    SearchRequest Request)
{
    public bool HasText => Mode is SearchMode.Text or SearchMode.Hybrid;
    public bool HasVector => Mode is SearchMode.Vector or SearchMode.Hybrid;

    /// <summary>Candidates each sub-query retrieves. Collapsing needs more to fill a page of distinct videos.</summary>
    public int CandidateCount
    {
        get
        {
            int window = Request.From + Request.Size;
            int k = Math.Max(window, SearchLimits.MinCandidates);
            return Request.CollapseByVideo ? Math.Min(Math.Max(k, window * 10), SearchLimits.MaxWindow) : k;
        }
    }
}

/// <summary>
/// One validation for every store: bad input becomes a <see cref="SearchValidationException"/> whose
/// message says what to change. Decisions (documented here, mirrored by the OpenSearch store):
/// query text longer than <see cref="SearchLimits.MaxQueryChars"/> is rejected; syntax characters are
/// never interpreted (text is analysed into terms); hybrid with only text runs as text, hybrid with
/// only a vector runs as vector; in text mode a vector is ignored, in vector mode query text is ignored.
/// </summary>
public static class SearchRequestValidator
{
    public static ValidatedSearch Validate(SearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.Mode)) Fail($"Mode {(int)request.Mode} is not one of hybrid, text, vector.");
        if (!Enum.IsDefined(request.Fusion)) Fail($"Fusion {(int)request.Fusion} is not one of MinMaxArithmeticMean, Rrf.");
        if (request.From < 0) Fail($"From must be 0 or more (got {request.From}).");
        if (request.Size < 0) Fail($"Size must be 0 or more (got {request.Size}).");
        if (request.Size > SearchLimits.MaxSize) Fail($"Size must be at most {SearchLimits.MaxSize} (got {request.Size}); page with From instead.");
        if ((long)request.From + request.Size > SearchLimits.MaxWindow)
            Fail($"From + Size must be at most {SearchLimits.MaxWindow} (got {(long)request.From + request.Size}); narrow the query with filters.");
        if (double.IsNaN(request.TextWeight) || request.TextWeight is < 0 or > 1)
            Fail($"TextWeight must be between 0 and 1 (got {request.TextWeight}); the vector sub-query gets 1 - TextWeight.");

        string? text = request.Query;
        if (text is not null && text.Length > SearchLimits.MaxQueryChars)
            Fail($"Query is {text.Length} characters; the limit is {SearchLimits.MaxQueryChars}. Use a shorter query.");
        text = string.IsNullOrWhiteSpace(text) ? null : text.Trim();

        float[]? vector = request.QueryVector;
        if (vector is not null) ValidateVector(vector, "QueryVector");
        string? similar = string.IsNullOrWhiteSpace(request.SimilarToSegmentId) ? null : request.SimilarToSegmentId.Trim();
        if (similar is not null && similar.Length > 256) Fail("SimilarToSegmentId is longer than 256 characters; it is not a segment id.");
        if (vector is not null && similar is not null) Fail("Give either QueryVector or SimilarToSegmentId, not both.");
        bool hasVectorInput = vector is not null || similar is not null;

        ValidateFilters(request.Filters ?? new SearchFilters());

        var mode = request.Mode;
        switch (mode)
        {
            case SearchMode.Text:
                if (text is null) Fail("Text search needs a non-empty query.");
                vector = null; similar = null;
                break;
            case SearchMode.Vector:
                if (!hasVectorInput) Fail("Vector search needs QueryVector (an embedded query) or SimilarToSegmentId.");
                text = null;
                break;
            default:
                if (text is null && !hasVectorInput) Fail("Hybrid search needs a non-empty query or a vector (QueryVector or SimilarToSegmentId).");
                if (text is null) mode = SearchMode.Vector;
                else if (!hasVectorInput) mode = SearchMode.Text;
                break;
        }
        IReadOnlyList<string> terms = text is null ? [] : CjkAnalyzer.QueryTerms(text);
        return new ValidatedSearch(mode, text, terms, vector, similar, request with { Filters = request.Filters ?? new SearchFilters() });
    }

    public static void ValidateVector(ReadOnlySpan<float> vector, string what)
    {
        if (vector.Length != SearchLimits.VectorDimension)
            Fail($"{what} has {vector.Length} dimensions; expected {SearchLimits.VectorDimension} (CLIP ViT-B/32).");
        double norm = 0;
        for (int i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i])) Fail($"{what}[{i}] is {vector[i]}; every component must be a finite number.");
            norm += (double)vector[i] * vector[i];
        }
        if (norm == 0) Fail($"{what} is all zeros; it has no direction to search along.");
    }

    private static void ValidateFilters(SearchFilters f)
    {
        foreach (var (name, value) in new[] { ("PathPrefix", f.PathPrefix), ("Storage", f.Storage), ("Language", f.Language), ("VideoId", f.VideoId) })
            if (value is { Length: > SearchLimits.MaxFilterChars }) Fail($"Filters.{name} is longer than {SearchLimits.MaxFilterChars} characters.");
        if (f.MinDuration is { } min && (!double.IsFinite(min) || min < 0)) Fail($"Filters.MinDuration must be a finite number of seconds ≥ 0 (got {min}).");
        if (f.MaxDuration is { } max && (!double.IsFinite(max) || max < 0)) Fail($"Filters.MaxDuration must be a finite number of seconds ≥ 0 (got {max}).");
        if (f.MinDuration > f.MaxDuration) Fail($"Filters.MinDuration ({f.MinDuration}) is greater than Filters.MaxDuration ({f.MaxDuration}).");
        if (f.IndexedAfter > f.IndexedBefore) Fail($"Filters.IndexedAfter ({f.IndexedAfter:O}) is later than Filters.IndexedBefore ({f.IndexedBefore:O}).");
    }

    private static void Fail(string message) => throw new SearchValidationException(message);
}
