namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>Configuration section "Store:OpenSearch" (env MMI__Store__OpenSearch__Url, ...).</summary>
public sealed class OpenSearchOptions
{
    public const string Section = "Store:OpenSearch";

    public string Url { get; set; } = "";
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>PEM file of a custom CA that signed the cluster's certificate.</summary>
    public string? CaCertificatePath { get; set; }
    /// <summary>Prefix of indices, aliases, templates and pipelines.</summary>
    public string IndexPrefix { get; set; } = "mmi";
    /// <summary>"lucene" (default, innerproduct on unit vectors) or "faiss".</summary>
    public string KnnEngine { get; set; } = "lucene";

    /// <summary>Folder holding the templates and pipelines; null = {repo}/mappings, then embedded resources.</summary>
    public string? MappingsPath { get; set; }
    /// <summary>Upper bound of one _bulk request body; a single larger document is still sent alone.</summary>
    public int MaxBulkBytes { get; set; } = 5 * 1024 * 1024;
    /// <summary>Make writes visible to search before UpsertVideoAsync/DeleteVideoAsync return (refresh=wait_for / true).</summary>
    public bool RefreshOnWrite { get; set; } = true;
    /// <summary>Retries on 429/502/503/504 and connection errors (exponential back-off with jitter).</summary>
    public int MaxRetries { get; set; } = 5;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>
    /// Hybrid hits carry raw text/vector sub-scores: the fusion processors return only the fused score, so two
    /// small follow-up searches (text and knn restricted to the page's ids) fetch them. Off = one request per search.
    /// </summary>
    public bool HybridSubScores { get; set; } = true;
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
            yield return $"Store:OpenSearch:Url must be an absolute http(s) URL such as https://localhost:9200 (got '{Url}').";
        if (string.IsNullOrWhiteSpace(Username) != string.IsNullOrEmpty(Password))
            yield return "Store:OpenSearch:Username and Password must be set together (basic auth).";
        if (CaCertificatePath is { Length: > 0 } ca && !File.Exists(ca))
            yield return $"Store:OpenSearch:CaCertificatePath '{ca}' does not exist; point it at the PEM of the CA that signed the cluster certificate.";
        if (string.IsNullOrWhiteSpace(IndexPrefix) || IndexPrefix.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_')) || IndexPrefix[0] is '-' or '_')
            yield return $"Store:OpenSearch:IndexPrefix must be lowercase letters, digits, '-' or '_' and start with a letter or digit (got '{IndexPrefix}').";
        if (KnnEngine is not ("lucene" or "faiss"))
            yield return $"Store:OpenSearch:KnnEngine must be 'lucene' or 'faiss' (got '{KnnEngine}').";
        if (MaxBulkBytes < 64 * 1024)
            yield return "Store:OpenSearch:MaxBulkBytes must be at least 65536 (5 MB is a good size).";
        if (MaxRetries is < 0 or > 20)
            yield return "Store:OpenSearch:MaxRetries must be between 0 and 20.";
    }
}
