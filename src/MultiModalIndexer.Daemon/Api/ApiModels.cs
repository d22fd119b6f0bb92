using MultiModalIndexer.Documents;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>Body of POST /api/search.</summary>
public sealed record SearchBody
{
    /// <summary>Words to find (transcript, OCR, title) and/or a description of what is seen.</summary>
    public string? Query { get; init; }
    /// <summary>hybrid (default), text (BM25 only) or vector (CLIP only).</summary>
    public SearchMode? Mode { get; init; }
    /// <summary>minMaxArithmeticMean (default) or rrf.</summary>
    public FusionMethod? Fusion { get; init; }
    /// <summary>Weight of the text sub-query in hybrid mode (0..1); the vector sub-query gets the rest.</summary>
    public double? TextWeight { get; init; }
    /// <summary>Alternative to textWeight: relative weights, normalised to sum to 1.</summary>
    public SearchWeights? Weights { get; init; }
    public SearchFilters? Filters { get; init; }
    /// <summary>Shortcut for filters.storage: only this source's videos.</summary>
    public string? Source { get; init; }
    public int? From { get; init; }
    public int? Size { get; init; }
    /// <summary>At most one hit per video.</summary>
    public bool? Collapse { get; init; }
}

public sealed record SearchWeights(double? Text, double? Vector);

public sealed record VideoRef(string Id, string Path, string Title, string FileName, string Source)
{
    /// <summary>False while the file's root or folder is unavailable (unmounted, moved away): still found, not playable.</summary>
    public bool Available { get; init; } = true;
}

/// <summary>
/// One moment found. <c>Moment</c> is where to play from (start of the best-matching OCR line or utterance,
/// else the segment start); <c>MatchedBy</c> is "ocr", "speech", "title", "visual" or "none" (what actually
/// matched); <c>MatchedLine</c> is the line at <c>Moment</c> when one matched. Highlights are fragments in the OpenSearch <c>"encoder": "html"</c> convention both
/// stores follow: HTML-escaped text with matches wrapped in &lt;em&gt;…&lt;/em&gt;. Transcript and Ocr are raw text.
/// </summary>
public sealed record HitDto(
    string SegmentId,
    VideoRef Video,
    int Ordinal,
    double Start,
    double End,
    double Score,
    double? TextScore,
    double? VectorScore,
    string Transcript,
    string Ocr,
    IReadOnlyList<string> TranscriptHighlights,
    IReadOnlyList<string> OcrHighlights,
    string? ThumbnailUrl,
    string MediaUrl,
    double Moment,
    string MatchedBy,
    string? MatchedLine,
    string? MatchedLineHighlight,
    IReadOnlyList<TimedText> OcrLines);

public sealed record SearchResultDto(long Total, int From, int Size, IReadOnlyList<HitDto> Hits);

public sealed record SegmentDto(
    string Id,
    VideoRef Video,
    int Ordinal,
    double Start,
    double End,
    IReadOnlyList<double> KeyframeTimes,
    string Transcript,
    IReadOnlyList<Utterance> Utterances,
    string Ocr,
    IReadOnlyList<TimedText> OcrLines,
    bool HasVector,
    string? Language,
    MediaMeta? Media,
    DateTimeOffset IndexedAt,
    IReadOnlyDictionary<string, string> ModelVersions,
    string? ThumbnailUrl,
    string MediaUrl);

public sealed record VideoDto(
    string Id,
    string Path,
    string Title,
    string FileName,
    string Source,
    double Duration,
    MediaMeta? Media,
    int SegmentCount,
    string Transcript,
    string? Language,
    DateTimeOffset IndexedAt,
    IReadOnlyDictionary<string, string> ModelVersions,
    string MediaUrl);

public sealed record VideoListDto(int From, int Size, IReadOnlyList<VideoDto> Videos);

public sealed record SourceDto(string Name, string Root, string Schedule);

public sealed record StatusDto(
    bool Ready,
    IReadOnlyList<SourceDto> Sources,
    IndexingStatus? Indexing,
    string? IndexingUnavailable,
    Scheduling.CrawlSnapshot Crawl,
    StoreStats? Store,
    string? StoreUnavailable);

public sealed record CrawlAcceptedDto(bool Queued, string Scope);

// OpenAI embeddings shape (what OpenSearch ml-commons connectors expect).
public sealed record EmbeddingItem(string Object, int Index, float[] Embedding);
public sealed record EmbeddingUsage(
    [property: System.Text.Json.Serialization.JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: System.Text.Json.Serialization.JsonPropertyName("total_tokens")] int TotalTokens);
public sealed record EmbeddingsResponse(string Object, IReadOnlyList<EmbeddingItem> Data, string Model, EmbeddingUsage Usage);

internal static class ApiMapping
{
    public static VideoRef Video(SegmentDocument s) => new(s.VideoId, s.SourcePath, s.Title, s.FileName, s.Storage) { Available = File.Exists(s.SourcePath) };

    public static string MediaUrl(string videoId) => $"/media/{Uri.EscapeDataString(videoId)}";

    public static string MediaUrlAt(string videoId, double start, double end) =>
        FormattableString.Invariant($"{MediaUrl(videoId)}#t={start:0.###},{end:0.###}");

    public static string? ThumbnailUrl(SegmentDocument s) =>
        s.ThumbnailRef is null ? null : $"/api/thumbnails/{Uri.EscapeDataString(s.Id)}";

    public static HitDto Hit(SearchHit h) => new(
        h.Segment.Id, Video(h.Segment), h.Segment.Ordinal, h.Segment.Start, h.Segment.End,
        h.Score, h.TextScore, h.VectorScore, h.Segment.Transcript, h.Segment.OcrText,
        h.TranscriptHighlights, h.OcrHighlights,
        ThumbnailUrl(h.Segment), MediaUrlAt(h.Segment.VideoId, h.Moment.Time, h.Segment.End),
        h.Moment.Time, HitMoment.Label(h.Moment.MatchedBy), h.Moment.Line, h.Moment.LineHighlight, h.Segment.OcrLines);

    public static SearchResultDto Result(SearchResponse r, SearchRequest q) =>
        new(r.Total, q.From, q.Size, r.Hits.Select(Hit).ToArray());

    public static SegmentDto Segment(SegmentDocument s) => new(
        s.Id, Video(s), s.Ordinal, s.Start, s.End, s.KeyframeTimes, s.Transcript, s.Utterances, s.OcrText, s.OcrLines,
        s.Vector is not null, s.Language, s.Media, s.IndexedAt, s.ModelVersions, ThumbnailUrl(s),
        MediaUrlAt(s.VideoId, s.Start, s.End));

    public static VideoDto Video(VideoDocument v) => new(
        v.Id, v.SourcePath, v.Title, v.FileName, v.Storage, v.Duration, v.Media, v.SegmentCount, v.Transcript,
        v.Language, v.IndexedAt, v.ModelVersions, MediaUrl(v.Id));
}
