using System.CommandLine;
using MultiModalIndexer.Stores.OpenSearch;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// `./mmi opensearch schema|reindex|health|import-dashboards|register-embedder`: one-off cluster set-up.
/// Connection options default to MMI__Store__OpenSearch__* (then OPENSEARCH_URL/USERNAME/PASSWORD/CA).
/// </summary>
public sealed class OpenSearchCommand : ICliCommand
{
    private static string? Env(string key, string fallback) =>
        Environment.GetEnvironmentVariable($"MMI__Store__OpenSearch__{key}") is { Length: > 0 } v ? v
        : Environment.GetEnvironmentVariable(fallback) is { Length: > 0 } f ? f : null;

    private readonly Option<string?> _url = new("--url") { Description = "Cluster URL (default MMI__Store__OpenSearch__Url or OPENSEARCH_URL)." };
    private readonly Option<string?> _user = new("--username") { Description = "Basic-auth user." };
    private readonly Option<string?> _password = new("--password") { Description = "Basic-auth password (prefer the environment)." };
    private readonly Option<string?> _ca = new("--ca") { Description = "PEM of the CA that signed the cluster certificate." };
    private readonly Option<string?> _prefix = new("--prefix") { Description = "Index/alias/pipeline prefix (default mmi)." };
    private readonly Option<string?> _engine = new("--engine") { Description = "k-NN engine: lucene (default) or faiss." };

    public Command Build()
    {
        var cmd = new Command("opensearch", "Set up an OpenSearch cluster: templates/aliases/pipelines, Dashboards objects, ml-commons embedder.");
        foreach (var o in new[] { _url, _user, _password, _ca, _prefix, _engine })
        {
            o.Recursive = true; // usable after any sub-command
            cmd.Options.Add(o);
        }

        var schema = new Command("schema", "Create/refresh index templates, versioned indices, aliases and search pipelines (idempotent).");
        schema.SetAction((p, ct) => Run(p, async (opts, http) =>
        {
            await using var store = new OpenSearchStore(opts, http);
            await store.EnsureSchemaAsync(ct);
            CliJson.Write(new { ok = true, prefix = opts.IndexPrefix, engine = opts.KnnEngine });
        }));
        cmd.Subcommands.Add(schema);

        var toVersion = new Option<int>("--to-version") { Description = "Index version to move to, e.g. 2 (mmi-segments-v2).", Required = true };
        var reindex = new Command("reindex", "Zero-downtime move into new versioned indices: write alias first, _reindex, then read alias atomically.");
        reindex.Options.Add(toVersion);
        reindex.SetAction((p, ct) => Run(p, async (opts, http) =>
        {
            await using var store = new OpenSearchStore(opts, http);
            await store.EnsureSchemaAsync(ct);
            await store.ReindexAsync(p.GetValue(toVersion), ct);
            CliJson.Write(new { ok = true, version = p.GetValue(toVersion) });
        }));
        cmd.Subcommands.Add(reindex);

        var health = new Command("health", "Cluster health and store counts.");
        health.SetAction((p, ct) => Run(p, async (opts, http) =>
        {
            await using var store = new OpenSearchStore(opts, http);
            var h = await store.HealthAsync(ct);
            CliJson.Write(new { healthy = h.Healthy, detail = h.Detail });
            if (!h.Healthy) throw new InvalidOperationException(h.Detail);
        }));
        cmd.Subcommands.Add(health);

        var dashUrl = new Option<string>("--dashboards-url") { Description = "OpenSearch Dashboards URL, e.g. http://localhost:5601.", Required = true };
        var import = new Command("import-dashboards", "Import mappings/dashboards/*.ndjson (POST /api/saved_objects/_import?overwrite=true).");
        import.Options.Add(dashUrl);
        import.SetAction((p, ct) => Run(p, async (opts, _) =>
        {
            using var http = new HttpClient(OpenSearchHttp.CreateHandler(opts));
            var results = await DashboardsImporter.ImportAsync(new Uri(p.GetValue(dashUrl)!), http, opts.Username, opts.Password, opts.IndexPrefix, opts.MappingsPath, ct);
            CliJson.Write(results);
            if (results.Any(r => r.Errors.Count > 0)) throw new InvalidOperationException("Dashboards reported import errors (see above).");
        }));
        cmd.Subcommands.Add(import);

        var daemonUrl = new Option<string>("--daemon-url") { Description = "URL at which OpenSearch reaches the daemon, e.g. http://mmi-daemon:8080.", Required = true };
        var model = new Option<string?>("--model") { Description = "Model name the daemon's /api/embed receives (default clip-text)." };
        var register = new Command("register-embedder", "Create the ml-commons connector + remote model for the daemon's /api/embed and deploy it.");
        register.Options.Add(daemonUrl);
        register.Options.Add(model);
        register.SetAction((p, ct) => Run(p, async (opts, http) =>
        {
            var reg = await new MlCommonsSetup(opts, http).RegisterDaemonEmbeddingModelAsync(new Uri(p.GetValue(daemonUrl)!), p.GetValue(model) ?? "clip-text",
                Environment.GetEnvironmentVariable("MMI_DAEMON_TOKEN"), ct);
            CliJson.Write(new { connectorId = reg.ConnectorId, modelId = reg.ModelId });
        }));
        cmd.Subcommands.Add(register);
        return cmd;
    }

    private async Task<int> Run(ParseResult p, Func<OpenSearchOptions, HttpClient, Task> action)
    {
        var opts = new OpenSearchOptions
        {
            Url = p.GetValue(_url) ?? Env("Url", "OPENSEARCH_URL") ?? "",
            Username = p.GetValue(_user) ?? Env("Username", "OPENSEARCH_USERNAME"),
            Password = p.GetValue(_password) ?? Env("Password", "OPENSEARCH_PASSWORD"),
            CaCertificatePath = p.GetValue(_ca) ?? Env("CaCertificatePath", "OPENSEARCH_CA"),
            IndexPrefix = p.GetValue(_prefix) ?? Env("IndexPrefix", "MMI_OPENSEARCH_PREFIX") ?? "mmi",
            KnnEngine = p.GetValue(_engine) ?? Env("KnnEngine", "MMI_OPENSEARCH_ENGINE") ?? "lucene",
        };
        var problems = opts.Validate().ToList();
        if (problems.Count > 0)
        {
            Console.Error.WriteLine(string.Join(" ", problems));
            return 2;
        }
        try
        {
            using var http = OpenSearchHttp.CreateClient(opts);
            await action(opts, http);
            return 0;
        }
        catch (Exception e) when (e is OpenSearchException or InvalidOperationException or HttpRequestException or TimeoutException or IOException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
