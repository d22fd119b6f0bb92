using System.Net;
using System.Text.Json.Nodes;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.OpenSearch;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Tests.Stores.OpenSearch;

/// <summary>
/// Client-side behaviour of the OpenSearch store with scripted HTTP answers: what it sends, how it retries,
/// what it refuses. Ranking against a real cluster is the contract suite's job (OPENSEARCH_URL).
/// </summary>
public sealed class OpenSearchStoreTests
{
    private static (OpenSearchStore Store, RecordingOpenSearch Rec, HttpClient Http) Create(Action<OpenSearchOptions>? configure = null)
    {
        var rec = new RecordingOpenSearch();
        var http = new HttpClient(rec);
        var o = OpenSearchTestData.Options();
        configure?.Invoke(o);
        return (new OpenSearchStore(o, http), rec, http);
    }

    [Fact]
    public async Task A_hybrid_query_is_never_sent_without_a_search_pipeline()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        var body = new SearchBody
        {
            Query = new Query { Hybrid = new HybridQuery { Queries = [OpenSearchQueries.TextQuery("x", [])] } },
        };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.SearchIndexAsync("mmi-segments", body, null, OpenSearchJsonContext.Default.SearchResultSegmentSource, default));
        Assert.Contains("search pipeline", e.Message);
        Assert.Empty(rec.Requests);
    }

    [Fact]
    public async Task Transient_503_and_429_answers_are_retried_then_succeed()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        rec.Override = (r, n) => n switch
        {
            1 => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            2 => new HttpResponseMessage(HttpStatusCode.TooManyRequests),
            _ => null,
        };
        var health = await store.HealthAsync();
        Assert.True(health.Healthy, health.Detail);
        Assert.Equal(3, rec.Requests.Count);
    }

    [Fact]
    public async Task Retries_give_up_with_a_clear_error_after_MaxRetries()
    {
        var (store, rec, http) = Create(o => o.MaxRetries = 2);
        using var _ = http;
        rec.Override = (_, _) => RecordingOpenSearch.Json(HttpStatusCode.ServiceUnavailable,
            new JsonObject { ["error"] = new JsonObject { ["type"] = "cluster_block_exception", ["reason"] = "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered]" }, ["status"] = 503 });
        var e = await Assert.ThrowsAsync<OpenSearchException>(() => store.StatsAsync());
        Assert.Equal(3, rec.Requests.Count);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Status);
        Assert.Contains("cluster_block_exception", e.Message);
    }

    [Fact]
    public async Task Bulk_items_refused_with_429_are_resent_alone_and_other_refusals_are_reported()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        var segments = OpenSearchTestData.Segments();
        var bulkCalls = 0;
        rec.Override = (r, _) =>
        {
            if (r.Path != "/_bulk" || bulkCalls++ > 0) return null;
            // First bulk: item 0 ok, item 1 rejected (queue full), item 2 has a mapping error.
            var items = new JsonArray(
                new JsonObject { ["index"] = new JsonObject { ["_index"] = "mmi-segments-v1", ["_id"] = segments[0].Id, ["status"] = 201 } },
                new JsonObject
                {
                    ["index"] = new JsonObject
                    {
                        ["_index"] = "mmi-segments-v1", ["_id"] = segments[1].Id, ["status"] = 429,
                        ["error"] = new JsonObject { ["type"] = "es_rejected_execution_exception", ["reason"] = "queue full" }
                    }
                },
                new JsonObject
                {
                    ["index"] = new JsonObject
                    {
                        ["_index"] = "mmi-segments-v1", ["_id"] = segments[2].Id, ["status"] = 400,
                        ["error"] = new JsonObject { ["type"] = "mapper_parsing_exception", ["reason"] = "failed to parse field [start]" }
                    }
                });
            return RecordingOpenSearch.Json(HttpStatusCode.OK, new JsonObject { ["took"] = 1, ["errors"] = true, ["items"] = items });
        };
        var e = await Assert.ThrowsAsync<OpenSearchBulkException>(() => store.UpsertVideoAsync(OpenSearchTestData.Video(), segments));
        var failure = Assert.Single(e.Failures);
        Assert.Equal(segments[2].Id, failure.Id);
        Assert.Equal(400, failure.Status);
        Assert.Equal("mapper_parsing_exception", failure.ErrorType);
        var bulks = rec.Requests.Where(r => r.Path == "/_bulk").ToList();
        Assert.Equal(2, bulks.Count); // the segments' bulk and the retry of the one 429 item; no stale delete, no video doc
        var resent = bulks[1].BodyJson()!.AsArray();
        Assert.Equal(2, resent.Count);
        Assert.Equal(segments[1].Id, (string?)resent[0]!["index"]!["_id"]);
        Assert.DoesNotContain(rec.Requests, r => r.Path.EndsWith("_delete_by_query", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upsert_packs_bulk_requests_by_bytes_then_deletes_stale_segments_then_writes_the_video_last()
    {
        var (store, rec, http) = Create(o => o.MaxBulkBytes = 64 * 1024);
        using var _ = http;
        var segs = Enumerable.Range(0, 40).Select(i =>
        {
            var s = OpenSearchTestData.Segments(1)[0];
            return new SegmentDocument
            {
                Id = DocumentIds.SegmentId(s.VideoId, i), VideoId = s.VideoId, Ordinal = i, SourcePath = s.SourcePath, Storage = s.Storage,
                FileName = s.FileName, Title = s.Title, Start = i, End = i + 1, Vector = OpenSearchTestData.Vector(i), IndexedAt = s.IndexedAt,
                Transcript = new string('x', 2000),
            };
        }).ToList();
        await store.UpsertVideoAsync(OpenSearchTestData.Video(40), segs);

        var bulks = rec.Requests.Select((r, i) => (r, i)).Where(x => x.r.Path == "/_bulk").ToList();
        Assert.True(bulks.Count >= 3, $"expected several bulk requests, got {bulks.Count}");
        var segmentBulks = bulks.Take(bulks.Count - 1).ToList();
        Assert.All(segmentBulks, b => Assert.True(b.r.Body.Length <= 64 * 1024, $"bulk body {b.r.Body.Length} bytes"));
        Assert.All(segmentBulks, b => Assert.False(b.r.Query.ContainsKey("refresh")));
        var ids = segmentBulks.SelectMany(b => b.r.BodyJson()!.AsArray().Where(l => l!["index"] is not null).Select(l => (string)l!["index"]!["_id"]!)).ToList();
        Assert.Equal(segs.Select(s => s.Id), ids);

        var delete = rec.Requests.FindIndex(r => r.Path == "/mmi-segments,mmi-segments-write/_delete_by_query");
        Assert.True(delete > segmentBulks[^1].i, "stale segments are deleted after all new segments are written");
        var videoBulk = bulks[^1];
        Assert.True(videoBulk.i > delete, "the video document (commit marker) is written last");
        Assert.Equal("wait_for", videoBulk.r.Query["refresh"]);
        Assert.Equal("mmi-videos-write", (string?)videoBulk.r.BodyJson()![0]!["index"]!["_index"]);
    }

    [Fact]
    public async Task Reindexing_a_video_with_fewer_segments_removes_the_missing_ones()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        var segs = OpenSearchTestData.Segments(3);
        await store.UpsertVideoAsync(OpenSearchTestData.Video(3), segs);
        await store.UpsertVideoAsync(OpenSearchTestData.Video(1), segs.Take(1).ToList());
        var left = await store.GetSegmentsOfVideoAsync(OpenSearchTestData.VideoId);
        Assert.Equal([segs[0].Id], left.Select(s => s.Id));
        var del = rec.Requests.Last(r => r.Path.EndsWith("_delete_by_query", StringComparison.Ordinal)).BodyJson()!;
        Assert.Equal([segs[0].Id], del["query"]!["bool"]!["must_not"]![0]!["ids"]!["values"]!.AsArray().Select(x => (string)x!));
    }

    // Messages come from the shared SearchRequestValidator (same as the embedded store).
    public static TheoryData<string, SearchRequest> BadRequests => new()
    {
        { "From must be 0 or more", new SearchRequest { Query = "a", From = -1 } },
        { "Size must be 0 or more", new SearchRequest { Query = "a", Size = -1 } },
        { "Size must be at most", new SearchRequest { Query = "a", Size = 100_000 } },
        { "From + Size", new SearchRequest { Query = "a", From = 9_995, Size = 10 } },
        { "the limit is 1000", new SearchRequest { Query = new string('字', 10_000) } },
        { "non-empty query", new SearchRequest { Query = "   ", Mode = SearchMode.Text } },
        { "non-empty query or a vector", new SearchRequest() },
        { "dimensions", new SearchRequest { QueryVector = new float[511], Mode = SearchMode.Vector } },
        { "finite", new SearchRequest { QueryVector = Enumerable.Repeat(float.NaN, 512).ToArray(), Mode = SearchMode.Vector } },
        { "all zeros", new SearchRequest { QueryVector = new float[512], Mode = SearchMode.Vector } },
        { "TextWeight", new SearchRequest { Query = "a", TextWeight = 1.5 } },
        { "TextWeight", new SearchRequest { Query = "a", TextWeight = double.NaN } },
        { "MinDuration", new SearchRequest { Query = "a", Filters = new SearchFilters { MinDuration = 10, MaxDuration = 5 } } },
        { "IndexedAfter", new SearchRequest { Query = "a", Filters = new SearchFilters { IndexedAfter = DateTimeOffset.UtcNow, IndexedBefore = DateTimeOffset.UtcNow.AddDays(-1) } } },
        { "Vector search needs", new SearchRequest { Mode = SearchMode.Vector, Query = "cat" } },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_search_input_is_a_validation_error_and_nothing_is_sent(string expected, SearchRequest request)
    {
        var (store, rec, http) = Create();
        using var _ = http;
        var e = await Assert.ThrowsAsync<SearchValidationException>(() => store.SearchAsync(request));
        Assert.Contains(expected, e.Message);
        Assert.Empty(rec.Requests);
    }

    [Theory]
    [InlineData("\" * ( ) : ^ ~ AND NOT")]
    [InlineData("'; DROP TABLE segments; --")]
    [InlineData("\"}}, \"script\": {\"source\": \"ctx._source.x=1\"}, \"q\": {\"")]
    [InlineData("城市夜景")]
    public async Task Query_syntax_and_injection_attempts_travel_as_plain_multi_match_text(string text)
    {
        var (store, rec, http) = Create();
        using var _ = http;
        await store.SearchAsync(new SearchRequest { Query = text, Mode = SearchMode.Text });
        var body = Assert.Single(rec.Requests).BodyJson()!;
        Assert.Equal(text.Trim(), (string?)body["query"]!["bool"]!["must"]![0]!["multi_match"]!["query"]);
        Assert.Null(body["script"]);
        Assert.Equal(["query", "from", "size", "_source", "highlight", "track_total_hits"], body.AsObject().Select(kv => kv.Key));
    }

    [Fact]
    public async Task Hybrid_without_a_vector_runs_as_text_and_hybrid_without_text_runs_as_knn()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        await store.SearchAsync(new SearchRequest { Query = "night" });
        await store.SearchAsync(new SearchRequest { QueryVector = OpenSearchTestData.Vector(1) });
        Assert.NotNull(rec.Requests[0].BodyJson()!["query"]!["bool"]);
        Assert.NotNull(rec.Requests[1].BodyJson()!["query"]!["knn"]);
        Assert.All(rec.Requests, r => Assert.False(r.Query.ContainsKey("search_pipeline")));
    }

    [Fact]
    public async Task A_per_weight_pipeline_is_created_once_and_reused()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        for (var i = 0; i < 3; i++)
            await store.SearchAsync(new SearchRequest { Query = "night", QueryVector = OpenSearchTestData.Vector(i), TextWeight = 0.7 });
        Assert.Single(rec.Requests, r => r.Method == "PUT" && r.Path == "/_search/pipeline/mmi-hybrid-t070");
        Assert.All(rec.Requests.Where(r => r.Path.EndsWith("_search", StringComparison.Ordinal)), r => Assert.Equal("mmi-hybrid-t070", r.Query["search_pipeline"]));
        // The default weight uses the start-up pipeline, RRF its own.
        await store.SearchAsync(new SearchRequest { Query = "night", QueryVector = OpenSearchTestData.Vector(1), TextWeight = 0.5 });
        await store.SearchAsync(new SearchRequest { Query = "night", QueryVector = OpenSearchTestData.Vector(1), Fusion = FusionMethod.Rrf, TextWeight = 0.9 });
        Assert.Equal("mmi-hybrid", rec.Requests[^2].Query["search_pipeline"]);
        Assert.Equal("mmi-rrf", rec.Requests[^1].Query["search_pipeline"]);
    }

    [Fact]
    public async Task Search_hits_map_scores_and_highlights_and_hybrid_sub_scores_come_from_follow_up_queries()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        await store.UpsertVideoAsync(OpenSearchTestData.Video(), OpenSearchTestData.Segments());
        var text = await store.SearchAsync(new SearchRequest { Query = "night", Mode = SearchMode.Text });
        Assert.Equal(3, text.Total);
        Assert.Equal(text.Hits[0].Score, text.Hits[0].TextScore);
        Assert.Null(text.Hits[0].VectorScore);
        Assert.Equal(["<em>Welcome to the night tour.</em>"], text.Hits[0].TranscriptHighlights);
        Assert.Null(text.Hits[0].Segment.Vector); // excluded from search responses
        Assert.Equal("城市夜景 tour", text.Hits[0].Segment.Title);

        rec.Requests.Clear();
        var hybrid = await store.SearchAsync(new SearchRequest { Query = "night", QueryVector = OpenSearchTestData.Vector(3) });
        // 1 fused search through the pipeline + text and knn restricted to the page's ids, without pipeline.
        Assert.Equal(3, rec.Requests.Count);
        Assert.Equal("mmi-hybrid", rec.Requests[0].Query["search_pipeline"]);
        var ids = hybrid.Hits.Select(h => h.Segment.Id).ToArray();
        var textSub = rec.Requests[1].BodyJson()!["query"]!["bool"]!;
        Assert.Equal(ids, textSub["filter"]![0]!["ids"]!["values"]!.AsArray().Select(x => (string)x!));
        var knnSub = rec.Requests[2].BodyJson()!["query"]!["knn"]!["vector"]!;
        Assert.Equal(ids.Length, (int)knnSub["k"]!);
        Assert.Equal(ids, knnSub["filter"]!["bool"]!["filter"]![0]!["ids"]!["values"]!.AsArray().Select(x => (string)x!));
        Assert.All(rec.Requests.Skip(1), r => Assert.False(r.Query.ContainsKey("search_pipeline")));
        // The recording handler scores hits 1, 0.5, 0.25 in document order for every search.
        Assert.Equal([1.0, 0.5, 0.25], hybrid.Hits.Select(h => h.TextScore!.Value));
        Assert.Equal([1.0, 0.5, 0.25], hybrid.Hits.Select(h => h.VectorScore!.Value));
    }

    [Fact]
    public async Task Chinese_queries_take_highlights_from_the_cjk_sub_field()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        rec.Override = (r, _) => r.Path.EndsWith("/_search", StringComparison.Ordinal) ? RecordingOpenSearch.Json(HttpStatusCode.OK, JsonNode.Parse("""
            {"hits":{"total":{"value":1,"relation":"eq"},"hits":[{"_id":"v-00000","_score":2.5,
              "_source":{"segment_id":"v-00000","video_id":"v","source_path":"/a.mp4","storage":"local","file_name":"a.mp4","title":"a"},
              "highlight":{"transcript":["今天<em>机</em><em>器</em><em>学</em><em>习</em>"],"transcript.cjk":["今天<em>机器</em><em>学习</em> 再见"],"ocr_text":["<em>机</em>"]}}]}}
            """)!) : null;
        var r = await store.SearchAsync(new SearchRequest { Query = "机器学习", Mode = SearchMode.Text });
        Assert.Equal(["今天<em>机器学习</em> 再见"], r.Hits[0].TranscriptHighlights);
        Assert.Equal(["<em>机</em>"], r.Hits[0].OcrHighlights); // falls back to the standard field
        var latin = await store.SearchAsync(new SearchRequest { Query = "machine", Mode = SearchMode.Text });
        Assert.Equal(["今天<em>机器学习</em>"], latin.Hits[0].TranscriptHighlights); // adjacent unigram tags joined
    }

    [Fact]
    public async Task More_like_this_moment_uses_the_stored_vector_and_excludes_the_segment_itself()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        var segs = OpenSearchTestData.Segments();
        await store.UpsertVideoAsync(OpenSearchTestData.Video(), segs);
        rec.Requests.Clear();
        await store.SearchAsync(new SearchRequest { SimilarToSegmentId = segs[1].Id, Mode = SearchMode.Vector });
        Assert.Equal($"/mmi-segments/_doc/{segs[1].Id}", rec.Requests[0].Path);
        var knn = rec.Requests[1].BodyJson()!["query"]!["knn"]!["vector"]!;
        Assert.Equal(segs[1].Vector!, knn["vector"]!.AsArray().Select(x => (float)x!));
        Assert.Equal(segs[1].Id, (string?)knn["filter"]!["bool"]!["must_not"]![0]!["ids"]!["values"]![0]);

        var e = await Assert.ThrowsAsync<SearchValidationException>(() =>
            store.SearchAsync(new SearchRequest { SimilarToSegmentId = "nope/../x", Mode = SearchMode.Vector }));
        Assert.Contains("does not exist", e.Message);
        Assert.Equal("/mmi-segments/_doc/nope%2F..%2Fx", rec.Requests[^1].Path);
    }

    [Fact]
    public async Task Bad_documents_are_refused_before_anything_is_written()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        var s = OpenSearchTestData.Segments(1)[0];
        var wrongLength = new SegmentDocument
        {
            Id = s.Id, VideoId = s.VideoId, Ordinal = 0, SourcePath = s.SourcePath, Storage = s.Storage, FileName = s.FileName,
            Title = s.Title, Start = 0, End = 1, Vector = new float[100],
        };
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertVideoAsync(OpenSearchTestData.Video(1), [wrongLength]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertVideoAsync(OpenSearchTestData.Video(2), [s, s]));
        Assert.Empty(rec.Requests);
    }

    [Fact]
    public async Task Server_errors_surface_type_and_reason()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        rec.Override = (_, _) => RecordingOpenSearch.Json(HttpStatusCode.BadRequest, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["root_cause"] = new JsonArray(new JsonObject { ["type"] = "query_shard_exception", ["reason"] = "failed to create query: [knn] requires k > 0" }),
                ["type"] = "search_phase_execution_exception",
                ["reason"] = "all shards failed",
            },
            ["status"] = 400,
        });
        var e = await Assert.ThrowsAsync<OpenSearchException>(() => store.SearchAsync(new SearchRequest { Query = "x", Mode = SearchMode.Text }));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.Equal("search_phase_execution_exception", e.ErrorType);
        Assert.Contains("requires k > 0", e.Message);
    }

    [Fact]
    public async Task EnsureSchema_leaves_existing_indices_and_aliases_alone()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        rec.Override = (r, _) => r.Method == "HEAD" ? new HttpResponseMessage(HttpStatusCode.OK) : null;
        await store.EnsureSchemaAsync();
        Assert.DoesNotContain(rec.Requests, r => r.Path == "/_aliases" || r.Path == "/mmi-segments-v1" && r.Method == "PUT");
        Assert.Equal(4, rec.Requests.Count(r => r.Method == "PUT")); // 2 templates + 2 pipelines, always refreshed
    }

    [Fact]
    public async Task Reindex_moves_writes_first_copies_without_overwriting_then_switches_reads_atomically()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        await store.ReindexAsync(2);
        var seg = rec.Requests.TakeWhile(r => !(r.Path == "/_alias/mmi-videos")).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.Equal(["GET /_alias/mmi-segments", "HEAD /mmi-segments-v2", "PUT /mmi-segments-v2", "POST /_aliases", "POST /_reindex", "POST /_aliases"], seg);
        var writeSwap = rec.Requests[3].BodyJson()!["actions"]!.AsArray();
        Assert.Equal("mmi-segments-write", (string?)writeSwap[0]!["remove"]!["alias"]);
        Assert.True((bool)writeSwap[1]!["add"]!["is_write_index"]!);
        var reindex = rec.Requests[4];
        Assert.Equal("true", reindex.Query["wait_for_completion"]);
        Assert.Equal("create", (string?)reindex.BodyJson()!["dest"]!["op_type"]);
        Assert.Equal("mmi-segments-v1", (string?)reindex.BodyJson()!["source"]!["index"]);
        var readSwap = rec.Requests[5].BodyJson()!["actions"]!.AsArray();
        Assert.Equal(("mmi-segments-v1", "mmi-segments"), ((string)readSwap[0]!["remove"]!["index"]!, (string)readSwap[0]!["remove"]!["alias"]!));
        Assert.Equal(("mmi-segments-v2", "mmi-segments"), ((string)readSwap[1]!["add"]!["index"]!, (string)readSwap[1]!["add"]!["alias"]!));
        Assert.Contains(rec.Requests, r => r.Path == "/mmi-videos-v2" && r.Method == "PUT");
    }

    [Fact]
    public async Task EnsureSchema_tolerates_losing_the_index_creation_race()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        rec.Override = (r, _) => r.Method == "PUT" && r.Path == "/mmi-segments-v1"
            ? RecordingOpenSearch.Json(HttpStatusCode.BadRequest, new JsonObject
            {
                ["error"] = new JsonObject { ["type"] = "resource_already_exists_exception", ["reason"] = "index [mmi-segments-v1] already exists" },
                ["status"] = 400,
            })
            : null;
        await store.EnsureSchemaAsync();
        Assert.Contains(rec.Requests, r => r.Path == "/_aliases");
    }

    [Fact]
    public async Task Basic_auth_is_sent_on_every_request()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        await store.EnsureSchemaAsync();
        var expected = "Basic " + Convert.ToBase64String("admin:s3cret-Passw0rd"u8.ToArray());
        Assert.All(rec.Requests, r => Assert.Equal(expected, r.Headers["authorization"]));
    }

    [Fact]
    public async Task Stats_and_listing_read_counts_aggregations_and_documents()
    {
        var (store, rec, http) = Create();
        using var _ = http;
        await store.UpsertVideoAsync(OpenSearchTestData.Video(), OpenSearchTestData.Segments());
        var stats = await store.StatsAsync();
        Assert.Equal(1, stats.Videos);
        Assert.Equal(3, stats.Segments);
        Assert.Equal(3, stats.SegmentsByStorage["local"]);
        var videos = await store.ListVideosAsync(0, 10);
        Assert.Equal(OpenSearchTestData.VideoId, Assert.Single(videos).Id);
        var v = await store.GetVideoAsync(OpenSearchTestData.VideoId);
        Assert.Equal(OpenSearchTestData.Video().MeanVector, v!.MeanVector);
        Assert.Equal(1280, v.Media!.Width);
        Assert.Equal("whisper-tiny@1", v.ModelVersions["asr"]);
        Assert.Null(await store.GetSegmentAsync("missing"));
        var seg = await store.GetSegmentAsync(OpenSearchTestData.Segments()[1].Id);
        Assert.Equal("这是城市的夜景。", seg!.Utterances[0].Text);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListVideosAsync(-1, 10));
    }
}
