using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon.Configuration;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.OpenSearch;

namespace MultiModalIndexer.Daemon.Scheduling;

/// <summary>
/// With the OpenSearch store and Daemon:DashboardsUrl set, imports the Dashboards saved objects
/// (index patterns + overview dashboard, overwrite=true so restarts are harmless) once the schema is
/// in place, retrying while Dashboards is still starting.
/// </summary>
internal sealed class DashboardsSetup(
    IConfiguration configuration,
    IOptions<DaemonOptions> options,
    StoreReadiness readiness,
    ILogger<DashboardsSetup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var store = configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        if (string.IsNullOrWhiteSpace(o.DashboardsUrl) || store.Kind != StoreKind.OpenSearch) return;
        try
        {
            await readiness.WaitUntilSchemaEnsuredAsync(stoppingToken);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            var delay = TimeSpan.FromSeconds(5);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var results = await DashboardsImporter.ImportAsync(new Uri(o.DashboardsUrl), http, o.DashboardsUsername, o.DashboardsPassword,
                        store.OpenSearch.IndexPrefix, store.OpenSearch.MappingsPath, stoppingToken);
                    foreach (var r in results)
                    {
                        if (r.Errors.Count == 0) logger.LogInformation("Dashboards objects imported from {File} ({Count}).", r.File, r.SuccessCount);
                        else logger.LogWarning("Dashboards import of {File} reported: {Errors}", r.File, string.Join("; ", r.Errors));
                    }
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or OpenSearchException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Dashboards at {Url} not ready ({Error}); retrying in {Delay}s.", o.DashboardsUrl, e.Message, delay.TotalSeconds);
                }
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A broken mappings folder must not take the search service down with it.
            logger.LogError(e, "Dashboards objects were not imported.");
        }
    }
}
