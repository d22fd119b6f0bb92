using MultiModalIndexer.Indexing;

namespace MultiModalIndexer.Daemon.Scheduling;

/// <summary>What the scheduler last did, for /api/status and the page (thread-safe snapshot).</summary>
public sealed class CrawlState
{
    private readonly Lock gate = new();
    private CrawlSnapshot snapshot = new(false, null, null, null, null, null, 0);

    public CrawlSnapshot Snapshot { get { lock (gate) return snapshot; } }

    internal void Started(string scope)
    {
        lock (gate) snapshot = snapshot with { Running = true, Scope = scope, LastStarted = DateTimeOffset.UtcNow };
    }

    internal void Finished(IndexRunReport report)
    {
        lock (gate) snapshot = snapshot with
        {
            Running = false,
            LastFinished = DateTimeOffset.UtcNow,
            LastReport = report,
            LastError = null,
            RunsCompleted = snapshot.RunsCompleted + 1,
        };
    }

    internal void Stopped(string error)
    {
        lock (gate) snapshot = snapshot with { Running = false, LastFinished = DateTimeOffset.UtcNow, LastError = error };
    }
}

public sealed record CrawlSnapshot(
    bool Running,
    string? Scope,
    DateTimeOffset? LastStarted,
    DateTimeOffset? LastFinished,
    IndexRunReport? LastReport,
    string? LastError,
    int RunsCompleted);
