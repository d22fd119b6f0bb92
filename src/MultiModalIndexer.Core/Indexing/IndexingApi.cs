// API SKELETON written by the integrator so the host compiles against it.
// The indexing stage replaces these bodies (and may split this file); keep the signatures.
using MultiModalIndexer.Search;

namespace MultiModalIndexer.Indexing;

/// <summary>One configured media root ("Sources" array in configuration).</summary>
public sealed class SourceOptions
{
    public string Name { get; set; } = "";
    public string Root { get; set; } = "";
    public List<string> Include { get; set; } = ["**/*"];
    public List<string> Exclude { get; set; } = [];
    /// <summary>Quartz cron expression for scheduled crawls.</summary>
    public string Schedule { get; set; } = "0 0/15 * * * ?";
}

/// <summary>Configuration section "Indexing".</summary>
public sealed class IndexingOptions
{
    public const string Section = "Indexing";
    /// <summary>Where the ledger, the embedded store and thumbnails live.</summary>
    public string DataDir { get; set; } = "data";
    /// <summary>A file that failed this many times ends as failed with its reason.</summary>
    public int MaxAttempts { get; set; } = 3;
}

public sealed record FailedFile(string Path, string Error);

public sealed record IndexRunReport(int Indexed, int Segments, int Deleted, int Unchanged, IReadOnlyList<FailedFile> Failed);

/// <summary>Per-source counts, the current file, rates and ETA (for /api/status and progress bars).</summary>
public sealed record SourceStatus(string Name, int Files, int Indexed, int Pending, int Failed, long Segments);

public sealed record IndexingStatus(
    bool Running,
    string? CurrentFile,
    double? CurrentFileProgress,
    IReadOnlyList<SourceStatus> Sources,
    double MediaSecondsPerSecond,
    TimeSpan? Eta,
    DateTimeOffset? LastRunFinished);

/// <summary>Crawls sources and keeps the store current: new/changed files indexed, deleted removed.</summary>
public sealed class Indexer
{
    /// <summary>One crawl + indexing run over the given sources; concurrent calls are serialised.</summary>
    public Task<IndexRunReport> RunAsync(IReadOnlyList<SourceOptions> sources, CancellationToken ct = default) =>
        throw new NotImplementedException(sources.Count.ToString());

    public IndexingStatus Status => throw new NotImplementedException();

    /// <summary>Resolves a video id to its file on disk, only if it is under a configured root (never a client path).</summary>
    public string? ResolveMediaPath(string videoId) => throw new NotImplementedException(videoId);

    /// <summary>Thumbnail JPEG for a segment's ThumbnailRef, or null.</summary>
    public Task<byte[]?> GetThumbnailAsync(string thumbnailRef, CancellationToken ct = default) =>
        throw new NotImplementedException(thumbnailRef);
}
