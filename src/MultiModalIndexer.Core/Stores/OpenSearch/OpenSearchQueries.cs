using System.Globalization;
using System.Text.Json.Nodes;
using MultiModalIndexer.Search;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>What a validated request will actually run as.</summary>
internal sealed record SearchPlan(SearchMode Mode, string? Text, float[]? Vector, string? SimilarToSegmentId);

/// <summary>Builds typed search bodies: text = multi_match, vector = knn, hybrid = hybrid[text, knn].</summary>
internal static class OpenSearchQueries
{
    public const int MaxQueryLength = 1000;
    public const int MaxSize = 1000;
    public const int MaxWindow = 10_000;

    /// <summary>Boosts as the issue asks: title above OCR above transcript; the .cjk sub-fields match Han/Kana/Hangul bigrams.</summary>
    public static readonly string[] TextFields =
        ["title^2", "title.cjk^2", "ocr_text^1.5", "ocr_text.cjk^1.5", "transcript", "transcript.cjk"];

    /// <summary>
    /// Validates and picks the mode. Hybrid without any vector source runs as text; hybrid without text runs as
    /// vector (a one-legged hybrid would only rescale one list).
    /// </summary>
    public static SearchPlan Validate(SearchRequest r, int dimension)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.From < 0) throw new SearchValidationException($"from must be ≥ 0 (got {r.From}).");
        if (r.Size is < 1 or > MaxSize) throw new SearchValidationException($"size must be between 1 and {MaxSize} (got {r.Size}).");
        if ((long)r.From + r.Size > MaxWindow) throw new SearchValidationException($"from + size must be ≤ {MaxWindow} (got {(long)r.From + r.Size}).");
        if (!double.IsFinite(r.TextWeight) || r.TextWeight is < 0 or > 1)
            throw new SearchValidationException($"textWeight must be between 0 and 1 (got {r.TextWeight}).");
        if (!Enum.IsDefined(r.Mode)) throw new SearchValidationException($"unknown search mode {(int)r.Mode}.");
        if (!Enum.IsDefined(r.Fusion)) throw new SearchValidationException($"unknown fusion method {(int)r.Fusion}.");
        var text = string.IsNullOrWhiteSpace(r.Query) ? null : r.Query.Trim();
        if (text is { Length: > MaxQueryLength })
            throw new SearchValidationException($"query is too long ({text.Length} characters; at most {MaxQueryLength}).");
        if (text is not null && text.Any(c => char.IsControl(c) && !char.IsWhiteSpace(c)))
            throw new SearchValidationException("query contains control characters.");
        if (r.QueryVector is { } v)
        {
            if (v.Length != dimension) throw new SearchValidationException($"query vector must have {dimension} values (got {v.Length}).");
            double norm = 0;
            foreach (var x in v)
            {
                if (!float.IsFinite(x)) throw new SearchValidationException("query vector contains NaN or infinity.");
                norm += (double)x * x;
            }
            if (norm == 0) throw new SearchValidationException("query vector is all zeros.");
        }
        var similar = string.IsNullOrWhiteSpace(r.SimilarToSegmentId) ? null : r.SimilarToSegmentId.Trim();
        if (similar is { Length: > 512 }) throw new SearchValidationException("similarToSegmentId is too long.");
        ValidateFilters(r.Filters ?? new SearchFilters());
        var hasVector = r.QueryVector is not null || similar is not null;
        return r.Mode switch
        {
            SearchMode.Text when text is null => throw new SearchValidationException("text search needs a non-empty query."),
            SearchMode.Text => new SearchPlan(SearchMode.Text, text, null, null),
            SearchMode.Vector when !hasVector => throw new SearchValidationException("vector search needs a query vector or similarToSegmentId."),
            SearchMode.Vector => new SearchPlan(SearchMode.Vector, null, r.QueryVector, similar),
            _ when text is null && !hasVector => throw new SearchValidationException("search needs a query, a query vector or similarToSegmentId."),
            _ when !hasVector => new SearchPlan(SearchMode.Text, text, null, null),
            _ when text is null => new SearchPlan(SearchMode.Vector, null, r.QueryVector, similar),
            _ => new SearchPlan(SearchMode.Hybrid, text, r.QueryVector, similar),
        };
    }

    private static void ValidateFilters(SearchFilters f)
    {
        if (f.MinDuration is { } a && (!double.IsFinite(a) || a < 0)) throw new SearchValidationException("minDuration must be a finite number ≥ 0.");
        if (f.MaxDuration is { } b && (!double.IsFinite(b) || b < 0)) throw new SearchValidationException("maxDuration must be a finite number ≥ 0.");
        if (f is { MinDuration: { } lo, MaxDuration: { } hi } && lo > hi) throw new SearchValidationException("minDuration is greater than maxDuration.");
        if (f is { IndexedAfter: { } after, IndexedBefore: { } before } && after > before) throw new SearchValidationException("indexedAfter is later than indexedBefore.");
        foreach (var (name, value) in new[] { ("pathPrefix", f.PathPrefix), ("storage", f.Storage), ("language", f.Language), ("videoId", f.VideoId) })
            if (value is { Length: > 4096 }) throw new SearchValidationException($"{name} filter is too long.");
    }

    /// <summary>The request's filters as bool filter clauses (used as-is in bool.filter and inside knn.filter).</summary>
    public static List<Query> Filters(SearchFilters? f)
    {
        var list = new List<Query>();
        if (f is null) return list;
        if (!string.IsNullOrEmpty(f.PathPrefix)) list.Add(new Query { Prefix = new() { ["source_path"] = new PrefixQuery(f.PathPrefix) } });
        if (!string.IsNullOrEmpty(f.Storage)) list.Add(Term("storage", f.Storage));
        if (!string.IsNullOrEmpty(f.Language)) list.Add(Term("language", f.Language));
        if (!string.IsNullOrEmpty(f.VideoId)) list.Add(Term("video_id", f.VideoId));
        if (f.MinDuration is not null || f.MaxDuration is not null)
            list.Add(new Query { Range = new() { ["duration"] = new RangeQuery { Gte = Num(f.MinDuration), Lte = Num(f.MaxDuration) } } });
        if (f.IndexedAfter is not null || f.IndexedBefore is not null)
            list.Add(new Query { Range = new() { ["indexed_at"] = new RangeQuery { Gte = Date(f.IndexedAfter), Lte = Date(f.IndexedBefore) } } });
        return list;
    }

    public static Query Term(string field, string value) => new() { Term = new() { [field] = new TermQuery(value) } };

    private static JsonNode? Num(double? d) => d is { } x ? JsonValue.Create(x) : null;

    private static JsonNode? Date(DateTimeOffset? d) =>
        d is { } x ? JsonValue.Create(x.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)) : null;

    public static Query TextQuery(string text, List<Query> filters) => new()
    {
        Bool = new BoolQuery
        {
            Must = [new Query { MultiMatch = new MultiMatchQuery { Query = text, Fields = TextFields, Type = "best_fields" } }],
            Filter = filters.Count > 0 ? filters : null,
        },
    };

    /// <summary>knn on "vector"; filters go into knn.filter (efficient filtering) rather than an outer bool.</summary>
    public static Query KnnQuery(float[] vector, int k, List<Query> filters, string? excludeId)
    {
        Query? filter = null;
        if (filters.Count > 0 || excludeId is not null)
            filter = new Query
            {
                Bool = new BoolQuery
                {
                    Filter = filters.Count > 0 ? filters : null,
                    MustNot = excludeId is null ? null : [new Query { Ids = new IdsQuery([excludeId]) }],
                },
            };
        return new Query { Knn = new() { ["vector"] = new KnnQuery { Vector = vector, K = k, Filter = filter } } };
    }

    public static SearchBody Body(SearchPlan plan, SearchRequest r, int candidateDepth)
    {
        var filters = Filters(r.Filters);
        var window = r.From + r.Size;
        var depth = Math.Min(MaxWindow, Math.Max(candidateDepth, window));
        Query query = plan.Mode switch
        {
            SearchMode.Text => TextQuery(plan.Text!, filters),
            SearchMode.Vector => KnnQuery(plan.Vector!, depth, filters, plan.SimilarToSegmentId),
            _ => new Query
            {
                // Order matters: the pipelines' weights are [text, vector].
                Hybrid = new HybridQuery
                {
                    Queries = [TextQuery(plan.Text!, filters), KnnQuery(plan.Vector!, depth, filters, plan.SimilarToSegmentId)],
                    // Constant across pages so page 2 continues the same fused ranking.
                    PaginationDepth = depth,
                },
            },
        };
        return new SearchBody
        {
            Query = query,
            From = r.From,
            Size = r.Size,
            Source = new SourceFilter(["vector"]),
            Collapse = r.CollapseByVideo ? new CollapseSpec("video_id") : null,
            Highlight = plan.Text is null ? null : new HighlightSpec
            {
                Fields = new()
                {
                    ["transcript"] = new HighlightField { FragmentSize = 150, NumberOfFragments = 3 },
                    ["transcript.cjk"] = new HighlightField { FragmentSize = 150, NumberOfFragments = 3 },
                    ["ocr_text"] = new HighlightField { FragmentSize = 150, NumberOfFragments = 3 },
                    ["ocr_text.cjk"] = new HighlightField { FragmentSize = 150, NumberOfFragments = 3 },
                },
                PreTags = ["<em>"],
                PostTags = ["</em>"],
            },
            TrackTotalHits = true,
        };
    }
}
