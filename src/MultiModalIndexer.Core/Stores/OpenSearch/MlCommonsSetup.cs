using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MultiModalIndexer.Stores.OpenSearch;

public sealed record MlModelRegistration(string ConnectorId, string ModelId);

/// <summary>
/// Registers the daemon's POST /api/embed as an ml-commons remote model so Dashboards users can run
/// <c>neural</c> queries whose text the daemon embeds with CLIP. Bodies come from mappings/ml-commons/.
/// The daemon speaks the OpenAI embeddings shape (<c>{"input":[..],"model":..}</c> → <c>{"data":[{"embedding":[..],"index":0}]}</c>),
/// so ml-commons' built-in connector.pre_process.openai.embedding / connector.post_process.openai.embedding fit exactly.
/// </summary>
public sealed class MlCommonsSetup(OpenSearchOptions options, HttpClient http, ILogger? logger = null)
{
    private readonly OpenSearchTransport _transport = new(options, http, logger);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private static OpenSearchJsonContext J => OpenSearchJsonContext.Default;

    /// <summary>How long to wait for register/deploy tasks, and how often to poll.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <param name="daemonUrl">Base URL at which OpenSearch reaches the daemon (e.g. http://mmi-daemon:8080).</param>
    /// <param name="model">Value of the "model" field the daemon receives.</param>
    /// <param name="daemonToken">Bearer token for the daemon's API, if it requires one.</param>
    public async Task<MlModelRegistration> RegisterDaemonEmbeddingModelAsync(Uri daemonUrl, string model = "clip-text",
        string? daemonToken = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(daemonUrl);
        var embedUrl = new Uri(daemonUrl, "/api/embed").ToString();

        // 1. Allow ml-commons to call the daemon (only that endpoint; private IPs are typical in compose/k8s).
        var settings = JsonSerializer.Deserialize(OpenSearchMappings.ReadText("ml-commons/cluster-settings.json", options.MappingsPath), J.ClusterSettingsRequest)!;
        // The setting replaces the cluster's list: keep the file's patterns (add other connectors' endpoints there)
        // and add this daemon's exact endpoint.
        const string trusted = "plugins.ml_commons.trusted_connector_endpoints_regex";
        var patterns = (settings.Persistent.GetValueOrDefault(trusted) as JsonArray)?.Select(x => (string?)x).OfType<string>().ToList() ?? [];
        var daemonPattern = "^" + Regex.Escape(embedUrl) + "$";
        if (!patterns.Contains(daemonPattern)) patterns.Add(daemonPattern);
        settings.Persistent[trusted] = new JsonArray(patterns.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        await _transport.SendJsonAsync(HttpMethod.Put, "_cluster/settings", null, settings, J.ClusterSettingsRequest, J.AcknowledgedResult, ct).ConfigureAwait(false);

        // 2. Connector.
        var connector = BuildConnector(embedUrl, model, daemonToken);
        var created = await _transport.SendJsonAsync(HttpMethod.Post, "_plugins/_ml/connectors/_create", null, connector,
            J.ConnectorCreateRequest, J.ConnectorCreated, ct).ConfigureAwait(false);

        // 3. Register the remote model (recent versions answer model_id at once; older ones via the task).
        var register = JsonSerializer.Deserialize(OpenSearchMappings.ReadText("ml-commons/model-register.json", options.MappingsPath), J.ModelRegisterRequest)!;
        register.ConnectorId = created.ConnectorId;
        var reg = await _transport.SendJsonAsync(HttpMethod.Post, "_plugins/_ml/models/_register", null, register,
            J.ModelRegisterRequest, J.MlTaskResult, ct).ConfigureAwait(false);
        var modelId = reg.ModelId ?? (await WaitForTaskAsync(reg.TaskId, ct).ConfigureAwait(false)).ModelId
            ?? throw new OpenSearchException("ml-commons registered the model but reported no model_id.");

        // 4. Deploy.
        var deploy = await _transport.SendNoBodyAsync(HttpMethod.Post, $"_plugins/_ml/models/{Uri.EscapeDataString(modelId)}/_deploy", null, J.MlTaskResult, ct).ConfigureAwait(false);
        if (!string.Equals(deploy.Status, "COMPLETED", StringComparison.OrdinalIgnoreCase))
            await WaitForTaskAsync(deploy.TaskId, ct).ConfigureAwait(false);
        _logger.LogInformation("ml-commons model {ModelId} (connector {ConnectorId}) deployed; neural queries embed through {Url}", modelId, created.ConnectorId, embedUrl);
        return new MlModelRegistration(created.ConnectorId, modelId);
    }

    internal ConnectorCreateRequest BuildConnector(string embedUrl, string model, string? daemonToken)
    {
        var c = JsonSerializer.Deserialize(OpenSearchMappings.ReadText("ml-commons/connector.json", options.MappingsPath), J.ConnectorCreateRequest)
            ?? throw new InvalidOperationException("mappings/ml-commons/connector.json is empty.");
        if (c.Actions.Count == 0) throw new InvalidOperationException("mappings/ml-commons/connector.json has no predict action.");
        c.Actions[0].Url = embedUrl;
        c.Parameters["model"] = model;
        if (daemonToken is { Length: > 0 }) c.Credential["daemon_token"] = daemonToken;
        return c;
    }

    private async Task<MlTaskResult> WaitForTaskAsync(string? taskId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(taskId)) throw new OpenSearchException("ml-commons answered without a task_id.");
        var deadline = DateTime.UtcNow + TaskTimeout;
        while (true)
        {
            var t = await _transport.SendNoBodyAsync(HttpMethod.Get, $"_plugins/_ml/tasks/{Uri.EscapeDataString(taskId)}", null, J.MlTaskResult, ct).ConfigureAwait(false);
            switch (t.State)
            {
                case "COMPLETED": return t;
                case "FAILED" or "COMPLETED_WITH_ERROR" or "CANCELLED":
                    throw new OpenSearchException($"ml-commons task {taskId} ended {t.State}.");
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"ml-commons task {taskId} still {t.State} after {TaskTimeout.TotalSeconds:0}s.");
            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The example neural query (mappings/ml-commons/neural-query-example.json) run for real: OpenSearch asks the
    /// daemon to embed <paramref name="text"/>, then searches the segments' vectors. Returns segment ids.
    /// </summary>
    public async Task<IReadOnlyList<string>> NeuralSearchAsync(string modelId, string text, int k = 50, int size = 10, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var names = new OpenSearchNames(options.IndexPrefix);
        var body = new SearchBody
        {
            Size = size,
            Source = new SourceFilter { Excludes = ["vector"] },
            Query = new Query { Neural = new() { ["vector"] = new NeuralQuery { QueryText = text, ModelId = modelId, K = k } } },
        };
        var r = await _transport.SendJsonAsync(HttpMethod.Post, $"{names.Segments}/_search", null, body, J.SearchBody, J.SearchResultSegmentSource, ct).ConfigureAwait(false);
        return r.Hits?.Hits.Select(h => h.Id ?? "").Where(id => id.Length > 0).ToList() ?? [];
    }
}
