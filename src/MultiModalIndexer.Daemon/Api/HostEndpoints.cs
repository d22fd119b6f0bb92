using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Daemon.Configuration;
using MultiModalIndexer.Daemon.Scheduling;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>/healthz, /readyz, /api/status and the admin POST /api/crawl.</summary>
internal static class HostEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }))
            .WithTags("health").WithSummary("The process is up.");

        app.MapGet("/readyz", async (StoreReadiness readiness, ISegmentStore store, CancellationToken ct) =>
        {
            if (!readiness.SchemaEnsured)
                return ApiProblems.Unavailable($"The store's schema is not ensured yet{(readiness.LastError is { } e ? $": {e}" : ".")}");
            var health = await SafeHealth(store, ct);
            return health.Healthy
                ? Results.Ok(new { status = "ready", store = health.Detail })
                : ApiProblems.Unavailable($"The store is not healthy: {health.Detail}");
        })
        .WithTags("health").WithSummary("The store is healthy and its schema ensured.");

        app.MapGet("/api/status", async (StoreReadiness readiness, ISegmentStore store, IIndexingBackend indexing,
            SourceCatalog sources, CrawlState crawl, CancellationToken ct) =>
        {
            IndexingStatus? status = null;
            string? statusError = null;
            try { status = indexing.Status; }
            catch (Exception e) { statusError = e.Message; }

            StoreStats? stats = null;
            string? storeError = null;
            if (readiness.SchemaEnsured)
            {
                try { stats = await store.StatsAsync(ct); }
                catch (Exception e) when (e is not OperationCanceledException) { storeError = e.Message; }
            }
            else storeError = readiness.LastError ?? "schema not ensured yet";

            return Results.Ok(new StatusDto(
                readiness.SchemaEnsured && storeError is null,
                sources.Sources.Select(s => new SourceDto(s.Name, s.Root, s.Schedule)).ToArray(),
                status, statusError, crawl.Snapshot, stats, storeError));
        })
        .WithTags("status").WithName("Status").WithSummary("Per-source counts, the current file, rates, ETA, store totals.")
        .Produces<StatusDto>();

        app.MapPost("/api/crawl", async (string? source, SourceCatalog sources, CrawlTrigger trigger, CancellationToken ct) =>
        {
            if (source is not null && sources.Find(source) is null)
                return ApiProblems.NotFound($"No source named '{Ids.Clip(source)}'; configured: {string.Join(", ", sources.Sources.Select(s => s.Name))}.");
            if (sources.Sources.Count == 0)
                return ApiProblems.BadRequest("No sources are configured: add one under Sources (or pass --media DIR).");
            await trigger.RequestAsync(source, ct);
            return Results.Accepted("/api/status", new CrawlAcceptedDto(true, source ?? "all sources"));
        })
        .AddEndpointFilter<AdminKeyFilter>()
        .WithTags("admin").WithName("Crawl")
        .WithSummary("Crawl now (all sources, or ?source=NAME). Needs the admin key (X-Api-Key or Authorization: Bearer).")
        .Produces<CrawlAcceptedDto>(202).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
    }

    private static async Task<StoreHealth> SafeHealth(ISegmentStore store, CancellationToken ct)
    {
        try { return await store.HealthAsync(ct); }
        catch (Exception e) when (e is not OperationCanceledException) { return new StoreHealth(false, e.Message); }
    }
}
