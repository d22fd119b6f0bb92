using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Stores.Query;

public enum SearchMode { Hybrid, Text, Vector }

/// <summary>How hybrid sub-query scores are combined, as OpenSearch's processors do it.</summary>
public enum FusionMethod
{
    /// <summary>normalization-processor: min-max per sub-query, weighted arithmetic mean.</summary>
    MinMaxArithmeticMean,
    /// <summary>score-ranker-processor: reciprocal rank fusion, rank constant 60.</summary>
    Rrf,
}

public sealed record SearchFilters
{
    public string? PathPrefix { get; init; }
    public string? Storage { get; init; }
    public double? MinDuration { get; init; }
    public double? MaxDuration { get; init; }
    public DateTimeOffset? IndexedAfter { get; init; }
    public DateTimeOffset? IndexedBefore { get; init; }
    public string? Language { get; init; }
    public string? VideoId { get; init; }
}

/// <summary>
/// A query as the stores see it. The caller embeds text into <see cref="QueryVector"/> (stores never
/// run models); <see cref="SimilarToSegmentId"/> asks the store to use a stored segment's vector.
/// </summary>
public sealed record SearchRequest
{
    public string? Query { get; init; }
    public float[]? QueryVector { get; init; }
    public string? SimilarToSegmentId { get; init; }
    public SearchMode Mode { get; init; } = SearchMode.Hybrid;
    public FusionMethod Fusion { get; init; } = FusionMethod.MinMaxArithmeticMean;
    /// <summary>Weight of the text sub-query in hybrid mode; the vector sub-query gets 1 - this.</summary>
    public double TextWeight { get; init; } = 0.5;
    public SearchFilters Filters { get; init; } = new();
    public int From { get; init; }
    public int Size { get; init; } = 10;
    public bool CollapseByVideo { get; init; }
}

public sealed record SearchHit(
    SegmentDocument Segment,
    double Score,
    double? TextScore,
    double? VectorScore,
    IReadOnlyList<string> TranscriptHighlights,
    IReadOnlyList<string> OcrHighlights,
    HitMoment Moment);

public sealed record SearchResponse(long Total, IReadOnlyList<SearchHit> Hits);

/// <summary>Bad input to search, with a message a user can act on (HTTP 400 / CLI exit 2).</summary>
public sealed class SearchValidationException(string message) : Exception(message);
