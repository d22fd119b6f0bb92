using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

// Typed shapes of the REST requests and responses the store uses (only the fields it needs).
// Names follow OpenSearch's snake_case through the context's naming policy; "_id"-style names are explicit.
namespace MultiModalIndexer.Stores.OpenSearch;

// ---------- documents as stored in the indices ----------

internal sealed class SegmentSource
{
    public required string SegmentId { get; init; }
    public required string VideoId { get; init; }
    public int Ordinal { get; init; }
    public required string SourcePath { get; init; }
    public required string Storage { get; init; }
    public required string FileName { get; init; }
    public required string Title { get; init; }
    public double Start { get; init; }
    public double End { get; init; }
    public double Duration { get; init; }
    public double[]? KeyframeTimes { get; init; }
    public string? ThumbnailRef { get; init; }
    public string? Transcript { get; init; }
    public List<UtteranceSource>? Utterances { get; init; }
    public string? OcrText { get; init; }
    public List<TimedTextSource>? OcrLines { get; init; }
    public float[]? Vector { get; init; }
    public string? Language { get; init; }
    public MediaSource? Media { get; init; }
    public DateTimeOffset IndexedAt { get; init; }
    public Dictionary<string, string>? ModelVersions { get; init; }
}

internal sealed class VideoSource
{
    public required string VideoId { get; init; }
    public required string SourcePath { get; init; }
    public required string Storage { get; init; }
    public required string FileName { get; init; }
    public required string Title { get; init; }
    public double Duration { get; init; }
    public MediaSource? Media { get; init; }
    public int SegmentCount { get; init; }
    public float[]? MeanVector { get; init; }
    public string? Transcript { get; init; }
    public string? Language { get; init; }
    public DateTimeOffset IndexedAt { get; init; }
    public Dictionary<string, string>? ModelVersions { get; init; }
    /// <summary>Copy-detection fingerprint blob (base64 in JSON; a `binary` field: stored, not indexed).</summary>
    public byte[]? Fingerprint { get; init; }
}

internal sealed record UtteranceSource(double Start, double End, string Text, string? Language);
internal sealed record TimedTextSource(string Text, double Start, double End);

internal sealed class MediaSource
{
    public string? Container { get; init; }
    public double Duration { get; init; }
    public long SizeBytes { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public double Fps { get; init; }
    public string? VideoCodec { get; init; }
    public string? AudioCodec { get; init; }
    public DateTimeOffset? CreationTime { get; init; }
}

// ---------- query DSL ----------

internal sealed class Query
{
    public BoolQuery? Bool { get; init; }
    public MultiMatchQuery? MultiMatch { get; init; }
    public Dictionary<string, KnnQuery>? Knn { get; init; }
    public HybridQuery? Hybrid { get; init; }
    public Dictionary<string, TermQuery>? Term { get; init; }
    public Dictionary<string, RangeQuery>? Range { get; init; }
    public Dictionary<string, PrefixQuery>? Prefix { get; init; }
    public IdsQuery? Ids { get; init; }
    public MatchAllQuery? MatchAll { get; init; }
    public Dictionary<string, NeuralQuery>? Neural { get; init; }
}

internal sealed class BoolQuery
{
    public List<Query>? Must { get; init; }
    public List<Query>? Filter { get; init; }
    public List<Query>? MustNot { get; init; }
}

internal sealed class MultiMatchQuery
{
    public required string Query { get; init; }
    public required string[] Fields { get; init; }
    public string? Type { get; init; }
    public double? TieBreaker { get; init; }
}

internal sealed class KnnQuery
{
    public required float[] Vector { get; init; }
    public int K { get; init; }
    public Query? Filter { get; init; }
}

internal sealed class HybridQuery
{
    public required List<Query> Queries { get; init; }
    public int? PaginationDepth { get; init; }
}

internal sealed record TermQuery(string Value);
internal sealed record PrefixQuery(string Value);
internal sealed record IdsQuery(string[] Values);
internal sealed class MatchAllQuery;

internal sealed class RangeQuery
{
    public JsonNode? Gte { get; init; }
    public JsonNode? Lte { get; init; }
}

internal sealed class NeuralQuery
{
    public required string QueryText { get; init; }
    public required string ModelId { get; init; }
    public int K { get; init; }
    public Query? Filter { get; init; }
}

internal sealed class SearchBody
{
    public Query? Query { get; init; }
    public int? From { get; init; }
    public int? Size { get; init; }
    [JsonPropertyName("_source")] public SourceFilter? Source { get; init; }
    public CollapseSpec? Collapse { get; init; }
    public HighlightSpec? Highlight { get; init; }
    public Dictionary<string, Aggregation>? Aggs { get; init; }
    public List<Dictionary<string, SortField>>? Sort { get; init; }
    public bool? TrackTotalHits { get; init; }
    public JsonElement[]? SearchAfter { get; init; }
}

internal sealed class SourceFilter
{
    public string[]? Includes { get; init; }
    public string[]? Excludes { get; init; }
}
internal sealed record CollapseSpec(string Field);
internal sealed record SortField(string Order);
internal sealed record Aggregation(TermsAggregation Terms);
internal sealed record TermsAggregation(string Field, int Size);

internal sealed class HighlightSpec
{
    public required Dictionary<string, HighlightField> Fields { get; init; }
    public string[]? PreTags { get; init; }
    public string[]? PostTags { get; init; }
}

internal sealed class HighlightField
{
    public int? FragmentSize { get; init; }
    public int? NumberOfFragments { get; init; }
}

internal sealed class DeleteByQueryBody
{
    public required Query Query { get; init; }
}

internal sealed class CountBody
{
    public Query? Query { get; init; }
}

// ---------- responses ----------

internal sealed class SearchResult<T>
{
    public long Took { get; init; }
    public HitsEnvelope<T>? Hits { get; init; }
    public Dictionary<string, TermsAggregationResult>? Aggregations { get; init; }
}

internal sealed class HitsEnvelope<T>
{
    public TotalHits? Total { get; init; }
    public List<Hit<T>> Hits { get; init; } = [];
}

internal sealed record TotalHits(long Value, string? Relation);

internal sealed class Hit<T>
{
    [JsonPropertyName("_index")] public string? Index { get; init; }
    [JsonPropertyName("_id")] public string? Id { get; init; }
    [JsonPropertyName("_score")] public double? Score { get; init; }
    [JsonPropertyName("_source")] public T? Source { get; init; }
    public Dictionary<string, string[]>? Highlight { get; init; }
    public JsonElement[]? Sort { get; init; }
}

internal sealed class TermsAggregationResult
{
    public List<TermsBucket> Buckets { get; init; } = [];
}

internal sealed record TermsBucket(string Key, long DocCount);

internal sealed class GetResult<T>
{
    [JsonPropertyName("_id")] public string? Id { get; init; }
    public bool Found { get; init; }
    [JsonPropertyName("_source")] public T? Source { get; init; }
}

internal sealed record CountResult(long Count);

internal sealed class BulkResponse
{
    public long Took { get; init; }
    public bool Errors { get; init; }
    public List<Dictionary<string, BulkItemResult>> Items { get; init; } = [];
}

internal sealed class BulkItemResult
{
    [JsonPropertyName("_index")] public string? Index { get; init; }
    [JsonPropertyName("_id")] public string? Id { get; init; }
    public int Status { get; init; }
    public ErrorCause? Error { get; init; }
}

internal sealed class ErrorCause
{
    public string? Type { get; init; }
    public string? Reason { get; init; }
    public ErrorCause? CausedBy { get; init; }
}

internal sealed class ErrorEnvelope
{
    // Usually an object; some plugins answer a bare string.
    public JsonElement Error { get; init; }
    public int Status { get; init; }
}

internal sealed class DeleteByQueryResult
{
    public long Deleted { get; init; }
    public long VersionConflicts { get; init; }
    public List<JsonElement>? Failures { get; init; }
}

internal sealed class ClusterHealthResult
{
    public string? ClusterName { get; init; }
    public string? Status { get; init; }
    public int NumberOfNodes { get; init; }
    public bool TimedOut { get; init; }
}

internal sealed class AcknowledgedResult
{
    public bool Acknowledged { get; init; }
}

// ---------- bulk lines ----------

internal sealed class BulkAction
{
    public BulkActionMeta? Index { get; init; }
    public BulkActionMeta? Delete { get; init; }
}

internal sealed record BulkActionMeta(
    [property: JsonPropertyName("_index")] string Index,
    [property: JsonPropertyName("_id")] string Id);

// ---------- aliases ----------

internal sealed record AliasActions(List<AliasAction> Actions);

internal sealed class AliasAction
{
    public AliasAdd? Add { get; init; }
    public AliasRemove? Remove { get; init; }
}

internal sealed class AliasAdd
{
    public required string Index { get; init; }
    public required string Alias { get; init; }
    public bool? IsWriteIndex { get; init; }
}

internal sealed record AliasRemove(string Index, string Alias);

// ---------- reindex ----------

internal sealed class ReindexBody
{
    public required ReindexSource Source { get; init; }
    public required ReindexDest Dest { get; init; }
    public string? Conflicts { get; init; }
}

internal sealed record ReindexSource(string Index);

internal sealed class ReindexDest
{
    public required string Index { get; init; }
    public string? OpType { get; init; }
}

internal sealed class ReindexResult
{
    public long Total { get; init; }
    public long Created { get; init; }
    public long Updated { get; init; }
    public long VersionConflicts { get; init; }
    public List<JsonElement>? Failures { get; init; }
}

internal sealed class IndexAliases
{
    public Dictionary<string, JsonElement> Aliases { get; init; } = [];
}

// ---------- search pipelines (mappings/search-pipelines/*.json) ----------

internal sealed class SearchPipeline
{
    public string? Description { get; set; }
    public List<PhaseResultsProcessor> PhaseResultsProcessors { get; set; } = [];
}

internal sealed class PhaseResultsProcessor
{
    [JsonPropertyName("normalization-processor")] public NormalizationProcessor? Normalization { get; set; }
    [JsonPropertyName("score-ranker-processor")] public ScoreRankerProcessor? ScoreRanker { get; set; }
}

internal sealed class NormalizationProcessor
{
    public required TechniqueSpec Normalization { get; set; }
    public required CombinationSpec Combination { get; set; }
}

internal sealed class ScoreRankerProcessor
{
    public required CombinationSpec Combination { get; set; }
}

internal sealed class TechniqueSpec
{
    public required string Technique { get; set; }
}

internal sealed class CombinationSpec
{
    public required string Technique { get; set; }
    public int? RankConstant { get; set; }
    public CombinationParameters? Parameters { get; set; }
}

internal sealed class CombinationParameters
{
    public double[]? Weights { get; set; }
}

// ---------- ml-commons (mappings/ml-commons/*.json) ----------

internal sealed class ConnectorCreateRequest
{
    public required string Name { get; set; }
    public required string Description { get; set; }
    public int Version { get; set; } = 1;
    public string Protocol { get; set; } = "http";
    public Dictionary<string, string> Parameters { get; set; } = [];
    public Dictionary<string, string> Credential { get; set; } = [];
    public List<ConnectorAction> Actions { get; set; } = [];
}

internal sealed class ConnectorAction
{
    public required string ActionType { get; set; }
    public required string Method { get; set; }
    public required string Url { get; set; }
    public Dictionary<string, string>? Headers { get; set; }
    public required string RequestBody { get; set; }
    public string? PreProcessFunction { get; set; }
    public string? PostProcessFunction { get; set; }
}

internal sealed class ModelRegisterRequest
{
    public required string Name { get; set; }
    public string FunctionName { get; set; } = "remote";
    public string? Description { get; set; }
    public string? ConnectorId { get; set; }
}

internal sealed class ClusterSettingsRequest
{
    public Dictionary<string, JsonNode?> Persistent { get; set; } = [];
}

internal sealed record ConnectorCreated(string ConnectorId);

internal sealed class MlTaskResult
{
    public string? TaskId { get; init; }
    public string? Status { get; init; }
    public string? State { get; init; }
    public string? ModelId { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SegmentSource))]
[JsonSerializable(typeof(VideoSource))]
[JsonSerializable(typeof(SearchBody))]
[JsonSerializable(typeof(DeleteByQueryBody))]
[JsonSerializable(typeof(CountBody))]
[JsonSerializable(typeof(SearchResult<SegmentSource>))]
[JsonSerializable(typeof(SearchResult<VideoSource>))]
[JsonSerializable(typeof(GetResult<SegmentSource>))]
[JsonSerializable(typeof(GetResult<VideoSource>))]
[JsonSerializable(typeof(CountResult))]
[JsonSerializable(typeof(BulkResponse))]
[JsonSerializable(typeof(BulkAction))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(DeleteByQueryResult))]
[JsonSerializable(typeof(ClusterHealthResult))]
[JsonSerializable(typeof(AcknowledgedResult))]
[JsonSerializable(typeof(AliasActions))]
[JsonSerializable(typeof(SearchPipeline))]
[JsonSerializable(typeof(ReindexBody))]
[JsonSerializable(typeof(ReindexResult))]
[JsonSerializable(typeof(Dictionary<string, IndexAliases>))]
[JsonSerializable(typeof(ConnectorCreateRequest))]
[JsonSerializable(typeof(ModelRegisterRequest))]
[JsonSerializable(typeof(ClusterSettingsRequest))]
[JsonSerializable(typeof(ConnectorCreated))]
[JsonSerializable(typeof(MlTaskResult))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class OpenSearchJsonContext : JsonSerializerContext;
