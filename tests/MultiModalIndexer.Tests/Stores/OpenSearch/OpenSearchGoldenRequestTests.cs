using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MultiModalIndexer.Common;
using MultiModalIndexer.Stores.OpenSearch;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Stores.OpenSearch;

/// <summary>
/// Every request the OpenSearch store (and its ml-commons/Dashboards helpers) can send, produced by the real code
/// against a recording handler, compared with the committed goldens and validated against the official OpenSearch
/// API specification with ../shared/tools/validate_opensearch_request.py.
/// Regenerate with: MMI_UPDATE_GOLDEN=1 dotnet test ... --filter "FullyQualifiedName~OpenSearchGoldenRequestTests"
/// </summary>
public sealed class OpenSearchGoldenRequestTests
{
    private static readonly string Here = Path.Combine(ProjectPaths.Root ?? throw new InvalidOperationException("repository root not found"),
        "tests", "MultiModalIndexer.Tests", "Stores", "OpenSearch");
    private static readonly string OpenSearchDir = Path.Combine(Here, "opensearch-requests");
    private static readonly string DashboardsDir = Path.Combine(Here, "dashboards-requests");
    private static readonly bool Update = Environment.GetEnvironmentVariable("MMI_UPDATE_GOLDEN") == "1";

    private static readonly Lazy<Task<(List<(string Name, RecordedRequest Req)> OpenSearch, List<(string Name, RecordedRequest Req)> Dashboards)>> Run =
        new(RunScenarioAsync);

    /// <summary>Drives the real code through every kind of request; labels become golden file names.</summary>
    private static async Task<(List<(string, RecordedRequest)>, List<(string, RecordedRequest)>)> RunScenarioAsync()
    {
        var rec = new RecordingOpenSearch();
        using var http = new HttpClient(rec);
        var opts = OpenSearchTestData.Options();
        await using var store = new OpenSearchStore(opts, http);
        var video = OpenSearchTestData.Video();
        var segments = OpenSearchTestData.Segments();
        var filters = new SearchFilters
        {
            PathPrefix = "/media/lectures/",
            Storage = "local",
            MinDuration = 2,
            MaxDuration = 60,
            IndexedAfter = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            IndexedBefore = new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero),
            Language = "zh",
        };

        rec.Label = "schema"; await store.EnsureSchemaAsync();
        rec.Label = "upsert"; await store.UpsertVideoAsync(video, segments);
        rec.Label = "reindex-shrunk"; await store.UpsertVideoAsync(OpenSearchTestData.Video(2), segments.Take(2).ToList());
        rec.Label = "refresh"; await store.RefreshAsync();
        rec.Label = "get-segment"; await store.GetSegmentAsync(segments[0].Id);
        rec.Label = "get-video"; await store.GetVideoAsync(video.Id);
        rec.Label = "list-videos"; await store.ListVideosAsync(0, 20);
        rec.Label = "segments-of-video"; await store.GetSegmentsOfVideoAsync(video.Id);
        rec.Label = "search-hybrid";
        await store.SearchAsync(new SearchRequest { Query = "城市夜景 night tour", QueryVector = OpenSearchTestData.Vector(5), Filters = filters, CollapseByVideo = true });
        rec.Label = "search-hybrid-weighted-page2";
        await store.SearchAsync(new SearchRequest { Query = "night tour", QueryVector = OpenSearchTestData.Vector(6), TextWeight = 0.3, From = 10, Size = 10 });
        rec.Label = "search-hybrid-rrf";
        await store.SearchAsync(new SearchRequest { Query = "出口", QueryVector = OpenSearchTestData.Vector(7), Fusion = FusionMethod.Rrf, Filters = new SearchFilters { VideoId = video.Id } });
        rec.Label = "search-text";
        await store.SearchAsync(new SearchRequest { Query = "\"night tour\" AND (platform*)", Mode = SearchMode.Text, Filters = filters, Size = 5, CollapseByVideo = true });
        rec.Label = "search-vector";
        await store.SearchAsync(new SearchRequest { QueryVector = OpenSearchTestData.Vector(8), Mode = SearchMode.Vector, Filters = filters, From = 5, Size = 5 });
        rec.Label = "search-similar";
        await store.SearchAsync(new SearchRequest { SimilarToSegmentId = segments[1].Id, Mode = SearchMode.Vector, Filters = new SearchFilters { Storage = "local" } });
        rec.Label = "stats"; await store.StatsAsync();
        rec.Label = "health"; await store.HealthAsync();
        rec.Label = "delete-video"; await store.DeleteVideoAsync(video.Id);
        rec.Label = "reindex-v2"; await store.ReindexAsync(2);

        rec.Label = "ml-commons";
        var ml = new MlCommonsSetup(opts, http);
        var model = await ml.RegisterDaemonEmbeddingModelAsync(new Uri("http://mmi-daemon:8080"));
        await ml.NeuralSearchAsync(model.ModelId, "城市夜景");

        // Copy detection: the fingerprint rides in the video document; readers page through them.
        rec.Label = "upsert-fingerprint"; await store.UpsertVideoAsync(OpenSearchTestData.Video(fingerprint: true), segments);
        rec.Label = "fingerprint-version"; await store.FingerprintVersionAsync();
        rec.Label = "fingerprints-read"; await foreach (var _ in store.ReadFingerprintsAsync()) { }

        var faissRec = new RecordingOpenSearch { Label = "schema-faiss" };
        using (var faissHttp = new HttpClient(faissRec))
        await using (var faiss = new OpenSearchStore(OpenSearchTestData.Options("faiss"), faissHttp))
            await faiss.EnsureSchemaAsync();
        var faissTemplate = faissRec.Requests.First(r => r.Path == "/_index_template/mmi-segments");

        var dashRec = new RecordingOpenSearch { Label = "dashboards-import" };
        using (var dashHttp = new HttpClient(dashRec))
            await DashboardsImporter.ImportAsync(new Uri("http://dashboards.test:5601"), dashHttp, "admin", "s3cret-Passw0rd");

        var all = rec.Requests.Append(faissTemplate).ToList();
        return (Name(all), Name(dashRec.Requests));
    }

    private static List<(string, RecordedRequest)> Name(IEnumerable<RecordedRequest> requests) =>
        requests.Select((r, i) =>
        {
            var slug = Regex.Replace(r.Path.Trim('/'), "[^A-Za-z0-9_]+", "-").Trim('-');
            if (slug.Length > 60) slug = slug[..60];
            return ($"{i + 1:D2}-{r.Label}-{r.Method.ToLowerInvariant()}-{slug}.json", r);
        }).ToList();

    private static string GoldenText(RecordedRequest r) => GoldenJson.Write(r.ToGolden());

    private static string DashboardsGoldenText(RecordedRequest r)
    {
        // Multipart: record the headers that matter and the uploaded NDJSON objects.
        var text = r.BodyText;
        var start = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var end = text.LastIndexOf("\r\n--", StringComparison.Ordinal);
        var objects = new JsonArray(text[start..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)).ToArray());
        var q = new JsonObject();
        foreach (var (k, v) in r.Query) q[k] = v;
        var disposition = Regex.Match(text, "Content-Disposition: [^\r\n]+").Value;
        return GoldenJson.Write(new JsonObject
        {
            ["method"] = r.Method,
            ["path"] = r.Path,
            ["query"] = q,
            ["headers"] = new JsonObject { ["osd-xsrf"] = r.Headers.GetValueOrDefault("osd-xsrf"), ["authorization"] = r.Headers.GetValueOrDefault("authorization") },
            ["body"] = new JsonObject { ["content_type"] = r.ContentType?.Split(';')[0], ["part"] = disposition, ["ndjson"] = objects },
        });
    }

    private static void CompareOrUpdate(string dir, IEnumerable<(string Name, string Text)> generated)
    {
        var list = generated.ToList();
        if (Update)
        {
            Directory.CreateDirectory(dir);
            foreach (var f in Directory.GetFiles(dir, "*.json")) File.Delete(f);
            foreach (var (name, text) in list) File.WriteAllText(Path.Combine(dir, name), text);
            return;
        }
        Assert.True(Directory.Exists(dir), $"{dir} is missing; run the tests once with MMI_UPDATE_GOLDEN=1.");
        var problems = new List<string>();
        foreach (var (name, text) in list)
        {
            var file = Path.Combine(dir, name);
            if (!File.Exists(file)) problems.Add($"missing golden {name}");
            else if (File.ReadAllText(file).ReplaceLineEndings("\n") != text) problems.Add($"request differs from golden {name}");
        }
        var expected = list.Select(x => x.Name).ToHashSet();
        problems.AddRange(Directory.GetFiles(dir, "*.json").Select(Path.GetFileName).Where(n => !expected.Contains(n!)).Select(n => $"stale golden {n}"));
        Assert.True(problems.Count == 0, "Golden requests out of date (regenerate with MMI_UPDATE_GOLDEN=1 and review the diff):\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task OpenSearch_requests_match_the_goldens()
    {
        var (os, _) = await Run.Value;
        CompareOrUpdate(OpenSearchDir, os.Select(x => (x.Name, GoldenText(x.Req))));
    }

    [Fact]
    public async Task Dashboards_import_request_matches_the_golden()
    {
        var (_, dash) = await Run.Value;
        var r = Assert.Single(dash).Req;
        Assert.Equal("POST", r.Method);
        Assert.Equal("/api/saved_objects/_import", r.Path);
        Assert.Equal("true", r.Query["overwrite"]);
        Assert.Equal("true", r.Headers["osd-xsrf"]);
        Assert.StartsWith("multipart/form-data", r.ContentType);
        CompareOrUpdate(DashboardsDir, dash.Select(x => (x.Name, DashboardsGoldenText(x.Req))));
    }

    [Fact]
    public async Task Every_golden_validates_against_the_official_OpenSearch_api_spec()
    {
        var (os, _) = await Run.Value;
        var dir = TestPaths.NewScratchDir("os-golden");
        foreach (var (name, r) in os) await File.WriteAllTextAsync(Path.Combine(dir, name), GoldenText(r));
        var (code, output) = await RunValidatorAsync(dir);
        Assert.True(code == 0, "validate_opensearch_request.py rejected requests:\n" + output);
        Assert.Contains($"{os.Count}/{os.Count} requests valid against the OpenSearch API spec", output);
        // The committed goldens are byte-equal to these (OpenSearch_requests_match_the_goldens), so they validate too.
    }

    internal static async Task<(int Code, string Output)> RunValidatorAsync(string dirOrFile)
    {
        var script = TestPaths.SharedFile("tools", "validate_opensearch_request.py");
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dirOrFile);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); throw new TimeoutException("validator did not finish in 2 minutes"); }
        var err = await stderr;
        if (err.Contains("ModuleNotFoundError"))
            throw new InvalidOperationException("The validator needs Debian's python3-yaml and python3-jsonschema (apt-get install python3-yaml python3-jsonschema): " + err);
        return (p.ExitCode, await stdout + err);
    }

    [Fact]
    public async Task Goldens_cover_templates_aliases_pipelines_bulk_searches_delete_by_query_and_ml_commons()
    {
        var (os, _) = await Run.Value;
        var reqs = os.Select(x => x.Req).ToList();
        bool Has(Func<RecordedRequest, bool> p) => reqs.Any(p);
        JsonNode? Q(RecordedRequest r) => r.Path.EndsWith("/_search", StringComparison.Ordinal) ? r.BodyJson()?["query"] : null;

        Assert.True(Has(r => r.Method == "PUT" && r.Path == "/_index_template/mmi-segments"), "segments template");
        Assert.True(Has(r => r.Method == "PUT" && r.Path == "/_index_template/mmi-videos"), "videos template");
        Assert.True(Has(r => r.Method == "PUT" && r.Path == "/mmi-segments-v1"), "versioned index creation");
        Assert.True(Has(r => r.Method == "POST" && r.Path == "/_aliases"), "aliases");
        Assert.True(Has(r => r.Method == "POST" && r.Path == "/_reindex"), "zero-downtime reindex");
        Assert.True(Has(r => r.Method == "PUT" && r.Path == "/_search/pipeline/mmi-hybrid"
            && r.BodyJson()!["phase_results_processors"]![0]!["normalization-processor"] is not null), "hybrid pipeline");
        Assert.True(Has(r => r.Method == "PUT" && r.Path == "/_search/pipeline/mmi-rrf"
            && (int)r.BodyJson()!["phase_results_processors"]![0]!["score-ranker-processor"]!["combination"]!["rank_constant"]! == 60), "rrf pipeline");
        Assert.True(Has(r => r.Path == "/_bulk" && r.ContentType!.Contains("ndjson")), "bulk");
        Assert.True(Has(r => Q(r)?["hybrid"] is not null), "hybrid search");
        Assert.True(Has(r => Q(r)?["knn"] is not null), "knn search");
        Assert.True(Has(r => Q(r)?["bool"]?["must"]?[0]?["multi_match"] is not null), "text search");
        Assert.True(Has(r => r.BodyJson() is JsonObject o && o["collapse"] is not null), "collapse");
        Assert.True(Has(r => r.Path.EndsWith("/_delete_by_query", StringComparison.Ordinal)), "delete-by-query");
        Assert.True(Has(r => r.Path == "/_plugins/_ml/connectors/_create"), "ml-commons connector");
        Assert.True(Has(r => r.Path == "/_plugins/_ml/models/_register"), "ml-commons model register");
        Assert.True(Has(r => r.Path.EndsWith("/_deploy", StringComparison.Ordinal)), "ml-commons deploy");
        Assert.True(Has(r => Q(r)?["neural"] is not null), "neural query");
        Assert.True(Has(r => r.Path == "/_cluster/health"), "health");
        var faiss = reqs.Single(r => r.Label == "schema-faiss").BodyJson()!;
        Assert.Equal("faiss", (string?)faiss["template"]!["mappings"]!["properties"]!["vector"]!["method"]!["engine"]);
    }

    [Fact]
    public async Task Every_hybrid_search_names_a_pipeline_that_was_created_before_it()
    {
        var (os, _) = await Run.Value;
        var created = new HashSet<string>();
        var hybrids = 0;
        foreach (var (name, r) in os)
        {
            if (r.Method == "PUT" && r.Path.StartsWith("/_search/pipeline/", StringComparison.Ordinal)) created.Add(r.Path["/_search/pipeline/".Length..]);
            if (!r.Path.EndsWith("/_search", StringComparison.Ordinal) || r.BodyJson()?["query"]?["hybrid"] is null) continue;
            hybrids++;
            Assert.True(r.Query.TryGetValue("search_pipeline", out var p), $"{name}: hybrid query without search_pipeline");
            Assert.Contains(p, created);
        }
        Assert.Equal(3, hybrids); // hybrid, weighted page 2, rrf
        // The 0.3 text weight went to a per-weight pipeline with weights [0.3, 0.7].
        var weighted = os.Single(x => x.Req.Path == "/_search/pipeline/mmi-hybrid-t030").Req.BodyJson()!;
        var w = weighted["phase_results_processors"]![0]!["normalization-processor"]!["combination"]!["parameters"]!["weights"]!.AsArray();
        Assert.Equal([0.3, 0.7], w.Select(x => (double)x!));
    }

    [Fact]
    public async Task Bulk_goldens_pair_every_action_with_its_document()
    {
        var (os, _) = await Run.Value;
        foreach (var (name, r) in os.Where(x => x.Req.Path == "/_bulk"))
        {
            var lines = Encoding.UTF8.GetString(r.Body).Split('\n');
            Assert.Equal("", lines[^1]); // NDJSON ends with a newline
            var objs = lines[..^1].Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            Assert.True(objs.Count % 2 == 0, name);
            for (var i = 0; i < objs.Count; i += 2)
            {
                var meta = objs[i]["index"]!;
                Assert.EndsWith("-write", (string)meta["_index"]!);
                Assert.Equal((string)meta["_id"]!, (string?)(objs[i + 1]["segment_id"] ?? objs[i + 1]["video_id"]));
            }
        }
    }
}
