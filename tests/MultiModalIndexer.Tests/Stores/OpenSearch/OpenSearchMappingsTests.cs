using System.Text.Json;
using System.Text.Json.Nodes;
using MultiModalIndexer.Stores.OpenSearch;

namespace MultiModalIndexer.Tests.Stores.OpenSearch;

/// <summary>The files in mappings/ agree with the documents the code writes and with each other.</summary>
public sealed class OpenSearchMappingsTests
{
    private static JsonObject Props(JsonObject template) => template["template"]!["mappings"]!["properties"]!.AsObject();

    private static JsonNode? Field(JsonObject props, string dotted)
    {
        // "ocr_text.terms" = multi-field; "media.width" = object property.
        var parts = dotted.Split('.');
        JsonNode? node = props[parts[0]];
        foreach (var p in parts.Skip(1))
            node = node?["properties"]?[p] ?? node?["fields"]?[p];
        return node;
    }

    [Theory]
    [InlineData("lucene")]
    [InlineData("faiss")]
    public void Templates_render_the_configured_engine_prefix_and_dimension(string engine)
    {
        var schema = new OpenSearchSchema(new OpenSearchOptions { Url = "http://x:9200", IndexPrefix = "media", KnnEngine = engine });
        var seg = schema.SegmentsTemplate();
        Assert.Equal(["media-segments-v*"], seg["index_patterns"]!.AsArray().Select(x => (string)x!));
        var vector = Props(seg)["vector"]!;
        Assert.Equal("knn_vector", (string?)vector["type"]);
        Assert.Equal(512, (int)vector["dimension"]!);
        Assert.Equal(engine, (string?)vector["method"]!["engine"]);
        Assert.Equal("innerproduct", (string?)vector["method"]!["space_type"]);
        Assert.Equal("hnsw", (string?)vector["method"]!["name"]);
        Assert.Equal(16, (int)vector["method"]!["parameters"]!["m"]!);
        Assert.Equal(128, (int)vector["method"]!["parameters"]!["ef_construction"]!);
        var index = seg["template"]!["settings"]!["index"]!;
        Assert.True((bool)index["knn"]!);
        Assert.Equal(engine == "faiss", index["knn.algo_param.ef_search"] is not null);
        var videos = schema.VideosTemplate();
        Assert.Equal(engine, (string?)Props(videos)["mean_vector"]!["method"]!["engine"]);
        Assert.Equal("media-hybrid", schema.Names.HybridPipeline);
        Assert.Equal("media-segments-write", schema.Names.SegmentsWrite);
    }

    [Fact]
    public void Text_fields_have_a_standard_analyzer_and_a_cjk_sub_field()
    {
        var schema = new OpenSearchSchema(new OpenSearchOptions { Url = "http://x:9200" });
        foreach (var (template, fields) in new[] { (schema.SegmentsTemplate(), new[] { "title", "transcript", "ocr_text" }), (schema.VideosTemplate(), new[] { "title", "transcript" }) })
            foreach (var f in fields)
            {
                var node = Props(template)[f]!;
                Assert.Equal("text", (string?)node["type"]);
                Assert.Equal("mmi_standard", (string?)node["analyzer"]);
                Assert.Equal("cjk", (string?)node["fields"]!["cjk"]!["analyzer"]);
            }
        // mmi_standard is the standard analyzer with Lucene's English stop words, the set the cjk analyzer and
        // the embedded store drop too, so "AND NOT OR" matches the same (no) documents in both stores.
        foreach (var t in new[] { schema.SegmentsTemplate(), schema.VideosTemplate() })
        {
            var a = t["template"]!["settings"]!["analysis"]!["analyzer"]!["mmi_standard"]!;
            Assert.Equal("standard", (string?)a["type"]);
            Assert.Equal("_english_", (string?)a["stopwords"]);
        }
        // Every field the text sub-query searches exists.
        foreach (var f in OpenSearchQueries.TextFields)
            Assert.NotNull(Field(Props(schema.SegmentsTemplate()), f.Split('^')[0]));
    }

    [Fact]
    public void Every_field_the_store_writes_is_mapped_so_nothing_is_silently_unindexed()
    {
        // The templates use "dynamic": "false": an unmapped field would be stored but not searchable or filterable.
        var schema = new OpenSearchSchema(new OpenSearchOptions { Url = "http://x:9200" });
        var seg = JsonSerializer.SerializeToNode(OpenSearchStore.ToSource(OpenSearchTestData.Segments()[0]), OpenSearchJsonContext.Default.SegmentSource)!.AsObject();
        var video = JsonSerializer.SerializeToNode(OpenSearchStore.ToSource(OpenSearchTestData.Video()), OpenSearchJsonContext.Default.VideoSource)!.AsObject();
        foreach (var (doc, template) in new[] { (seg, schema.SegmentsTemplate()), (video, schema.VideosTemplate()) })
        {
            var props = Props(template);
            foreach (var (key, value) in doc)
            {
                Assert.True(props.ContainsKey(key), $"field '{key}' is not in the template");
                if (value is JsonObject o && key == "media")
                    foreach (var (sub, _) in o) Assert.NotNull(Field(props, $"media.{sub}"));
            }
        }
        // Filters and sorts the queries use are keyword/date/numeric.
        var segProps = Props(schema.SegmentsTemplate());
        foreach (var (f, t) in new[] { ("video_id", "keyword"), ("storage", "keyword"), ("source_path", "keyword"), ("language", "keyword"), ("duration", "double"), ("indexed_at", "date"), ("ordinal", "integer"), ("segment_id", "keyword") })
            Assert.Equal(t, (string?)segProps[f]!["type"]);
    }

    [Fact]
    public void Dashboards_saved_objects_reference_existing_objects_and_aggregatable_mapped_fields()
    {
        var schema = new OpenSearchSchema(new OpenSearchOptions { Url = "http://x:9200" });
        var patterns = new Dictionary<string, JsonObject> { ["mmi-segments"] = Props(schema.SegmentsTemplate()), ["mmi-videos"] = Props(schema.VideosTemplate()) };
        var lines = OpenSearchMappings.ReadText("dashboards/mmi-dashboards.ndjson").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var objects = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        var ids = objects.Select(o => ((string)o["type"]!, (string)o["id"]!)).ToHashSet();
        Assert.Contains(("index-pattern", "mmi-segments"), ids);
        Assert.Contains(("index-pattern", "mmi-videos"), ids);
        var dashboard = objects.Single(o => (string?)o["type"] == "dashboard");
        Assert.Equal(4, dashboard["references"]!.AsArray().Count);
        Assert.Equal(4, JsonNode.Parse((string)dashboard["attributes"]!["panelsJSON"]!)!.AsArray().Count);
        foreach (var o in objects)
            foreach (var r in o["references"]!.AsArray())
                Assert.Contains(((string)r!["type"]!, (string)r["id"]!), ids);
        var aggregatable = new HashSet<string> { "keyword", "date", "double", "float", "integer", "long" };
        var fields = new List<string>();
        foreach (var v in objects.Where(o => (string?)o["type"] == "visualization"))
        {
            var pattern = (string)v["references"]![0]!["id"]!;
            var state = JsonNode.Parse((string)v["attributes"]!["visState"]!)!;
            JsonNode.Parse((string)v["attributes"]!["kibanaSavedObjectMeta"]!["searchSourceJSON"]!);
            foreach (var agg in state["aggs"]!.AsArray())
            {
                if (agg!["params"]?["field"] is not JsonValue fv) continue;
                var field = (string)fv!;
                fields.Add(field);
                var mapped = Field(patterns[pattern], field);
                Assert.True(mapped is not null, $"{v["id"]}: field {field} not in {pattern}");
                var type = (string?)mapped!["type"];
                Assert.True(aggregatable.Contains(type!) || (type == "text" && (bool?)mapped["fielddata"] == true), $"{field} ({type}) is not aggregatable");
            }
        }
        Assert.Equal(["file_name", "indexed_at", "language", "ocr_text.terms"], fields.Order());
    }

    [Fact]
    public void The_connector_speaks_the_daemon_embed_shape_with_the_openai_processing_functions()
    {
        var ml = new MlCommonsSetup(new OpenSearchOptions { Url = "http://x:9200" }, new HttpClient());
        var c = ml.BuildConnector("http://mmi-daemon:8080/api/embed", "clip-text", "tok");
        var action = Assert.Single(c.Actions);
        Assert.Equal("predict", action.ActionType);
        Assert.Equal("POST", action.Method);
        Assert.Equal("http://mmi-daemon:8080/api/embed", action.Url);
        Assert.Equal("connector.pre_process.openai.embedding", action.PreProcessFunction);
        Assert.Equal("connector.post_process.openai.embedding", action.PostProcessFunction);
        Assert.Equal("tok", c.Credential["daemon_token"]);
        // What ml-commons sends after the pre-process function filled ${parameters.input} with the texts as a JSON array.
        var body = action.RequestBody.Replace("${parameters.input}", "[\"城市夜景\",\"a cat\"]").Replace("${parameters.model}", c.Parameters["model"]);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(["城市夜景", "a cat"], json["input"]!.AsArray().Select(x => (string)x!));
        Assert.Equal("clip-text", (string?)json["model"]);
    }

    [Fact]
    public void Options_validation_says_what_to_fix()
    {
        Assert.Empty(new OpenSearchOptions { Url = "https://localhost:9200", Username = "admin", Password = "x" }.Validate());
        var messages = new OpenSearchOptions { Url = "localhost", Username = "admin", IndexPrefix = "MMI", KnnEngine = "nmslib", MaxBulkBytes = 10 }.Validate().ToList();
        Assert.Contains(messages, m => m.Contains("Url"));
        Assert.Contains(messages, m => m.Contains("Username and Password"));
        Assert.Contains(messages, m => m.Contains("IndexPrefix"));
        Assert.Contains(messages, m => m.Contains("KnnEngine"));
        Assert.Contains(messages, m => m.Contains("MaxBulkBytes"));
        var e = Assert.Throws<ArgumentException>(() => new OpenSearchStore(new OpenSearchOptions { Url = "localhost:9200" }, new HttpClient()));
        Assert.Contains("Store:OpenSearch:Url", e.Message);
    }

    [Fact]
    public void Dashboards_patterns_follow_a_custom_prefix()
    {
        var ndjson = OpenSearchMappings.ReadText("dashboards/mmi-dashboards.ndjson");
        var rendered = DashboardsImporter.RenderForPrefix(ndjson, "media");
        var titles = rendered.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
            .Where(o => (string?)o["type"] == "index-pattern").Select(o => (string)o["attributes"]!["title"]!);
        Assert.Equal(["media-segments", "media-videos"], titles);
    }
}
