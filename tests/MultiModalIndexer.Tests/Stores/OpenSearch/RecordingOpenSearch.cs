using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiModalIndexer.Tests.Stores.OpenSearch;

/// <summary>One HTTP request as the store sent it.</summary>
internal sealed record RecordedRequest(string Label, string Method, string Path, SortedDictionary<string, string> Query,
    string? ContentType, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>JSON body, NDJSON body as a list of parsed lines, or null without a body.</summary>
    public JsonNode? BodyJson()
    {
        if (Body.Length == 0) return null;
        if (ContentType?.Contains("ndjson") == true)
            return new JsonArray(BodyText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)).ToArray());
        return JsonNode.Parse(Body);
    }

    /// <summary>The golden shape {"method","path","query","body"} read by validate_opensearch_request.py.</summary>
    public JsonObject ToGolden()
    {
        var q = new JsonObject();
        foreach (var (k, v) in Query) q[k] = v;
        return new JsonObject { ["method"] = Method, ["path"] = Path, ["query"] = q, ["body"] = BodyJson() };
    }
}

/// <summary>
/// An HttpMessageHandler that records every request and answers like a small single-node OpenSearch would
/// (documents written by _bulk are kept so get/search/count answer plausibly). It exists to capture the
/// requests the real store code produces and to script failures; it is not an OpenSearch and no ranking
/// behaviour is asserted through it.
/// </summary>
internal sealed class RecordingOpenSearch : HttpMessageHandler
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _docs = new(StringComparer.Ordinal);
    public List<RecordedRequest> Requests { get; } = [];
    public string Label { get; set; } = "";
    /// <summary>Answer instead of the default (return null to fall through): fault injection.</summary>
    public Func<RecordedRequest, int, HttpResponseMessage?>? Override { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        byte[] body = [];
        string? contentType = null;
        if (request.Content is not null)
        {
            body = await request.Content.ReadAsByteArrayAsync(ct);
            contentType = request.Content.Headers.ContentType?.ToString();
        }
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in request.RequestUri!.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            query[Uri.UnescapeDataString(kv[0])] = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
        var rec = new RecordedRequest(Label, request.Method.Method, request.RequestUri.AbsolutePath, query, contentType, body, headers);
        int n;
        lock (Requests) { Requests.Add(rec); n = Requests.Count; }
        return Override?.Invoke(rec, n) ?? Answer(rec);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    private static string ReadAlias(string index) => index.EndsWith("-write", StringComparison.Ordinal) ? index[..^6] : index;

    private SortedDictionary<string, JsonObject> Docs(string index)
    {
        index = ReadAlias(index);
        if (!_docs.TryGetValue(index, out var d)) _docs[index] = d = new(StringComparer.Ordinal);
        return d;
    }

    private HttpResponseMessage Answer(RecordedRequest r)
    {
        var seg = r.Path.Trim('/').Split('/');
        var ack = new JsonObject { ["acknowledged"] = true };
        switch (r.Method)
        {
            case "HEAD":
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            case "PUT" when seg[0] is "_index_template" or "_search" or "_cluster":
                return Json(HttpStatusCode.OK, ack);
            case "PUT" when seg.Length == 1:
                return Json(HttpStatusCode.OK, new JsonObject { ["acknowledged"] = true, ["shards_acknowledged"] = true, ["index"] = seg[0] });
            case "GET" when seg.Length == 2 && seg[0] == "_alias":
                return Json(HttpStatusCode.OK, new JsonObject { [seg[1] + "-v1"] = new JsonObject { ["aliases"] = new JsonObject { [seg[1]] = new JsonObject() } } });
            case "POST" when seg[0] == "_reindex":
                return Json(HttpStatusCode.OK, new JsonObject { ["took"] = 4, ["timed_out"] = false, ["total"] = 3, ["created"] = 3, ["updated"] = 0, ["version_conflicts"] = 0, ["failures"] = new JsonArray() });
            case "POST" when seg[0] == "_aliases":
                return Json(HttpStatusCode.OK, ack);
            case "POST" when seg[0] == "_bulk":
                return Bulk(r);
            case "POST" when seg.Length == 2 && seg[1] == "_delete_by_query":
                return DeleteByQuery(seg[0], r);
            case "GET" when seg.Length == 3 && seg[1] == "_doc":
                {
                    var id = Uri.UnescapeDataString(seg[2]);
                    return Docs(seg[0]).TryGetValue(id, out var src)
                        ? Json(HttpStatusCode.OK, new JsonObject { ["_index"] = seg[0] + "-v1", ["_id"] = id, ["found"] = true, ["_source"] = src.DeepClone() })
                        : Json(HttpStatusCode.NotFound, new JsonObject { ["_index"] = seg[0] + "-v1", ["_id"] = id, ["found"] = false });
                }
            case "GET" when seg.Length == 2 && seg[1] == "_count":
                return Json(HttpStatusCode.OK, new JsonObject { ["count"] = Docs(seg[0]).Count });
            case "POST" when seg.Length == 2 && seg[1] == "_refresh":
                return Json(HttpStatusCode.OK, new JsonObject { ["_shards"] = new JsonObject { ["total"] = 2, ["successful"] = 2, ["failed"] = 0 } });
            case "POST" when seg.Length == 2 && seg[1] == "_search":
                return Search(seg[0], r);
            case "GET" when r.Path == "/_cluster/health":
                return Json(HttpStatusCode.OK, new JsonObject { ["cluster_name"] = "golden", ["status"] = "green", ["number_of_nodes"] = 1, ["timed_out"] = false });
            case "POST" when r.Path == "/_plugins/_ml/connectors/_create":
                return Json(HttpStatusCode.OK, new JsonObject { ["connector_id"] = "connector-1" });
            case "POST" when r.Path == "/_plugins/_ml/models/_register":
                return Json(HttpStatusCode.OK, new JsonObject { ["task_id"] = "task-1", ["status"] = "CREATED", ["model_id"] = "model-1" });
            case "POST" when r.Path.EndsWith("/_deploy", StringComparison.Ordinal):
                return Json(HttpStatusCode.OK, new JsonObject { ["task_id"] = "task-2", ["task_type"] = "DEPLOY_MODEL", ["status"] = "COMPLETED" });
            case "POST" when r.Path == "/api/saved_objects/_import":
                return Json(HttpStatusCode.OK, new JsonObject { ["success"] = true, ["successCount"] = 7 });
        }
        return Json(HttpStatusCode.BadRequest, new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = "illegal_argument_exception", ["reason"] = $"recording handler has no answer for {r.Method} {r.Path}" },
            ["status"] = 400,
        });
    }

    private HttpResponseMessage Bulk(RecordedRequest r)
    {
        var lines = r.BodyJson()!.AsArray();
        var items = new JsonArray();
        for (var i = 0; i < lines.Count; i++)
        {
            var action = lines[i]!.AsObject();
            var (op, meta) = (action.First().Key, action.First().Value!.AsObject());
            var index = (string)meta["_index"]!;
            var id = (string)meta["_id"]!;
            if (op == "index") Docs(index)[id] = lines[++i]!.AsObject().DeepClone().AsObject();
            else Docs(index).Remove(id);
            items.Add(new JsonObject { [op] = new JsonObject { ["_index"] = ReadAlias(index) + "-v1", ["_id"] = id, ["status"] = op == "index" ? 201 : 200, ["result"] = "created" } });
        }
        return Json(HttpStatusCode.OK, new JsonObject { ["took"] = 3, ["errors"] = false, ["items"] = items });
    }

    private HttpResponseMessage DeleteByQuery(string index, RecordedRequest r)
    {
        // Understands the store's two shapes: video_id term, optionally with must_not ids.
        var b = r.BodyJson()!["query"]!["bool"]!;
        var videoId = (string)b["filter"]![0]!["term"]!["video_id"]!["value"]!;
        var keep = b["must_not"]?[0]?["ids"]?["values"]?.AsArray().Select(x => (string)x!).ToHashSet() ?? [];
        var gone = new List<string>();
        foreach (var name in index.Split(',').Select(ReadAlias).Distinct())
        {
            var docs = Docs(name);
            var ids = docs.Where(kv => (string?)kv.Value["video_id"] == videoId && !keep.Contains(kv.Key)).Select(kv => kv.Key).ToList();
            foreach (var id in ids) docs.Remove(id);
            gone.AddRange(ids);
        }
        return Json(HttpStatusCode.OK, new JsonObject { ["took"] = 2, ["timed_out"] = false, ["total"] = gone.Count, ["deleted"] = gone.Count, ["version_conflicts"] = 0, ["failures"] = new JsonArray() });
    }

    private HttpResponseMessage Search(string index, RecordedRequest r)
    {
        var body = r.BodyJson()!.AsObject();
        var size = (int?)body["size"] ?? 10;
        var docs = Docs(index).Values.ToList();
        var hits = new JsonArray();
        var score = 1.0;
        foreach (var d in docs.Take(size))
        {
            var src = d.DeepClone().AsObject();
            src.Remove("vector");
            var hit = new JsonObject { ["_index"] = index + "-v1", ["_id"] = (string?)(d["segment_id"] ?? d["video_id"]), ["_score"] = score, ["_source"] = src };
            if (body["sort"] is not null) hit["sort"] = new JsonArray((int?)d["ordinal"] ?? 0, (string?)(d["segment_id"] ?? d["video_id"]));
            if (body["highlight"] is not null && ((string?)d["transcript"])?.Length > 0)
                hit["highlight"] = new JsonObject { ["transcript"] = new JsonArray("<em>" + (string?)d["transcript"] + "</em>") };
            hits.Add(hit);
            score /= 2;
        }
        var result = new JsonObject
        {
            ["took"] = 5,
            ["timed_out"] = false,
            ["hits"] = new JsonObject { ["total"] = new JsonObject { ["value"] = docs.Count, ["relation"] = "eq" }, ["max_score"] = hits.Count > 0 ? 1.0 : null, ["hits"] = hits },
        };
        if (body["aggs"] is not null)
        {
            var buckets = new JsonArray(docs.GroupBy(d => (string?)d["storage"] ?? "").OrderByDescending(g => g.Count())
                .Select(g => (JsonNode)new JsonObject { ["key"] = g.Key, ["doc_count"] = g.Count() }).ToArray());
            result["aggregations"] = new JsonObject { ["by_storage"] = new JsonObject { ["doc_count_error_upper_bound"] = 0, ["sum_other_doc_count"] = 0, ["buckets"] = buckets } };
        }
        return Json(HttpStatusCode.OK, result);
    }
}

/// <summary>Pretty JSON with arrays of scalars on one line (512-d vectors stay readable in goldens).</summary>
internal static class GoldenJson
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node, 0);
        return sb.Append('\n').ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? n, int indent)
    {
        var pad = new string(' ', indent + 2);
        switch (n)
        {
            case null: sb.Append("null"); break;
            case JsonObject o when o.Count == 0: sb.Append("{}"); break;
            case JsonObject o:
                sb.Append("{\n");
                var i = 0;
                foreach (var (k, v) in o)
                {
                    sb.Append(pad).Append(JsonSerializer.Serialize(k, Relaxed)).Append(": ");
                    Write(sb, v, indent + 2);
                    sb.Append(++i < o.Count ? ",\n" : "\n");
                }
                sb.Append(' ', indent).Append('}');
                break;
            case JsonArray a when a.All(x => x is JsonValue or null):
                sb.Append('[').AppendJoin(", ", a.Select(x => x?.ToJsonString(Relaxed) ?? "null")).Append(']');
                break;
            case JsonArray a:
                sb.Append("[\n");
                for (var j = 0; j < a.Count; j++)
                {
                    sb.Append(pad);
                    Write(sb, a[j], indent + 2);
                    sb.Append(j + 1 < a.Count ? ",\n" : "\n");
                }
                sb.Append(' ', indent).Append(']');
                break;
            default: sb.Append(n.ToJsonString(Relaxed)); break;
        }
    }
}
