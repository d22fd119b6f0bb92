namespace MultiModalIndexer.Daemon.Configuration;

/// <summary>Configuration section "Api" (env MMI__Api__...): where the daemon listens and what it accepts.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Semicolon-separated listen URLs. Loopback by default: exposing the API is a deliberate choice.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Key for admin endpoints (POST /api/crawl). Empty: admin endpoints answer 403.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Largest JSON request body accepted (bytes).</summary>
    public long MaxJsonBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest image upload accepted by POST /api/search/image (bytes).</summary>
    public long MaxUploadBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Most inputs one POST /api/embed call may carry.</summary>
    public int MaxEmbedInputs { get; set; } = 256;

    /// <summary>GET /media gives up opening a file after this long (a hung mount must not hold the request).</summary>
    public double MediaOpenTimeoutSeconds { get; set; } = 5;

    public IEnumerable<string> Validate()
    {
        var urls = Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0) yield return "Api:Urls is empty: set it to e.g. http://127.0.0.1:8080 (env MMI__Api__Urls, or --urls).";
        foreach (var u in urls)
        {
            if (!Uri.TryCreate(u.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
                yield return $"Api:Urls entry '{u}' is not an http:// URL like http://127.0.0.1:8080 (TLS belongs in a reverse proxy).";
        }
        if (AdminKey is { Length: > 0 and < 16 })
            yield return "Api:AdminKey is shorter than 16 characters: use a long random key (e.g. `openssl rand -hex 24`).";
        if (MaxJsonBodyBytes is < 1024 or > 64 * 1024 * 1024)
            yield return "Api:MaxJsonBodyBytes must be between 1024 and 67108864.";
        if (MaxUploadBytes is < 1024 or > 512L * 1024 * 1024)
            yield return "Api:MaxUploadBytes must be between 1024 and 536870912.";
        if (MaxEmbedInputs is < 1 or > 10_000)
            yield return "Api:MaxEmbedInputs must be between 1 and 10000.";
        if (MediaOpenTimeoutSeconds is < 0.1 or > 600)
            yield return "Api:MediaOpenTimeoutSeconds must be between 0.1 and 600.";
    }
}

/// <summary>Configuration section "Daemon": scheduling and shutdown behaviour of the host.</summary>
public sealed class DaemonOptions
{
    public const string Section = "Daemon";

    /// <summary>Crawl every source once when the daemon starts.</summary>
    public bool CrawlOnStart { get; set; } = true;

    /// <summary>Watch source roots and crawl early when files change (debounced).</summary>
    public bool WatchSources { get; set; } = true;

    /// <summary>Quiet period after the last file-system event before the early crawl starts.</summary>
    public double WatchDebounceSeconds { get; set; } = 10;

    /// <summary>How often the watcher checks that each root is still the folder it watches, and re-arms when a root returns.</summary>
    public double WatchRearmSeconds { get; set; } = 30;

    /// <summary>How long shutdown waits for the in-flight indexing run to stop after cancellation.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>OpenSearch Dashboards to import the saved objects into at start (OpenSearch store only).</summary>
    public string? DashboardsUrl { get; set; }
    public string? DashboardsUsername { get; set; }
    public string? DashboardsPassword { get; set; }

    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrWhiteSpace(DashboardsUrl) &&
            (!Uri.TryCreate(DashboardsUrl, UriKind.Absolute, out var d) || d.Scheme is not ("http" or "https")))
            yield return $"Daemon:DashboardsUrl '{DashboardsUrl}' is not an http(s) URL like http://dashboards:5601.";
        if (WatchDebounceSeconds is < 0.1 or > 3600) yield return "Daemon:WatchDebounceSeconds must be between 0.1 and 3600.";
        if (WatchRearmSeconds is < 0.1 or > 3600) yield return "Daemon:WatchRearmSeconds must be between 0.1 and 3600.";
        if (ShutdownTimeoutSeconds is < 1 or > 3600) yield return "Daemon:ShutdownTimeoutSeconds must be between 1 and 3600.";
    }
}
