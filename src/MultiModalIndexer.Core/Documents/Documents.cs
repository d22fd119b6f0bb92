using System.Security.Cryptography;
using System.Text;

namespace MultiModalIndexer.Documents;

/// <summary>Media facts carried on every document (for filters and Dashboards).</summary>
public sealed record MediaMeta(
    string Container,
    double Duration,
    long SizeBytes,
    int Width,
    int Height,
    double Fps,
    string? VideoCodec,
    string? AudioCodec,
    DateTimeOffset? CreationTime);

/// <summary>One line of on-screen text and when it is on screen (seconds from the start of the file).</summary>
public sealed record TimedText(string Text, double Start, double End);

/// <summary>
/// One searchable moment of a video. Ids are deterministic so re-indexing overwrites.
/// A record: copies use <c>with</c>, so a field added here needs no change at the copy sites.
/// </summary>
public sealed record SegmentDocument
{
    public required string Id { get; init; }
    public required string VideoId { get; init; }
    public required int Ordinal { get; init; }
    public required string SourcePath { get; init; }
    public required string Storage { get; init; }
    public required string FileName { get; init; }
    public required string Title { get; init; }
    public required double Start { get; init; }
    public required double End { get; init; }
    public double Duration => End - Start;
    public IReadOnlyList<double> KeyframeTimes { get; init; } = [];
    /// <summary>Opaque reference the host resolves to a thumbnail (e.g. "{segmentId}/0").</summary>
    public string? ThumbnailRef { get; init; }
    public string Transcript { get; init; } = "";
    public IReadOnlyList<Utterance> Utterances { get; init; } = [];
    /// <summary>De-duplicated OCR lines joined by newlines (the BM25 field).</summary>
    public string OcrText { get; init; } = "";
    /// <summary>The OCR lines with their first and last time on screen, clipped to this segment, in time order.</summary>
    public IReadOnlyList<TimedText> OcrLines { get; init; } = [];
    /// <summary>512-d unit vector (mean-pooled keyframes), or null when CLIP is switched off.</summary>
    public float[]? Vector { get; init; }
    public string? Language { get; init; }
    public MediaMeta? Media { get; init; }
    public DateTimeOffset IndexedAt { get; init; }
    /// <summary>Which model produced which field: keys "clip", "asr", "ocr", "pipeline".</summary>
    public IReadOnlyDictionary<string, string> ModelVersions { get; init; } = new Dictionary<string, string>();
}

/// <summary>One document per video: the whole file's summary.</summary>
public sealed record VideoDocument
{
    public required string Id { get; init; }
    public required string SourcePath { get; init; }
    public required string Storage { get; init; }
    public required string FileName { get; init; }
    public required string Title { get; init; }
    public required double Duration { get; init; }
    public MediaMeta? Media { get; init; }
    public int SegmentCount { get; init; }
    public float[]? MeanVector { get; init; }
    /// <summary>Copy-detection fingerprint (stored apart from the document; null when none was taken).</summary>
    public VideoFingerprint? Fingerprint { get; init; }
    public string Transcript { get; init; } = "";
    public string? Language { get; init; }
    public DateTimeOffset IndexedAt { get; init; }
    public IReadOnlyDictionary<string, string> ModelVersions { get; init; } = new Dictionary<string, string>();
}

public static class DocumentIds
{
    /// <summary>Video id from a content fingerprint (hex), stable across renames and moves.</summary>
    public static string VideoId(string contentFingerprint)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes("video:" + contentFingerprint));
        return Convert.ToHexStringLower(bytes.AsSpan(0, 12));
    }

    public static string SegmentId(string videoId, int ordinal) => $"{videoId}-{ordinal:D5}";
}
