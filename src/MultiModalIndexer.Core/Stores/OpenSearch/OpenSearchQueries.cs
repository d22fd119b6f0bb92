using System.Globalization;
using System.Text.Json.Nodes;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>Builds typed search bodies: text = multi_match, vector = knn, hybrid = hybrid[text, knn].</summary>
/// <remarks>Validation is <see cref="SearchRequestValidator"/>, shared with the embedded store, so both stores
/// accept and reject the same requests with the same messages.</remarks>
internal static class OpenSearchQueries
{
    /// <summary>Boosts of <see cref="TextFieldBoosts"/> (shared with the embedded store); the .cjk sub-fields match Han/Kana/Hangul bigrams.</summary>
    public static readonly string[] TextFields =
    [
        Boosted("title", TextFieldBoosts.Title), Boosted("title.cjk", TextFieldBoosts.Title),
        Boosted("ocr_text", TextFieldBoosts.Ocr), Boosted("ocr_text.cjk", TextFieldBoosts.Ocr),
        Boosted("transcript", TextFieldBoosts.Transcript), Boosted("transcript.cjk", TextFieldBoosts.Transcript),
    ];

    private static string Boosted(string field, double boost) =>
        boost == 1 ? field : field + "^" + boost.ToString(CultureInfo.InvariantCulture);

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
            Must = [new Query { MultiMatch = new MultiMatchQuery { Query = text, Fields = TextFields, Type = "best_fields", TieBreaker = TextFieldBoosts.TieBreaker } }],
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

    /// <param name="vector">The query vector (the request's, or the stored segment's for "more like this").</param>
    public static SearchBody Body(ValidatedSearch plan, float[]? vector)
    {
        var r = plan.Request;
        var filters = Filters(r.Filters);
        // Same candidate depth as the embedded store's fusion: max(from + size, 100), more when collapsing.
        var depth = plan.CandidateCount;
        Query query = plan.Mode switch
        {
            SearchMode.Text => TextQuery(plan.Text!, filters),
            SearchMode.Vector => KnnQuery(vector!, depth, filters, plan.SimilarToSegmentId),
            _ => new Query
            {
                // Order matters: the pipelines' weights are [text, vector].
                Hybrid = new HybridQuery
                {
                    Queries = [TextQuery(plan.Text!, filters), KnnQuery(vector!, depth, filters, plan.SimilarToSegmentId)],
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
            Source = new SourceFilter { Excludes = ["vector"] },
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
