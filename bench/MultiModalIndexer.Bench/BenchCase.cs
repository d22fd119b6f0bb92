namespace MultiModalIndexer.Bench;

/// <summary>
/// One benchmark case. Cases compare against a peer measured in the same run (ffmpeg scdet, the bare
/// ORT session, ...) and report ratios, never absolute pass/fail thresholds.
/// </summary>
public interface IBenchCase
{
    /// <summary>Short id used by `./mmi bench --filter`, e.g. "media.shots".</summary>
    string Name { get; }
    string Description { get; }
    Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct);
}

public sealed class BenchContext
{
    /// <summary>Quick mode: fewer iterations, for smoke runs.</summary>
    public bool Quick { get; init; }
    /// <summary>Folder for generated inputs (git-ignored), e.g. shape-true CLIP models.</summary>
    public required string WorkDir { get; init; }
    public Action<string> Log { get; init; } = Console.Error.WriteLine;

    /// <summary>A file under ../shared (e.g. "media/video/x.webm"), or null when it is not there.</summary>
    public static string? SharedFile(string relative) =>
        MultiModalIndexer.Common.ProjectPaths.SharedDir is { } shared && Path.Combine(shared, relative) is var path && File.Exists(path) ? path : null;
}

/// <summary>Metrics of one case: name → value with its unit; notes say what was compared.</summary>
public sealed class BenchResult
{
    public required string Name { get; init; }
    public List<BenchMetric> Metrics { get; } = [];
    public List<string> Notes { get; } = [];
    /// <summary>Set when the case could not run (missing input); the reason is reported, not hidden.</summary>
    public string? Skipped { get; set; }

    public BenchResult Add(string metric, double value, string unit)
    {
        Metrics.Add(new BenchMetric(metric, value, unit));
        return this;
    }
}

public sealed record BenchMetric(string Name, double Value, string Unit);
