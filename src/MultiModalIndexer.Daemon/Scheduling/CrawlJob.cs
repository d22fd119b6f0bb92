using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Daemon.Configuration;
using MultiModalIndexer.Indexing;
using Quartz;

namespace MultiModalIndexer.Daemon.Scheduling;

/// <summary>
/// One crawl + indexing run, for one source (cron trigger, watcher) or all (start-up, POST /api/crawl).
/// One job key with [DisallowConcurrentExecution]: runs never overlap, later firings wait their turn.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class CrawlJob(
    IIndexingBackend backend,
    SourceCatalog catalog,
    CrawlState state,
    StoreReadiness readiness,
    IHostApplicationLifetime lifetime,
    ILogger<CrawlJob> logger) : IJob
{
    public static readonly JobKey Key = new("crawl", "mmi");
    public const string SourceKey = "source";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var name = context.MergedJobDataMap.TryGetValue(SourceKey, out var v) ? v as string : null;
        IReadOnlyList<SourceOptions> sources = name is null
            ? catalog.Sources
            : catalog.Find(name) is { } one ? [one] : [];
        var scope = name ?? "all sources";
        if (sources.Count == 0)
        {
            logger.LogInformation("Crawl of {Scope} skipped: no such source configured.", scope);
            return;
        }

        // Host shutdown and Quartz interruption both stop the run; the pipeline is crash-safe, so
        // abandoning mid-file leaves the ledger to redo that file next time.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        try
        {
            await readiness.WaitUntilSchemaEnsuredAsync(cts.Token);
            state.Started(scope);
            logger.LogInformation("Crawl of {Scope} started ({Count} source(s)).", scope, sources.Count);
            var report = await backend.RunAsync(sources, cts.Token);
            state.Finished(report);
            logger.LogInformation(
                "Crawl of {Scope} finished: {Indexed} indexed, {Segments} segments, {Deleted} deleted, {Unchanged} unchanged, {Failed} failed.",
                scope, report.Indexed, report.Segments, report.Deleted, report.Unchanged, report.Failed.Count);
            foreach (var f in report.Failed)
                logger.LogWarning("Not indexed: {Path}: {Error}", f.Path, f.Error);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            state.Stopped("cancelled (shutdown or interrupt); the next run resumes");
            logger.LogInformation("Crawl of {Scope} cancelled; the next run resumes where it stopped.", scope);
        }
        catch (MultiModalIndexer.Common.StorageException e)
        {
            // Our own storage (data folder, store, lock): one line with the fix, no stack trace.
            state.Stopped(e.Message);
            logger.LogError("Crawl of {Scope} stopped: {Error}", scope, e.Message);
        }
        catch (Exception e)
        {
            // A failed run must not take the scheduler down; the next trigger tries again.
            state.Stopped(e.Message);
            logger.LogError(e, "Crawl of {Scope} failed.", scope);
        }
    }
}
