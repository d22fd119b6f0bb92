using System.Collections.Concurrent;
using System.Diagnostics;

namespace MultiModalIndexer.Indexing;

/// <summary>Progress of the running (or last) crawl run, read by status without locks.</summary>
internal sealed class RunProgress
{
    public readonly ConcurrentDictionary<string, FileProgress> InFlight = new(StringComparer.Ordinal);
    public volatile bool Running;
    public long StartTicks;
    public long PlannedBytes, DoneBytes, MediaMillis;
    public int Planned, Done;
    public DateTimeOffset? LastFinished;
    public TimeSpan LastElapsed;

    public void Start()
    {
        Running = true;
        StartTicks = Stopwatch.GetTimestamp();
        PlannedBytes = DoneBytes = MediaMillis = 0;
        Planned = Done = 0;
    }

    public void Finish(TimeSpan elapsed)
    {
        LastElapsed = elapsed;
        LastFinished = DateTimeOffset.UtcNow;
        Running = false;
        InFlight.Clear();
    }

    public void FileDone(long bytes)
    {
        Interlocked.Increment(ref Done);
        Interlocked.Add(ref DoneBytes, bytes);
    }
}
