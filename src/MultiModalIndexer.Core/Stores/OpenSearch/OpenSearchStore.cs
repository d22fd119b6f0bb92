using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>
/// OpenSearch over its REST API (HttpClient + System.Text.Json source generation); mappings/ holds templates
/// and pipelines. Needs OpenSearch ≥ 2.19 with the k-NN and neural-search plugins (score-ranker-processor and
/// hybrid pagination_depth); collapse inside a hybrid query needs ≥ 3.1.
/// </summary>
/// <remarks>
/// Upsert order and crash safety: (1) bulk-index all segments (deterministic ids overwrite), (2) delete-by-query
/// the video's segments whose ids are not in the new set, (3) index the video document last. The video document
/// is the commit marker: if the process dies before (3) the video document still carries the old indexed_at and
/// segment_count, the crawler's ledger is not marked done, and the next run repeats the idempotent upsert. In the
/// window between (1) and (2) a search may see the new segments plus stale ones of higher ordinals; there is no
/// cross-document transaction in OpenSearch, so this is eventual, not atomic.
/// </remarks>
public sealed partial class OpenSearchStore(OpenSearchOptions options, HttpClient http, ILogger<OpenSearchStore>? logger = null) : ISegmentStore, IFingerprintStore
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly OpenSearchTransport _transport = new(options, http, logger);
    private readonly OpenSearchSchema _schema = new(options);
    private readonly ConcurrentDictionary<string, Task> _pipelines = new();
    private readonly Lazy<double> _defaultTextWeight = new(() => new OpenSearchSchema(options).DefaultHybridTextWeight());
    private OpenSearchBulk Bulk => new(_transport, options, _logger);
    private OpenSearchNames Names => _schema.Names;
    private static OpenSearchJsonContext J => OpenSearchJsonContext.Default;

    // ---------------- schema ----------------

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        await PutJsonAsync($"_index_template/{Names.SegmentsTemplate}", _schema.SegmentsTemplate(), ct).ConfigureAwait(false);
        await PutJsonAsync($"_index_template/{Names.VideosTemplate}", _schema.VideosTemplate(), ct).ConfigureAwait(false);

        // Aliases are only added when missing: after a re-index they point at a newer version, which must not be
        // undone, and no index of the configured version is created next to it.
        var actions = new List<AliasAction>();
        foreach (var (index, read, write) in new[] { (Names.SegmentsIndex, Names.Segments, Names.SegmentsWrite), (Names.VideosIndex, Names.Videos, Names.VideosWrite) })
        {
            var hasRead = await _transport.ExistsAsync($"_alias/{read}", ct).ConfigureAwait(false);
            var hasWrite = await _transport.ExistsAsync($"_alias/{write}", ct).ConfigureAwait(false);
            if (hasRead && hasWrite) continue;
            if (!await _transport.ExistsAsync(index, ct).ConfigureAwait(false))
                await CreateIndexAsync(index, ct).ConfigureAwait(false);
            if (!hasRead) actions.Add(new AliasAction { Add = new AliasAdd { Index = index, Alias = read } });
            if (!hasWrite) actions.Add(new AliasAction { Add = new AliasAdd { Index = index, Alias = write, IsWriteIndex = true } });
        }
        if (actions.Count > 0)
            await _transport.SendJsonAsync(HttpMethod.Post, "_aliases", null, new AliasActions(actions), J.AliasActions, J.AcknowledgedResult, ct).ConfigureAwait(false);

        await PutPipelineAsync(Names.HybridPipeline, _schema.HybridPipeline(), ct).ConfigureAwait(false);
        await PutPipelineAsync(Names.RrfPipeline, _schema.RrfPipeline(), ct).ConfigureAwait(false);
        _pipelines[Names.HybridPipeline] = Task.CompletedTask;
        _pipelines[Names.RrfPipeline] = Task.CompletedTask;
        _logger.LogInformation("OpenSearch schema ready: {Segments} → {SegmentsIndex}, {Videos} → {VideosIndex}, engine {Engine}",
            Names.Segments, Names.SegmentsIndex, Names.Videos, Names.VideosIndex, options.KnnEngine);
    }

    private Task PutJsonAsync(string path, JsonObject body, CancellationToken ct) =>
        _transport.SendJsonAsync(HttpMethod.Put, path, null, body, J.JsonObject, J.AcknowledgedResult, ct);

    private Task PutPipelineAsync(string name, SearchPipeline p, CancellationToken ct) =>
        _transport.SendJsonAsync(HttpMethod.Put, $"_search/pipeline/{name}", null, p, J.SearchPipeline, J.AcknowledgedResult, ct);

    private async Task CreateIndexAsync(string index, CancellationToken ct)
    {
        // Settings and mappings come from the matching index template.
        using var resp = await _transport.SendAsync(HttpMethod.Put, index, null, null, false, ct).ConfigureAwait(false);
        if (resp.IsSuccessStatusCode) return;
        var err = await OpenSearchTransport.ErrorAsync(resp, HttpMethod.Put, index, ct).ConfigureAwait(false);
        if (err.ErrorType == "resource_already_exists_exception") return; // another instance won the race
        throw err;
    }

    // ---------------- writes ----------------

    public async Task UpsertVideoAsync(VideoDocument video, IReadOnlyList<SegmentDocument> segments, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(segments);
        ValidateForWrite(video, segments);

        var items = segments.Select(s => OpenSearchBulk.IndexItem(Names.SegmentsWrite, s.Id, ToSource(s), J.SegmentSource)).ToList();
        if (items.Count > 0) await Bulk.WriteAsync(items, null, ct).ConfigureAwait(false);

        var keep = new Query
        {
            Bool = new BoolQuery
            {
                Filter = [OpenSearchQueries.Term("video_id", video.Id)],
                MustNot = segments.Count > 0 ? [new Query { Ids = new IdsQuery(segments.Select(s => s.Id).ToArray()) }] : null,
            },
        };
        await DeleteByQueryAsync(Names.SegmentsAll, keep, ct).ConfigureAwait(false);

        await Bulk.WriteAsync([OpenSearchBulk.IndexItem(Names.VideosWrite, video.Id, ToSource(video), J.VideoSource)],
            options.RefreshOnWrite ? "wait_for" : null, ct).ConfigureAwait(false);
    }

    private void ValidateForWrite(VideoDocument video, IReadOnlyList<SegmentDocument> segments)
    {
        if (string.IsNullOrWhiteSpace(video.Id)) throw new ArgumentException("video id is empty", nameof(video));
        CheckVector(video.MeanVector, $"video {video.Id} mean vector");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in segments)
        {
            if (s.VideoId != video.Id) throw new ArgumentException($"segment {s.Id} belongs to video {s.VideoId}, not {video.Id}", nameof(segments));
            if (string.IsNullOrWhiteSpace(s.Id) || !ids.Add(s.Id)) throw new ArgumentException($"segment id '{s.Id}' is empty or repeated", nameof(segments));
            if (!double.IsFinite(s.Start) || !double.IsFinite(s.End) || s.End < s.Start)
                throw new ArgumentException($"segment {s.Id} has invalid times {s.Start}..{s.End}", nameof(segments));
            CheckVector(s.Vector, $"segment {s.Id} vector");
        }
    }

    private void CheckVector(float[]? v, string what)
    {
        if (v is null) return;
        if (v.Length != SearchLimits.VectorDimension) throw new ArgumentException($"{what} has {v.Length} values; the index expects {SearchLimits.VectorDimension}");
        foreach (var x in v) if (!float.IsFinite(x)) throw new ArgumentException($"{what} contains NaN or infinity");
    }

    public async Task DeleteVideoAsync(string videoId, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(videoId)) return;
        // Segments first: a crash in between leaves a video without segments (invisible to search), never orphans.
        await DeleteByQueryAsync(Names.SegmentsAll, new Query { Bool = new BoolQuery { Filter = [OpenSearchQueries.Term("video_id", videoId)] } }, ct).ConfigureAwait(false);
        await DeleteByQueryAsync(Names.VideosAll, new Query { Bool = new BoolQuery { Filter = [OpenSearchQueries.Term("video_id", videoId)] } }, ct).ConfigureAwait(false);
    }

    private async Task DeleteByQueryAsync(string index, Query query, CancellationToken ct)
    {
        var q = new Dictionary<string, string> { ["conflicts"] = "proceed" };
        if (options.RefreshOnWrite) q["refresh"] = "true";
        var r = await _transport.SendJsonAsync(HttpMethod.Post, $"{index}/_delete_by_query", q, new DeleteByQueryBody { Query = query },
            J.DeleteByQueryBody, J.DeleteByQueryResult, ct).ConfigureAwait(false);
        if (r.Failures is { Count: > 0 } f)
            throw new OpenSearchException($"delete-by-query on {index} left {f.Count} failure(s): {f[0].GetRawText()}");
    }

    /// <summary>
    /// Zero-downtime move of segments and videos into version <paramref name="targetVersion"/> of the indices (after a
    /// mapping change in mappings/): create the new index from the template, point the write alias at it (new writes
    /// land there), copy the old index with _reindex (op_type create: documents already rewritten in the new index
    /// win), then switch the read alias in one atomic _aliases call. Searches keep working on the old index until
    /// the switch; deletes go to both aliases meanwhile. The old index is left for the operator to delete.
    /// </summary>
    public async Task ReindexAsync(int targetVersion, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetVersion, 1);
        foreach (var (read, write, target) in new[]
                 {
                     (Names.Segments, Names.SegmentsWrite, Names.SegmentsIndexV(targetVersion)),
                     (Names.Videos, Names.VideosWrite, Names.VideosIndexV(targetVersion)),
                 })
        {
            var current = await _transport.SendNoBodyAsync(HttpMethod.Get, $"_alias/{read}", null, J.DictionaryStringIndexAliases, ct).ConfigureAwait(false);
            if (current.Count != 1) throw new OpenSearchException($"alias {read} points at {current.Count} indices ({string.Join(", ", current.Keys)}); expected one.");
            var old = current.Keys.Single();
            if (old == target) continue;
            if (!await _transport.ExistsAsync(target, ct).ConfigureAwait(false)) await CreateIndexAsync(target, ct).ConfigureAwait(false);
            await _transport.SendJsonAsync(HttpMethod.Post, "_aliases", null, new AliasActions([
                new AliasAction { Remove = new AliasRemove(old, write) },
                new AliasAction { Add = new AliasAdd { Index = target, Alias = write, IsWriteIndex = true } },
            ]), J.AliasActions, J.AcknowledgedResult, ct).ConfigureAwait(false);
            var q = new Dictionary<string, string> { ["wait_for_completion"] = "true", ["refresh"] = "true" };
            var r = await _transport.SendJsonAsync(HttpMethod.Post, "_reindex", q, new ReindexBody
            {
                Source = new ReindexSource(old),
                Dest = new ReindexDest { Index = target, OpType = "create" },
                Conflicts = "proceed",
            }, J.ReindexBody, J.ReindexResult, ct).ConfigureAwait(false);
            if (r.Failures is { Count: > 0 } f)
                throw new OpenSearchException($"reindex {old} → {target} had {f.Count} failure(s); the read alias still points at {old}: {f[0].GetRawText()}");
            await _transport.SendJsonAsync(HttpMethod.Post, "_aliases", null, new AliasActions([
                new AliasAction { Remove = new AliasRemove(old, read) },
                new AliasAction { Add = new AliasAdd { Index = target, Alias = read } },
            ]), J.AliasActions, J.AcknowledgedResult, ct).ConfigureAwait(false);
            _logger.LogInformation("Re-indexed {Old} → {Target} ({Created} copied, {Conflicts} newer in target); {Old} can be deleted",
                old, target, r.Created, r.VersionConflicts, old);
        }
    }

    /// <summary>Makes all previous writes searchable now (POST /{segments},{videos}/_refresh); tests and tools use it.</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        using var resp = await _transport.SendAsync(HttpMethod.Post, $"{Names.Segments},{Names.Videos}/_refresh", null, null, false, ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode) throw await OpenSearchTransport.ErrorAsync(resp, HttpMethod.Post, "_refresh", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes this prefix's versioned indices, templates and the pipelines this instance created. Only for
    /// throw-away prefixes (the contract suite's per-test clusters state); never called by the product.
    /// </summary>
    internal async Task DeleteSchemaAsync(CancellationToken ct = default)
    {
        var paths = new List<string> { $"{Names.SegmentsIndex},{Names.VideosIndex}", $"_index_template/{Names.SegmentsTemplate}", $"_index_template/{Names.VideosTemplate}" };
        paths.AddRange(_pipelines.Keys.Select(p => $"_search/pipeline/{p}"));
        foreach (var path in paths)
        {
            using var resp = await _transport.SendAsync(HttpMethod.Delete, path, null, null, false, ct).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode && resp.StatusCode != HttpStatusCode.NotFound)
                throw await OpenSearchTransport.ErrorAsync(resp, HttpMethod.Delete, path, ct).ConfigureAwait(false);
        }
    }

    // ---------------- reads ----------------

    public async Task<SegmentDocument?> GetSegmentAsync(string segmentId, CancellationToken ct = default) =>
        await GetAsync(Names.Segments, segmentId, J.GetResultSegmentSource, ct).ConfigureAwait(false) is { } s ? ToDocument(s) : null;

    public async Task<VideoDocument?> GetVideoAsync(string videoId, CancellationToken ct = default) =>
        await GetAsync(Names.Videos, videoId, J.GetResultVideoSource, ct).ConfigureAwait(false) is { } v ? ToDocument(v) : null;

    private async Task<T?> GetAsync<T>(string index, string id, System.Text.Json.Serialization.Metadata.JsonTypeInfo<GetResult<T>> type, CancellationToken ct)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        var path = $"{index}/_doc/{Uri.EscapeDataString(id)}";
        using var resp = await _transport.SendAsync(HttpMethod.Get, path, null, null, false, ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) return null;
        var r = await OpenSearchTransport.ReadAsync(resp, HttpMethod.Get, path, type, ct).ConfigureAwait(false);
        return r.Found ? r.Source : null;
    }

    public async Task<IReadOnlyList<VideoDocument>> ListVideosAsync(int from, int size, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 1000);
        if ((long)from + size > SearchLimits.MaxWindow) throw new ArgumentOutOfRangeException(nameof(from), $"from + size must be ≤ {SearchLimits.MaxWindow}");
        var body = new SearchBody
        {
            Query = new Query { MatchAll = new MatchAllQuery() },
            From = from,
            Size = size,
            Sort = [new() { ["source_path"] = new SortField("asc") }, new() { ["video_id"] = new SortField("asc") }],
        };
        var r = await SearchIndexAsync(Names.Videos, body, null, J.SearchResultVideoSource, ct).ConfigureAwait(false);
        return r.Hits?.Hits.Where(h => h.Source is not null).Select(h => ToDocument(h.Source!)).ToList() ?? [];
    }

    public async Task<IReadOnlyList<SegmentDocument>> GetSegmentsOfVideoAsync(string videoId, CancellationToken ct = default)
    {
        var list = new List<SegmentDocument>();
        if (string.IsNullOrWhiteSpace(videoId)) return list;
        JsonElement[]? after = null;
        while (true)
        {
            // search_after on (ordinal, segment_id) pages through any number of segments without the 10k window.
            var body = new SearchBody
            {
                Query = new Query { Bool = new BoolQuery { Filter = [OpenSearchQueries.Term("video_id", videoId)] } },
                Size = 1000,
                Sort = [new() { ["ordinal"] = new SortField("asc") }, new() { ["segment_id"] = new SortField("asc") }],
                SearchAfter = after,
            };
            var r = await SearchIndexAsync(Names.Segments, body, null, J.SearchResultSegmentSource, ct).ConfigureAwait(false);
            var hits = r.Hits?.Hits ?? [];
            list.AddRange(hits.Where(h => h.Source is not null).Select(h => ToDocument(h.Source!)));
            if (hits.Count < 1000 || hits[^1].Sort is not { Length: > 0 } sort) return list;
            after = sort;
        }
    }

    // ---------------- search ----------------

    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        var plan = SearchRequestValidator.Validate(request);
        var vector = plan.Vector;
        if (vector is null && plan.SimilarToSegmentId is { } sid)
        {
            var seg = await GetAsync(Names.Segments, sid, J.GetResultSegmentSource, ct).ConfigureAwait(false)
                ?? throw new SearchValidationException($"SimilarToSegmentId '{sid}' does not exist.");
            vector = seg.Vector ?? throw new SearchValidationException($"Segment '{sid}' has no vector (CLIP was off when it was indexed).");
        }
        var body = OpenSearchQueries.Body(plan, vector);
        var pipeline = plan.Mode == SearchMode.Hybrid ? await HybridPipelineAsync(plan.Request, ct).ConfigureAwait(false) : null;
        var r = await SearchIndexAsync(Names.Segments, body, pipeline, J.SearchResultSegmentSource, ct).ConfigureAwait(false);
        var found = (r.Hits?.Hits ?? []).Where(h => h.Source is not null).ToList();

        // Hybrid processors return only the fused score: fetch the raw sub-scores of this page's hits.
        Dictionary<string, double>? textScores = null, vectorScores = null;
        if (plan.Mode == SearchMode.Hybrid && options.HybridSubScores && found.Count > 0)
        {
            var ids = found.Select(h => h.Source!.SegmentId).ToArray();
            var t = SubScoresAsync(OpenSearchQueries.TextQuery(plan.Text!, [new Query { Ids = new IdsQuery(ids) }]), ids.Length, ct);
            var v = SubScoresAsync(OpenSearchQueries.KnnQuery(vector!, ids.Length, [new Query { Ids = new IdsQuery(ids) }], null), ids.Length, ct);
            textScores = await t.ConfigureAwait(false);
            vectorScores = await v.ConfigureAwait(false);
        }
        var cjkQuery = plan.Text is { } text && text.EnumerateRunes().Any(c => CjkAnalyzer.IsCjk(c.Value));
        var hits = new List<SearchHit>(found.Count);
        var terms = new HashSet<string>(plan.Terms, StringComparer.Ordinal);
        foreach (var h in found)
        {
            var score = h.Score ?? 0;
            var id = h.Source!.SegmentId;
            var doc = ToDocument(h.Source);
            double? vectorScore = plan.Mode switch { SearchMode.Vector => score, SearchMode.Hybrid => Lookup(vectorScores, id), _ => null };
            hits.Add(new SearchHit(doc, score,
                plan.Mode switch { SearchMode.Text => score, SearchMode.Hybrid => Lookup(textScores, id), _ => null },
                vectorScore,
                Highlights(h.Highlight, "transcript", cjkQuery), Highlights(h.Highlight, "ocr_text", cjkQuery),
                MomentFinder.Find(doc, plan.Mode == SearchMode.Vector ? [] : terms,
                    vectorScore is not null || (plan.Mode == SearchMode.Hybrid && !options.HybridSubScores))));
        }
        return new SearchResponse(r.Hits?.Total?.Value ?? hits.Count, hits);
    }

    private static double? Lookup(Dictionary<string, double>? scores, string id) =>
        scores is not null && scores.TryGetValue(id, out var s) ? s : null;

    private async Task<Dictionary<string, double>> SubScoresAsync(Query query, int size, CancellationToken ct)
    {
        var body = new SearchBody { Query = query, Size = size, Source = new SourceFilter { Includes = ["segment_id"] } };
        var r = await SearchIndexAsync(Names.Segments, body, null, J.SearchResultSegmentSource, ct).ConfigureAwait(false);
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var h in r.Hits?.Hits ?? [])
            if (h.Id is { } id && h.Score is { } s) map[id] = s;
        return map;
    }

    /// <summary>
    /// Fragments of one field: the .cjk sub-field's when the query has Han/Kana/Hangul (bigram highlights such as
    /// &lt;em&gt;机器学习&lt;/em&gt;), else the standard field's; the other is the fallback.
    /// </summary>
    private static IReadOnlyList<string> Highlights(Dictionary<string, string[]>? h, string field, bool cjkQuery)
    {
        if (h is null) return [];
        var (first, second) = cjkQuery ? (field + ".cjk", field) : (field, field + ".cjk");
        var frags = h.TryGetValue(first, out var a) && a.Length > 0 ? a
            : h.TryGetValue(second, out var b) ? b : [];
        // Adjacent matches (unigrams 机|器, overlapping bigrams 机器|器学|学习) read as one highlighted phrase.
        return frags.Select(f => f.Replace("</em><em>", "", StringComparison.Ordinal)).ToList();
    }

    /// <summary>
    /// The pipeline for this request. Min-max weights cannot be passed per request (the search body's
    /// search_pipeline is a pipeline id in the API spec), so each weight pair (rounded to 0.01) gets its own
    /// pipeline, created once on first use; RRF ignores weights.
    /// </summary>
    private async Task<string> HybridPipelineAsync(SearchRequest r, CancellationToken ct)
    {
        if (r.Fusion == FusionMethod.Rrf) return Names.RrfPipeline;
        var pct = (int)Math.Round(r.TextWeight * 100);
        if (pct == (int)Math.Round(_defaultTextWeight.Value * 100)) return Names.HybridPipeline;
        var name = Names.HybridPipelineFor(pct);
        var create = _pipelines.GetOrAdd(name, n => PutPipelineAsync(n, _schema.HybridPipeline(pct / 100.0), CancellationToken.None));
        try { await create.WaitAsync(ct).ConfigureAwait(false); }
        catch when (create.IsFaulted) { _pipelines.TryRemove(name, out _); throw; }
        return name;
    }

    /// <summary>The one place searches are sent. A hybrid query without a pipeline silently mis-ranks: refused.</summary>
    internal async Task<SearchResult<T>> SearchIndexAsync<T>(string index, SearchBody body, string? pipeline,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<SearchResult<T>> type, CancellationToken ct)
    {
        if (body.Query?.Hybrid is not null && string.IsNullOrEmpty(pipeline))
            throw new InvalidOperationException("Refusing to send a hybrid query without a search pipeline: OpenSearch would rank it without normalisation.");
        var query = pipeline is null ? null : new Dictionary<string, string> { ["search_pipeline"] = pipeline };
        return await _transport.SendJsonAsync(HttpMethod.Post, $"{index}/_search", query, body, J.SearchBody, type, ct).ConfigureAwait(false);
    }

    // ---------------- stats and health ----------------

    public async Task<StoreStats> StatsAsync(CancellationToken ct = default)
    {
        var body = new SearchBody
        {
            Size = 0,
            TrackTotalHits = true,
            Aggs = new() { ["by_storage"] = new Aggregation(new TermsAggregation("storage", 1000)) },
        };
        var seg = await SearchIndexAsync(Names.Segments, body, null, J.SearchResultSegmentSource, ct).ConfigureAwait(false);
        var videos = await _transport.SendNoBodyAsync(HttpMethod.Get, $"{Names.Videos}/_count", null, J.CountResult, ct).ConfigureAwait(false);
        var byStorage = new Dictionary<string, long>(StringComparer.Ordinal);
        if (seg.Aggregations?.GetValueOrDefault("by_storage") is { } agg)
            foreach (var b in agg.Buckets) byStorage[b.Key] = b.DocCount;
        return new StoreStats(videos.Count, seg.Hits?.Total?.Value ?? 0, byStorage);
    }

    public async Task<StoreHealth> HealthAsync(CancellationToken ct = default)
    {
        try
        {
            var h = await _transport.SendNoBodyAsync(HttpMethod.Get, "_cluster/health", null, J.ClusterHealthResult, ct).ConfigureAwait(false);
            var ok = h.Status is "green" or "yellow";
            return new StoreHealth(ok, $"OpenSearch cluster '{h.ClusterName}' is {h.Status} ({h.NumberOfNodes} node(s))");
        }
        catch (OpenSearchException e)
        {
            return new StoreHealth(false, e.Message);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // ---------------- document mapping ----------------

    internal static SegmentSource ToSource(SegmentDocument s) => new()
    {
        SegmentId = s.Id,
        VideoId = s.VideoId,
        Ordinal = s.Ordinal,
        SourcePath = s.SourcePath,
        Storage = s.Storage,
        FileName = s.FileName,
        Title = s.Title,
        Start = s.Start,
        End = s.End,
        Duration = s.Duration,
        KeyframeTimes = [.. s.KeyframeTimes],
        ThumbnailRef = s.ThumbnailRef,
        Transcript = s.Transcript,
        Utterances = s.Utterances.Select(u => new UtteranceSource(u.Start, u.End, u.Text, u.Language)).ToList(),
        OcrText = s.OcrText,
        OcrLines = s.OcrLines.Select(l => new TimedTextSource(l.Text, l.Start, l.End)).ToList(),
        Vector = s.Vector,
        Language = s.Language,
        Media = ToSource(s.Media),
        IndexedAt = s.IndexedAt,
        ModelVersions = new Dictionary<string, string>(s.ModelVersions),
    };

    internal static VideoSource ToSource(VideoDocument v) => new()
    {
        VideoId = v.Id,
        SourcePath = v.SourcePath,
        Storage = v.Storage,
        FileName = v.FileName,
        Title = v.Title,
        Duration = v.Duration,
        Media = ToSource(v.Media),
        SegmentCount = v.SegmentCount,
        MeanVector = v.MeanVector,
        Transcript = v.Transcript,
        Language = v.Language,
        IndexedAt = v.IndexedAt,
        ModelVersions = new Dictionary<string, string>(v.ModelVersions),
        Fingerprint = v.Fingerprint?.ToBlob(),
    };

    private static MediaSource? ToSource(MediaMeta? m) => m is null ? null : new MediaSource
    {
        Container = m.Container, Duration = m.Duration, SizeBytes = m.SizeBytes, Width = m.Width, Height = m.Height,
        Fps = m.Fps, VideoCodec = m.VideoCodec, AudioCodec = m.AudioCodec, CreationTime = m.CreationTime,
    };

    private static MediaMeta? ToMeta(MediaSource? m) => m is null ? null
        : new MediaMeta(m.Container ?? "", m.Duration, m.SizeBytes, m.Width, m.Height, m.Fps, m.VideoCodec, m.AudioCodec, m.CreationTime);

    internal static SegmentDocument ToDocument(SegmentSource s) => new()
    {
        Id = s.SegmentId,
        VideoId = s.VideoId,
        Ordinal = s.Ordinal,
        SourcePath = s.SourcePath,
        Storage = s.Storage,
        FileName = s.FileName,
        Title = s.Title,
        Start = s.Start,
        End = s.End,
        KeyframeTimes = s.KeyframeTimes ?? [],
        ThumbnailRef = s.ThumbnailRef,
        Transcript = s.Transcript ?? "",
        Utterances = s.Utterances?.Select(u => new Utterance(u.Start, u.End, u.Text, u.Language)).ToList() ?? [],
        OcrText = s.OcrText ?? "",
        OcrLines = s.OcrLines?.Select(l => new TimedText(l.Text, l.Start, l.End)).ToList() ?? [],
        Vector = s.Vector,
        Language = s.Language,
        Media = ToMeta(s.Media),
        IndexedAt = s.IndexedAt,
        ModelVersions = s.ModelVersions ?? [],
    };

    internal static VideoDocument ToDocument(VideoSource v) => new()
    {
        Id = v.VideoId,
        SourcePath = v.SourcePath,
        Storage = v.Storage,
        FileName = v.FileName,
        Title = v.Title,
        Duration = v.Duration,
        Media = ToMeta(v.Media),
        SegmentCount = v.SegmentCount,
        MeanVector = v.MeanVector,
        Transcript = v.Transcript ?? "",
        Language = v.Language,
        IndexedAt = v.IndexedAt,
        ModelVersions = v.ModelVersions ?? [],
    };
}
