using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Daemon.Api;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Daemon.Configuration;
using MultiModalIndexer.Daemon.Scheduling;
using MultiModalIndexer.Daemon.Web;
using MultiModalIndexer.Indexing;
using Quartz;

namespace MultiModalIndexer.Daemon;

/// <summary>What `serve`, `up` and tests change on top of appsettings.json, environment and arguments.</summary>
public sealed class DaemonHostOptions
{
    /// <summary>Data folder (ledger, embedded store, thumbnails): sets Indexing:DataDir.</summary>
    public string? DataDir { get; init; }

    /// <summary>Media folders that become the sources (replacing configured ones), named after the folder.</summary>
    public IReadOnlyList<string>? MediaRoots { get; init; }

    /// <summary>Listen URLs (Api:Urls), e.g. http://127.0.0.1:0 for a free port.</summary>
    public string? Urls { get; init; }

    /// <summary>Crawl all sources once at start (Daemon:CrawlOnStart).</summary>
    public bool? CrawlOnStart { get; init; }

    /// <summary>Further configuration keys ("Api:AdminKey" → value); highest precedence.</summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }

    /// <summary>
    /// Composes the core instead of <see cref="ServiceCollectionExtensions.AddMultiModalIndexer"/>
    /// (tests use it to host small in-test data). Must register ISegmentStore, or
    /// IIndexingBackend/ISearchBackend replacements.
    /// </summary>
    public Action<IServiceCollection, IConfiguration>? ComposeCore { get; init; }

    /// <summary>Runs last, so it can replace any registration.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>Hosting environment (default Production: no developer error pages).</summary>
    public string? EnvironmentName { get; init; }
}

/// <summary>Thrown before listening when the configuration is invalid; each line says what to fix.</summary>
public sealed class DaemonConfigurationException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:\n  - " + string.Join("\n  - ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// Builds the daemon: configuration (appsettings.json → MMI__ environment → command line → overrides),
/// the core, Quartz crawls, the HTTP API and the page. Used by `serve`, `up` and tests.
/// </summary>
public static class DaemonHost
{
    public const string EnvironmentPrefix = "MMI__";

    public static WebApplication Build(string[] args, DaemonHostOptions? overrides = null)
    {
        overrides ??= new DaemonHostOptions();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = overrides.EnvironmentName ?? Environments.Production,
        });

        // Only our sources: the defaults would also read every unprefixed environment variable.
        var config = builder.Configuration;
        config.Sources.Clear();
        config.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        config.AddEnvironmentVariables(EnvironmentPrefix);
        config.AddCommandLine(args);
        config.AddInMemoryCollection(OverrideSettings(overrides, config));

        var api = config.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        var daemon = config.GetSection(DaemonOptions.Section).Get<DaemonOptions>() ?? new DaemonOptions();
        var sources = SourceCatalog.FromConfiguration(config);
        var errors = api.Validate().Concat(daemon.Validate()).Concat(sources.Validate()).ToList();
        if (errors.Count > 0) throw new DaemonConfigurationException(errors);

        var services = builder.Services;
        services.Configure<ApiOptions>(config.GetSection(ApiOptions.Section));
        services.Configure<DaemonOptions>(config.GetSection(DaemonOptions.Section));
        services.AddSingleton(sources);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(daemon.ShutdownTimeoutSeconds));

        // The core. Composition validates its own sections and throws with what to fix.
        if (overrides.ComposeCore is { } compose) compose(services, config);
        else
        {
            try { services.AddMultiModalIndexer(config); }
            catch (OptionsValidationException e) { throw new DaemonConfigurationException([.. e.Failures]); }
        }
        services.TryAddSingleton<IIndexingBackend, IndexerBackend>();
        services.TryAddSingleton<ISearchBackend, SearchServiceBackend>();

        // Start-up order matters: schema first, then Quartz; Kestrel (added by Build) starts last and
        // stops first, so shutdown stops accepting requests before the crawl is cancelled.
        services.AddSingleton<StoreReadiness>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreReadiness>());
        services.AddSingleton<CrawlState>();
        services.AddSingleton<CrawlTrigger>();
        services.AddQuartz(q =>
        {
            q.AddJob<CrawlJob>(j => j.WithIdentity(CrawlJob.Key).StoreDurably().DisallowConcurrentExecution()
                .WithDescription("Crawl sources and index new/changed files, remove deleted ones."));
            foreach (var s in sources.Sources)
            {
                var name = s.Name;
                var schedule = s.Schedule;
                q.AddTrigger(t => t.ForJob(CrawlJob.Key)
                    .WithIdentity($"schedule-{name}", "mmi")
                    .UsingJobData(CrawlJob.SourceKey, name)
                    .WithCronSchedule(schedule));
            }
            if (daemon.CrawlOnStart && sources.Sources.Count > 0) q.RunAtStartup(CrawlJob.Key);
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddHostedService<SourceWatcher>();
        services.AddHostedService<DashboardsSetup>();

        // HTTP: loopback by default, body limits, problem details everywhere, camelCase JSON with enum names.
        builder.WebHost.UseUrls(api.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = Math.Max(api.MaxUploadBytes, api.MaxJsonBodyBytes);
        });
        services.Configure<FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = api.MaxUploadBytes;
            o.ValueCountLimit = 64;
        });
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Never a stack trace or exception type to clients, in any environment.
            ctx.ProblemDetails.Extensions.Remove("exception");
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOpenApi();

        overrides.ConfigureServices?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.MapOpenApi();
        HostEndpoints.Map(app);
        SearchEndpoints.Map(app);
        CopyEndpoints.Map(app);
        CatalogEndpoints.Map(app);
        EmbedEndpoints.Map(app);
        MediaEndpoints.Map(app);
        WebAssets.Map(app);
        return app;
    }

    /// <summary>The listen URLs once started (port 0 resolved to the real port).</summary>
    public static IReadOnlyList<string> ListeningUrls(WebApplication app) => app.Urls.ToArray();

    private static Dictionary<string, string?> OverrideSettings(DaemonHostOptions o, IConfiguration current)
    {
        var map = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (o.DataDir is { } data) map[$"{IndexingOptions.Section}:DataDir"] = Path.GetFullPath(data);
        if (o.Urls is { } urls) map[$"{ApiOptions.Section}:Urls"] = urls;
        if (o.CrawlOnStart is { } crawl) map[$"{DaemonOptions.Section}:CrawlOnStart"] = crawl ? "true" : "false";
        if (o.MediaRoots is { Count: > 0 } roots)
        {
            // Replace configured sources: blank out any extra entries that would otherwise merge by index.
            var existing = current.GetSection(SourceCatalog.Section).GetChildren().Count();
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase); // as SourceOptions.ValidateAll compares them
            for (var i = 0; i < roots.Count; i++)
            {
                var full = Path.GetFullPath(roots[i]);
                var baseName = Path.GetFileName(full.TrimEnd('/')) is { Length: > 0 } n ? n : "media";
                var name = baseName;
                for (var k = 2; !names.Add(name); k++) name = $"{baseName}-{k}";
                map[$"{SourceCatalog.Section}:{i}:Name"] = name;
                map[$"{SourceCatalog.Section}:{i}:Root"] = full;
            }
            if (existing > roots.Count)
                throw new DaemonConfigurationException([$"--media replaces the {existing} configured sources but cannot remove them from configuration: use either --media or Sources, not both."]);
        }
        if (o.Settings is { } extra)
            foreach (var (k, v) in extra) map[k] = v;
        return map;
    }
}
