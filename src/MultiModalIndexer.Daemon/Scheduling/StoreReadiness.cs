using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Daemon.Scheduling;

/// <summary>
/// Ensures the store's schema in the background (OpenSearch may still be starting in compose),
/// retrying with back-off; /readyz and crawls wait for it.
/// </summary>
public sealed class StoreReadiness(IServiceProvider services, ILogger<StoreReadiness> logger) : BackgroundService
{
    private readonly TaskCompletionSource ensured = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool SchemaEnsured => ensured.Task.IsCompleted;
    public string? LastError { get; private set; }

    public Task WaitUntilSchemaEnsuredAsync(CancellationToken ct) => ensured.Task.WaitAsync(ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        try
        {
            // The daemon is its data folder's writer: `./mmi index` into it is refused, naming us.
            services.GetRequiredService<IIndexingBackend>().AcquireWriterLock();
        }
        catch (StorageException e)
        {
            logger.LogError("{Error} This daemon serves search; its crawls are refused until that writer exits.", e.Message);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var store = services.GetRequiredService<ISegmentStore>();
                await SchemaGate.EnsureAsync(store, stoppingToken);
                LastError = null;
                ensured.TrySetResult();
                logger.LogInformation("Store schema ensured.");
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCorruptException e)
            {
                // Retrying cannot help; the crawl's store/ledger check moves the file aside and rebuilds it.
                LastError = e.Message;
                ensured.TrySetResult();
                logger.LogError("Store damaged: {Error} The next crawl rebuilds it from the media.", e.Message);
                return;
            }
            catch (Exception e)
            {
                LastError = e.Message;
                logger.LogWarning("Store not ready ({Error}); retrying in {Delay}s.", e.Message, delay.TotalSeconds);
            }
            try { await Task.Delay(delay, stoppingToken); }
            catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
        }
    }
}
