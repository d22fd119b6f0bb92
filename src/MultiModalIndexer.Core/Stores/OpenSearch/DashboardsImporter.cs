using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MultiModalIndexer.Stores.OpenSearch;

public sealed record DashboardsImportResult(string File, int SuccessCount, IReadOnlyList<string> Errors);

/// <summary>
/// Imports mappings/dashboards/*.ndjson (index patterns + the overview dashboard) through OpenSearch Dashboards'
/// saved-objects API — the same as
/// <c>curl -u user:pass -H 'osd-xsrf: true' -F file=@mappings/dashboards/mmi-dashboards.ndjson 'http://localhost:5601/api/saved_objects/_import?overwrite=true'</c>.
/// </summary>
public static class DashboardsImporter
{
    public static async Task<IReadOnlyList<DashboardsImportResult>> ImportAsync(Uri dashboardsUrl, HttpClient http,
        string? username = null, string? password = null, string indexPrefix = "mmi", string? mappingsPath = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dashboardsUrl);
        // Keep a base path (e.g. https://host/dashboards) when resolving the API path.
        if (!dashboardsUrl.AbsolutePath.EndsWith('/')) dashboardsUrl = new Uri(dashboardsUrl.AbsoluteUri + "/");
        var dir = Path.Combine(OpenSearchMappings.FindDirectory(mappingsPath)
            ?? throw new DirectoryNotFoundException("mappings/ not found; set Store:OpenSearch:MappingsPath."), "dashboards");
        var results = new List<DashboardsImportResult>();
        foreach (var file in Directory.GetFiles(dir, "*.ndjson").OrderBy(f => f, StringComparer.Ordinal))
        {
            var ndjson = RenderForPrefix(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false), indexPrefix);
            using var req = new HttpRequestMessage(HttpMethod.Post, new Uri(dashboardsUrl, "api/saved_objects/_import?overwrite=true"));
            req.Headers.Add("osd-xsrf", "true");
            if (OpenSearchTransport.BasicAuth(username, password) is { } auth) req.Headers.Authorization = auth;
            var content = new MultipartFormDataContent();
            var part = new ByteArrayContent(Encoding.UTF8.GetBytes(ndjson));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/ndjson");
            content.Add(part, "file", Path.GetFileName(file));
            req.Content = content;
            using var resp = await http.SendAsync(req, ct).ConfigureAwait(false);
            var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode)
                throw new OpenSearchException($"Dashboards import of {Path.GetFileName(file)} failed: {(int)resp.StatusCode} {text[..Math.Min(300, text.Length)]}", resp.StatusCode);
            var r = JsonSerializer.Deserialize(text, DashboardsJsonContext.Default.ImportResponse) ?? new ImportResponse();
            var errors = r.Errors?.Select(e => $"{e.Type}/{e.Id}: {e.Error?.Type} {e.Error?.Message}".Trim()).ToList() ?? [];
            if (!r.Success && errors.Count == 0) errors.Add("Dashboards reported success=false");
            results.Add(new DashboardsImportResult(Path.GetFileName(file), r.SuccessCount, errors));
        }
        return results;
    }

    /// <summary>The files name index patterns "mmi-segments"/"mmi-videos"; another prefix rewrites the patterns' titles (ids stay stable).</summary>
    internal static string RenderForPrefix(string ndjson, string prefix)
    {
        if (prefix == "mmi") return ndjson;
        var sb = new StringBuilder();
        foreach (var line in ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var o = JsonNode.Parse(line)!.AsObject();
            if ((string?)o["type"] == "index-pattern" && o["attributes"]?["title"] is JsonValue t)
                o["attributes"]!["title"] = Rename((string)t!, prefix);
            sb.Append(o.ToJsonString()).Append('\n');
        }
        return sb.ToString();
    }

    private static string Rename(string name, string prefix) => name.StartsWith("mmi-", StringComparison.Ordinal) ? prefix + name[3..] : name;
}

internal sealed class ImportResponse
{
    public bool Success { get; init; }
    public int SuccessCount { get; init; }
    public List<ImportError>? Errors { get; init; }
}

internal sealed class ImportError
{
    public string? Id { get; init; }
    public string? Type { get; init; }
    public ImportErrorDetail? Error { get; init; }
}

internal sealed class ImportErrorDetail
{
    public string? Type { get; init; }
    public string? Message { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ImportResponse))]
internal sealed partial class DashboardsJsonContext : JsonSerializerContext;
