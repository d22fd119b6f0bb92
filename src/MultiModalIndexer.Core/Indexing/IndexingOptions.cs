using MultiModalIndexer.Crawl;

namespace MultiModalIndexer.Indexing;

/// <summary>Configuration section "Indexing".</summary>
public sealed class IndexingOptions
{
    public const string Section = "Indexing";
    /// <summary>Where the ledger, the embedded store and thumbnails live.</summary>
    public string DataDir { get; set; } = "data";
    /// <summary>A file that failed this many times ends as failed with its reason.</summary>
    public int MaxAttempts { get; set; } = 3;
    /// <summary>Videos decoded at once (each runs its own ffmpeg); 2 suits a 2-core machine.</summary>
    public int MaxConcurrentVideos { get; set; } = 2;
    /// <summary>Keyframes waiting for CLIP/OCR before the decoders are paused (back-pressure).</summary>
    public int KeyframeQueue { get; set; } = 16;
    /// <summary>First retry delay after a transient failure; doubles with every attempt.</summary>
    public double RetryBackoffSeconds { get; set; } = 60;
    /// <summary>Whole-file watchdog: this many seconds plus <see cref="FileTimeoutPerMediaSecond"/> × duration.</summary>
    public double FileTimeoutSeconds { get; set; } = 300;
    public double FileTimeoutPerMediaSecond { get; set; } = 20;
    /// <summary>Re-index a file when the models that would index it differ from those that did.</summary>
    public bool ReindexOnModelChange { get; set; } = true;
    /// <summary>File extensions treated as video (others under a root are ignored, not failed).</summary>
    public List<string> VideoExtensions { get; set; } = [.. MediaExtensions.DefaultVideo];
    /// <summary>
    /// A new or changed file whose mtime is younger than this is looked at again after the interval;
    /// if its size or mtime moved it is still being written and waits for a later crawl.
    /// </summary>
    public double StableSeconds { get; set; } = 3;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) yield return "Indexing:DataDir is empty: set a folder for the ledger, store and thumbnails.";
        if (MaxAttempts is < 1 or > 100) yield return "Indexing:MaxAttempts must be between 1 and 100.";
        if (MaxConcurrentVideos is < 1 or > 64) yield return "Indexing:MaxConcurrentVideos must be between 1 and 64.";
        if (KeyframeQueue is < 1 or > 4096) yield return "Indexing:KeyframeQueue must be between 1 and 4096.";
        if (RetryBackoffSeconds < 0) yield return "Indexing:RetryBackoffSeconds must be >= 0.";
        if (FileTimeoutSeconds <= 0) yield return "Indexing:FileTimeoutSeconds must be > 0.";
        if (FileTimeoutPerMediaSecond < 0) yield return "Indexing:FileTimeoutPerMediaSecond must be >= 0.";
        if (StableSeconds is < 0 or > 600) yield return "Indexing:StableSeconds must be between 0 and 600.";
        if (VideoExtensions.Count == 0) yield return "Indexing:VideoExtensions is empty: list at least one extension such as .mp4.";
    }
}

public sealed record IndexRunReport(int Indexed, int Segments, int Deleted, int Unchanged, IReadOnlyList<FailedFile> Failed)
{
    /// <summary>Files recognised by fingerprint at a new path (documents re-pointed, models not re-run).</summary>
    public int Moved { get; init; }
    /// <summary>Files whose mtime changed but whose content did not (not re-indexed).</summary>
    public int Touched { get; init; }
    /// <summary>Media seconds indexed in this run and the run's wall time.</summary>
    public double MediaSeconds { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>Files kept although their root or folder is unavailable (documents stay searchable).</summary>
    public int Unavailable { get; init; }
    /// <summary>Files still being written: left for a later crawl.</summary>
    public int Deferred { get; init; }
}

/// <summary>Per-source counts, the current file, rates and ETA (for /api/status and progress bars).</summary>
public sealed record SourceStatus(string Name, int Files, int Indexed, int Pending, int Failed, long Segments)
{
    /// <summary>Files whose root or folder is unavailable right now (documents kept, marked on the page).</summary>
    public int Unavailable { get; init; }
}

public sealed record IndexingStatus(
    bool Running,
    string? CurrentFile,
    double? CurrentFileProgress,
    IReadOnlyList<SourceStatus> Sources,
    double MediaSecondsPerSecond,
    TimeSpan? Eta,
    DateTimeOffset? LastRunFinished)
{
    /// <summary>Files planned for indexing in the running (or last) run and how many of them are done.</summary>
    public int RunPlanned { get; init; }
    public int RunDone { get; init; }
}
