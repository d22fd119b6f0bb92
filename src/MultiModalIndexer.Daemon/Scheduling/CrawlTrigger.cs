using Quartz;

namespace MultiModalIndexer.Daemon.Scheduling;

/// <summary>Asks the scheduler for a crawl now (on demand or from the watcher).</summary>
public sealed class CrawlTrigger(ISchedulerFactory schedulers)
{
    /// <summary>Queues a run of one source (or all when null); it starts when no other run is active.</summary>
    public async Task RequestAsync(string? source, CancellationToken ct = default)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var data = new JobDataMap();
        if (source is not null) data[CrawlJob.SourceKey] = source;
        await scheduler.TriggerJob(CrawlJob.Key, data, ct);
    }
}
