using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon.Configuration;

namespace MultiModalIndexer.Daemon.Scheduling;

/// <summary>
/// Watches each source root and asks for an early crawl of that source once changes have been
/// quiet for the debounce period. Scheduled crawls stay the source of truth: a missed event
/// (network mounts, watcher overflow) only delays a change until the next cron firing. Every
/// Daemon:WatchRearmSeconds the roots are looked at again: a root that vanished (unmounted, moved,
/// deleted) drops its dead watcher with a log line and a crawl (its files become unavailable), and
/// a root that is back, or was re-created, gets a new watcher and a crawl.
/// </summary>
internal sealed class SourceWatcher(
    SourceCatalog catalog,
    CrawlTrigger trigger,
    IOptions<DaemonOptions> options,
    ILogger<SourceWatcher> logger) : IHostedService, IDisposable
{
    private sealed record Armed(FileSystemWatcher Watcher, DateTime RootCreated);

    private readonly Dictionary<string, Armed> watchers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Timer> timers = new(StringComparer.Ordinal);
    private readonly HashSet<string> failed = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private Timer? rearm;
    private volatile bool stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.WatchSources) return Task.CompletedTask;
        foreach (var source in catalog.Sources) Arm(source.Name, source.Root, announce: false);
        var every = TimeSpan.FromSeconds(options.Value.WatchRearmSeconds);
        rearm = new Timer(_ => Recheck(), null, every, every);
        return Task.CompletedTask;
    }

    /// <summary>Identity of the root folder: a deleted and re-created root has another creation time.</summary>
    private static DateTime? RootCreated(string root)
    {
        try { return Directory.Exists(root) ? Directory.GetCreationTimeUtc(root) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private void Arm(string name, string root, bool announce)
    {
        if (stopped || RootCreated(root) is not { } created) return;
        try
        {
            var w = new FileSystemWatcher(root)
            {
                IncludeSubdirectories = true,
                // Names (create/delete/rename) and Size (writes) only: with LastWrite, an indexing crawl
                // (which only reads the files) was seen to schedule a second, no-op crawl after itself.
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size,
                InternalBufferSize = 64 * 1024,
            };
            FileSystemEventHandler changed = (_, _) => Poke(name);
            w.Created += changed;
            w.Changed += changed;
            w.Deleted += changed;
            w.Renamed += (_, _) => Poke(name);
            w.Error += (_, e) => { logger.LogWarning("Watcher of source {Source} lost events ({Error}); the schedule still catches up.", name, e.GetException().Message); Poke(name); };
            w.EnableRaisingEvents = true;
            lock (gate) watchers[name] = new Armed(w, created);
            failed.Remove(name);
            if (announce)
            {
                logger.LogInformation("Source {Source} is available again at {Root}: watching it again and crawling.", name, root);
                Poke(name);
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // inotify limits can be exhausted; scheduled crawls still work. Said once, retried every re-check.
            if (failed.Add(name))
                logger.LogWarning("Cannot watch source {Source} at {Root} ({Error}); relying on its schedule.", name, root, e.Message);
        }
    }

    private void Recheck()
    {
        if (stopped) return;
        foreach (var source in catalog.Sources)
        {
            Armed? armed;
            lock (gate) watchers.TryGetValue(source.Name, out armed);
            var created = RootCreated(source.Root);
            if (armed is not null && created == armed.RootCreated) continue;
            if (armed is not null)
            {
                lock (gate) watchers.Remove(source.Name);
                armed.Watcher.Dispose();
                if (created is null)
                    logger.LogWarning("Root of source {Source} ({Root}) is gone (unmounted, moved or deleted): its files are kept as unavailable; watching resumes when it returns.", source.Name, source.Root);
                else
                    logger.LogWarning("Root of source {Source} ({Root}) was replaced by a new folder: watching the new one.", source.Name, source.Root);
                Poke(source.Name);
            }
            if (created is not null) Arm(source.Name, source.Root, announce: armed is null);
        }
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
        rearm?.Dispose();
        lock (gate)
        {
            foreach (var a in watchers.Values) a.Watcher.Dispose();
            watchers.Clear();
            foreach (var t in timers.Values) t.Dispose();
            timers.Clear();
        }
    }
}
