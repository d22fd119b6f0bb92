using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon.Configuration;

namespace MultiModalIndexer.Daemon.Scheduling;

/// <summary>
/// Watches each source root and asks for an early crawl of that source once changes have been
/// quiet for the debounce period. Scheduled crawls stay the source of truth: a missed event
/// (network mounts, watcher overflow) only delays a change until the next cron firing.
/// </summary>
internal sealed class SourceWatcher(
    SourceCatalog catalog,
    CrawlTrigger trigger,
    IOptions<DaemonOptions> options,
    ILogger<SourceWatcher> logger) : IHostedService, IDisposable
{
    private readonly List<FileSystemWatcher> watchers = [];
    private readonly Dictionary<string, Timer> timers = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private volatile bool stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.WatchSources) return Task.CompletedTask;
        foreach (var source in catalog.Sources)
        {
            if (!Directory.Exists(source.Root)) continue;
            try
            {
                var w = new FileSystemWatcher(source.Root)
                {
                    IncludeSubdirectories = true,
                    // Names (create/delete/rename) and Size (writes) only: with LastWrite, an indexing crawl
                    // (which only reads the files) was seen to schedule a second, no-op crawl after itself.
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size,
                    InternalBufferSize = 64 * 1024,
                };
                var name = source.Name;
                FileSystemEventHandler changed = (_, _) => Poke(name);
                w.Created += changed;
                w.Changed += changed;
                w.Deleted += changed;
                w.Renamed += (_, _) => Poke(name);
                w.Error += (_, e) => { logger.LogWarning("Watcher of source {Source} lost events ({Error}); the schedule still catches up.", name, e.GetException().Message); Poke(name); };
                w.EnableRaisingEvents = true;
                watchers.Add(w);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // inotify limits can be exhausted; scheduled crawls still work.
                logger.LogWarning("Cannot watch source {Source} at {Root} ({Error}); relying on its schedule.", source.Name, source.Root, e.Message);
            }
        }
        return Task.CompletedTask;
    }

    private void Poke(string source)
    {
        if (stopped) return;
        var due = TimeSpan.FromSeconds(options.Value.WatchDebounceSeconds);
        lock (gate)
        {
            if (timers.TryGetValue(source, out var t)) t.Change(due, Timeout.InfiniteTimeSpan);
            else timers[source] = new Timer(_ => Fire(source), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire(string source)
    {
        if (stopped) return;
        logger.LogInformation("Changes under source {Source}: crawling early.", source);
        _ = trigger.RequestAsync(source).ContinueWith(
            t => logger.LogWarning("Early crawl of {Source} not queued: {Error}", source, t.Exception?.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        stopped = true;
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var w in watchers) w.Dispose();
        watchers.Clear();
        lock (gate)
        {
            foreach (var t in timers.Values) t.Dispose();
            timers.Clear();
        }
    }
}
