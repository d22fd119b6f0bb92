using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MultiModalIndexer.Common;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>
/// Reads the files under mappings/ (the source of truth for templates, pipelines, Dashboards and ml-commons):
/// first <see cref="OpenSearchOptions.MappingsPath"/>, then {repo}/mappings, then {app}/mappings, then the
/// assembly's embedded resources named "mappings/&lt;relative path&gt;" (for deployments without a checkout).
/// </summary>
public static class OpenSearchMappings
{
    public static string ReadText(string relativePath, string? mappingsPath = null)
    {
        foreach (var dir in CandidateDirs(mappingsPath))
        {
            var file = Path.Combine(dir, relativePath);
            if (File.Exists(file)) return File.ReadAllText(file);
        }
        var asm = typeof(OpenSearchMappings).Assembly;
        using var stream = asm.GetManifestResourceStream("mappings/" + relativePath.Replace('\\', '/'));
        if (stream is not null)
        {
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        throw new FileNotFoundException(
            $"mappings/{relativePath} not found (looked in {string.Join(", ", CandidateDirs(mappingsPath))} and embedded resources); " +
            "set Store:OpenSearch:MappingsPath to the folder that holds the repository's mappings/.", relativePath);
    }

    public static string? FindDirectory(string? mappingsPath = null) =>
        CandidateDirs(mappingsPath).FirstOrDefault(Directory.Exists);

    private static IEnumerable<string> CandidateDirs(string? mappingsPath)
    {
        if (mappingsPath is { Length: > 0 }) yield return mappingsPath;
        if (ProjectPaths.Root is { } root) yield return Path.Combine(root, "mappings");
        yield return Path.Combine(AppContext.BaseDirectory, "mappings");
    }

    internal static JsonObject ReadObject(string relativePath, string? mappingsPath) =>
        JsonNode.Parse(ReadText(relativePath, mappingsPath)) as JsonObject
        ?? throw new InvalidOperationException($"mappings/{relativePath} must hold a JSON object.");
}

/// <summary>Names of indices, aliases, templates and pipelines for one prefix.</summary>
internal sealed class OpenSearchNames(string prefix)
{
    /// <summary>Bump when a mapping change needs a new index (then reindex and swap the aliases).</summary>
    public const int SchemaVersion = 1;

    public string SegmentsTemplate => $"{prefix}-segments";
    public string VideosTemplate => $"{prefix}-videos";
    public string SegmentsIndex => SegmentsIndexV(SchemaVersion);
    public string VideosIndex => VideosIndexV(SchemaVersion);
    public string SegmentsIndexV(int version) => $"{prefix}-segments-v{version}";
    public string VideosIndexV(int version) => $"{prefix}-videos-v{version}";
    public string SegmentsPattern => $"{prefix}-segments-v*";
    public string VideosPattern => $"{prefix}-videos-v*";
    /// <summary>Read aliases: searches and gets go here.</summary>
    public string Segments => $"{prefix}-segments";
    public string Videos => $"{prefix}-videos";
    /// <summary>Write aliases (is_write_index): bulk writes go here, so a reindex can flip writes separately.</summary>
    public string SegmentsWrite => $"{prefix}-segments-write";
    public string VideosWrite => $"{prefix}-videos-write";
    /// <summary>Deletes target read and write alias: during a re-index they name different indices.</summary>
    public string SegmentsAll => $"{Segments},{SegmentsWrite}";
    public string VideosAll => $"{Videos},{VideosWrite}";
    public string HybridPipeline => $"{prefix}-hybrid";
    public string RrfPipeline => $"{prefix}-rrf";

    /// <summary>Per-weight pipeline, e.g. mmi-hybrid-t030 for text weight 0.30 (weights are rounded to 0.01).</summary>
    public string HybridPipelineFor(int textWeightPercent) =>
        $"{prefix}-hybrid-t{textWeightPercent.ToString("D3", CultureInfo.InvariantCulture)}";
}

/// <summary>Renders the request bodies of EnsureSchemaAsync from the mappings/ files and the options.</summary>
internal sealed class OpenSearchSchema(OpenSearchOptions options)
{
    public OpenSearchNames Names { get; } = new(options.IndexPrefix);

    /// <summary>segments.json with the prefix's index pattern and the configured engine's HNSW method.</summary>
    public JsonObject SegmentsTemplate() => RenderTemplate("index-templates/segments.json", Names.SegmentsPattern, "vector");

    public JsonObject VideosTemplate() => RenderTemplate("index-templates/videos.json", Names.VideosPattern, "mean_vector");

    private JsonObject RenderTemplate(string file, string pattern, string vectorField)
    {
        var t = OpenSearchMappings.ReadObject(file, options.MappingsPath);
        t["index_patterns"] = new JsonArray(pattern);
        var methods = OpenSearchMappings.ReadObject("knn-methods.json", options.MappingsPath);
        var engine = methods[options.KnnEngine] as JsonObject
            ?? throw new InvalidOperationException($"mappings/knn-methods.json has no entry for engine '{options.KnnEngine}'.");
        var template = (JsonObject)t["template"]!;
        var vector = (JsonObject)template["mappings"]!["properties"]![vectorField]!;
        vector["method"] = engine["method"]!.DeepClone();
        vector["dimension"] = SearchLimits.VectorDimension;
        var indexSettings = (JsonObject)template["settings"]!["index"]!;
        if (engine["index_settings"] is JsonObject extra)
            foreach (var (k, v) in extra) indexSettings[k] = v?.DeepClone();
        return t;
    }

    public SearchPipeline HybridPipeline(double? textWeight = null)
    {
        var p = JsonSerializer.Deserialize(OpenSearchMappings.ReadText("search-pipelines/hybrid.json", options.MappingsPath),
            OpenSearchJsonContext.Default.SearchPipeline) ?? throw new InvalidOperationException("mappings/search-pipelines/hybrid.json is empty.");
        var proc = p.PhaseResultsProcessors.Select(x => x.Normalization).FirstOrDefault(x => x is not null)
            ?? throw new InvalidOperationException("mappings/search-pipelines/hybrid.json needs a normalization-processor.");
        if (textWeight is { } w)
        {
            // Written as hundredths so the two weights sum to exactly 1 after decimal rounding.
            var t = Math.Round(w * 100) / 100;
            proc.Combination.Parameters = new CombinationParameters { Weights = [t, Math.Round((1 - t) * 100) / 100] };
            p.Description = $"{p.Description} Weights: text {t:0.00}, vector {1 - t:0.00}.";
        }
        return p;
    }

    /// <summary>The text weight the file's default hybrid pipeline uses (its first weight).</summary>
    public double DefaultHybridTextWeight()
    {
        var w = HybridPipeline().PhaseResultsProcessors.Select(x => x.Normalization).First(x => x is not null)!
            .Combination.Parameters?.Weights;
        return w is { Length: 2 } ? w[0] : 0.5;
    }

    public SearchPipeline RrfPipeline() =>
        JsonSerializer.Deserialize(OpenSearchMappings.ReadText("search-pipelines/rrf.json", options.MappingsPath),
            OpenSearchJsonContext.Default.SearchPipeline) ?? throw new InvalidOperationException("mappings/search-pipelines/rrf.json is empty.");
}
