using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Tests.Stores;

/// <summary>
/// The contract every <see cref="ISegmentStore"/> passes. Subclasses give a fresh, empty store per
/// test (<see cref="CreateStoreAsync"/>) and, for remote stores, make writes visible in
/// <see cref="RefreshAsync"/>. Ids and paths carry a per-test prefix so a shared cluster cannot leak
/// documents between tests. Expected orders and scores are computed by hand in the comments; they
/// depend only on vectors (exact) and on which documents a text query matches, never on the BM25
/// flavour, so FTS5 and Lucene must agree.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected const int Dim = SearchLimits.VectorDimension;
    private ISegmentStore? _store;

    /// <summary>A fresh, empty store (schema ensured or not: the test calls EnsureSchemaAsync).</summary>
    protected abstract Task<ISegmentStore> CreateStoreAsync();

    /// <summary>Makes previous writes searchable (OpenSearch: POST _refresh). Embedded: nothing to do.</summary>
    protected virtual Task RefreshAsync(ISegmentStore store) => Task.CompletedTask;

    /// <summary>Unique per test instance (xunit creates one instance per test).</summary>
    protected string Prefix { get; } = "ct" + Guid.NewGuid().ToString("N")[..10];

    protected ISegmentStore Store => _store ?? throw new InvalidOperationException("store not created");

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.EnsureSchemaAsync();
        await _store.EnsureSchemaAsync(); // idempotent
    }

    public async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }

    // ------------------------------------------------------------------ corpus helpers

    /// <summary>Unit vector from (dimension, weight) pairs.</summary>
    protected static float[] Vec(params (int Dim, double W)[] parts)
    {
        var v = new float[Dim];
        double norm = Math.Sqrt(parts.Sum(p => p.W * p.W));
        foreach (var (d, w) in parts) v[d] += (float)(w / norm);
        return v;
    }

    protected static readonly DateTimeOffset T0 = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    protected string VideoId(string name) => $"{Prefix}-{name}";

    protected string PathOf(string name, string folder = "lib") => $"/contract/{Prefix}/{folder}/{name}.mp4";

    protected sealed record Seg(string Transcript, float[]? Vector, string Ocr = "", double Length = 5, string? Language = "en");

    /// <summary>OCR lines of a fixture segment: one per line of its OCR text, each on screen 1 s after the previous.</summary>
    private static List<TimedText> Lines(string ocr, double start) =>
        ocr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((l, i) => new TimedText(l, start + 1 + i, start + 2 + i)).ToList();

    protected (VideoDocument, List<SegmentDocument>) MakeVideo(string name, string title, Seg[] segs,
        string storage = "local", string folder = "lib", DateTimeOffset? indexedAt = null)
    {
        var id = VideoId(name);
        var path = PathOf(name, folder);
        var at = indexedAt ?? T0;
        var list = new List<SegmentDocument>();
        double t = 0;
        for (int i = 0; i < segs.Length; i++)
        {
            var s = segs[i];
            list.Add(new SegmentDocument
            {
                Id = DocumentIds.SegmentId(id, i), VideoId = id, Ordinal = i, SourcePath = path, Storage = storage,
                FileName = name + ".mp4", Title = title, Start = t, End = t + s.Length, KeyframeTimes = [t + s.Length / 2],
                ThumbnailRef = $"{DocumentIds.SegmentId(id, i)}/0", Transcript = s.Transcript,
                Utterances = s.Transcript.Length == 0 ? [] : [new Utterance(t, t + s.Length, s.Transcript, s.Language)],
                OcrText = s.Ocr, OcrLines = Lines(s.Ocr, t), Vector = s.Vector, Language = s.Language, IndexedAt = at,
                Media = new MediaMeta("mp4", 60, 1000, 640, 360, 25, "h264", "aac", null),
                ModelVersions = new Dictionary<string, string> { ["clip"] = "test-clip", ["asr"] = "test-asr" },
            });
            t += s.Length;
        }
        var video = new VideoDocument
        {
            Id = id, SourcePath = path, Storage = storage, FileName = name + ".mp4", Title = title, Duration = t,
            SegmentCount = list.Count, Transcript = string.Join(" ", segs.Select(s => s.Transcript)), Language = segs[0].Language,
            IndexedAt = at, Media = new MediaMeta("mp4", t, 1000, 640, 360, 25, "h264", "aac", null),
            ModelVersions = new Dictionary<string, string> { ["pipeline"] = "test" },
        };
        return (video, list);
    }

    protected async Task PutAsync(params (VideoDocument Video, List<SegmentDocument> Segs)[] videos)
    {
        foreach (var (v, s) in videos) await Store.UpsertVideoAsync(v, s);
        await RefreshAsync(Store);
    }

    protected string SegId(string video, int ordinal) => DocumentIds.SegmentId(VideoId(video), ordinal);

    protected static List<string> Ids(SearchResponse r) => r.Hits.Select(h => h.Segment.Id).ToList();

    /// <summary>
    /// The fusion corpus: query text "volcano" matches exactly S1 (twice, short) and S2 (once, long);
    /// the query vector is e0, so kNN scores (1 + dot for dot ≥ 0, 1/(1 − dot) below) are
    /// S3 = 2.0 (e0), S2 = 1.70711 ((e0+e1)/√2), S1 = 1.0 (e1), S4 = 0.5 (−e0).
    /// </summary>
    protected async Task PutFusionCorpusAsync()
    {
        await PutAsync(
            MakeVideo("f1", "Field trip", [
                new Seg("volcano volcano erupted", Vec((1, 1))),                                                             // S1 = f1/0
                new Seg("we walked for hours along the coast and then one guide mentioned a volcano far away from the harbour town", Vec((0, 1), (1, 1))), // S2 = f1/1
            ]),
            MakeVideo("f2", "Harbour", [
                new Seg("boats in the harbour", Vec((0, 1))),                                                                 // S3 = f2/0
                new Seg("fish market at dawn", Vec((0, -1))),                                                                 // S4 = f2/1
            ]));
    }

    // ------------------------------------------------------------------ upsert / overwrite / delete

    [Fact]
    public async Task Upsert_RoundTripsEveryField()
    {
        var (video, segs) = MakeVideo("rt", "Round trip 标题", [
            new Seg("hello world", Vec((3, 1)), Ocr: "EXIT\nSALE 50%", Length: 4.5, Language: "en"),
            new Seg("你好世界", null, Length: 2, Language: "zh"),
        ], storage: "nas", indexedAt: T0.AddMinutes(5));
        await PutAsync((video, segs));

        var got = await Store.GetSegmentAsync(segs[0].Id);
        Assert.NotNull(got);
        Assert.Equal(segs[0].VideoId, got.VideoId);
        Assert.Equal(0, got.Ordinal);
        Assert.Equal(segs[0].SourcePath, got.SourcePath);
        Assert.Equal("nas", got.Storage);
        Assert.Equal("rt.mp4", got.FileName);
        Assert.Equal("Round trip 标题", got.Title);
        Assert.Equal(0, got.Start, 6);
        Assert.Equal(4.5, got.End, 6);
        Assert.Equal(4.5, got.Duration, 6);
        Assert.Equal(segs[0].KeyframeTimes, got.KeyframeTimes);
        Assert.Equal(segs[0].ThumbnailRef, got.ThumbnailRef);
        Assert.Equal("hello world", got.Transcript);
        Assert.Equal(segs[0].Utterances, got.Utterances);
        Assert.Equal("EXIT\nSALE 50%", got.OcrText);
        Assert.Equal(segs[0].OcrLines, got.OcrLines);
        Assert.Equal("en", got.Language);
        Assert.Equal(segs[0].Media, got.Media);
        Assert.Equal(T0.AddMinutes(5).ToUnixTimeMilliseconds(), got.IndexedAt.ToUnixTimeMilliseconds());
        Assert.Equal("test-clip", got.ModelVersions["clip"]);
        Assert.NotNull(got.Vector);
        Assert.Equal(Dim, got.Vector.Length);
        Assert.Equal(1f, got.Vector[3], 5);

        var noVector = await Store.GetSegmentAsync(segs[1].Id);
        Assert.NotNull(noVector);
        Assert.Null(noVector.Vector);
        Assert.Equal("你好世界", noVector.Transcript);

        var v = await Store.GetVideoAsync(video.Id);
        Assert.NotNull(v);
        Assert.Equal(video.Title, v.Title);
        Assert.Equal(2, v.SegmentCount);
        Assert.Equal(6.5, v.Duration, 6);
        Assert.Equal("test", v.ModelVersions["pipeline"]);
        Assert.Equal(video.Transcript, v.Transcript);

        Assert.Equal([segs[0].Id, segs[1].Id], (await Store.GetSegmentsOfVideoAsync(video.Id)).Select(s => s.Id));
        var stats = await Store.StatsAsync();
        Assert.Equal(1, stats.Videos);
        Assert.Equal(2, stats.Segments);
        Assert.Equal(2, stats.SegmentsByStorage["nas"]);
        Assert.True((await Store.HealthAsync()).Healthy);
        Assert.Null(await Store.GetSegmentAsync(Prefix + "-missing-00000"));
        Assert.Null(await Store.GetVideoAsync(Prefix + "-missing"));
    }

    [Fact]
    public async Task Upsert_Twice_LeavesExactlyOneCopy_AndRemovesStaleSegments()
    {
        var first = MakeVideo("ow", "Overwrite", [
            new Seg("penguin one", Vec((0, 1))), new Seg("penguin two", Vec((1, 1))), new Seg("walrus three", Vec((2, 1))),
        ]);
        await PutAsync(first);
        await PutAsync(first); // same content again: still one copy each
        var segs = await Store.GetSegmentsOfVideoAsync(VideoId("ow"));
        Assert.Equal(3, segs.Count);
        var r = await Store.SearchAsync(new SearchRequest { Query = "penguin", Mode = SearchMode.Text });
        Assert.Equal(2, r.Hits.Count);
        Assert.Equal(2, r.Hits.Select(h => h.Segment.Id).Distinct().Count());

        // Re-index with fewer segments and new text: the third segment and the old words disappear.
        var second = MakeVideo("ow", "Overwrite", [new Seg("albatross one", Vec((0, 1))), new Seg("albatross two", Vec((1, 1)))]);
        await PutAsync(second);
        segs = await Store.GetSegmentsOfVideoAsync(VideoId("ow"));
        Assert.Equal([SegId("ow", 0), SegId("ow", 1)], segs.Select(s => s.Id));
        Assert.Null(await Store.GetSegmentAsync(SegId("ow", 2)));
        Assert.Empty((await Store.SearchAsync(new SearchRequest { Query = "penguin", Mode = SearchMode.Text })).Hits);
        Assert.Empty((await Store.SearchAsync(new SearchRequest { Query = "walrus", Mode = SearchMode.Text })).Hits);
        Assert.Equal(2, (await Store.SearchAsync(new SearchRequest { Query = "albatross", Mode = SearchMode.Text })).Hits.Count);
        // The vector of the removed segment (e2) is gone from vector search too.
        var vr = await Store.SearchAsync(new SearchRequest { QueryVector = Vec((2, 1)), Mode = SearchMode.Vector });
        Assert.Equal(2, vr.Hits.Count);
        Assert.DoesNotContain(SegId("ow", 2), Ids(vr));
        var stats = await Store.StatsAsync();
        Assert.Equal(1, stats.Videos);
        Assert.Equal(2, stats.Segments);
    }

    [Fact]
    public async Task Delete_RemovesVideoAndSegments_AndIsIdempotent()
    {
        await PutAsync(MakeVideo("d1", "Delete me", [new Seg("giraffe", Vec((0, 1)))]),
                       MakeVideo("d2", "Keep me", [new Seg("giraffe too", Vec((1, 1)))]));
        await Store.DeleteVideoAsync(VideoId("d1"));
        await Store.DeleteVideoAsync(VideoId("d1"));
        await Store.DeleteVideoAsync(VideoId("never-existed"));
        await RefreshAsync(Store);
        Assert.Null(await Store.GetVideoAsync(VideoId("d1")));
        Assert.Empty(await Store.GetSegmentsOfVideoAsync(VideoId("d1")));
        Assert.Null(await Store.GetSegmentAsync(SegId("d1", 0)));
        Assert.Equal([SegId("d2", 0)], Ids(await Store.SearchAsync(new SearchRequest { Query = "giraffe", Mode = SearchMode.Text })));
        Assert.Equal([SegId("d2", 0)], Ids(await Store.SearchAsync(new SearchRequest { QueryVector = Vec((0, 1)), Mode = SearchMode.Vector })));
        Assert.Equal(1, (await Store.StatsAsync()).Videos);
    }

    [Fact]
    public async Task ListVideos_PagesByPath()
    {
        await PutAsync(MakeVideo("b", "B", [new Seg("x", null)]), MakeVideo("a", "A", [new Seg("y", null)]), MakeVideo("c", "C", [new Seg("z", null)]));
        Assert.Equal([VideoId("a"), VideoId("b"), VideoId("c")], (await Store.ListVideosAsync(0, 10)).Select(v => v.Id));
        Assert.Equal([VideoId("b")], (await Store.ListVideosAsync(1, 1)).Select(v => v.Id));
        Assert.Empty(await Store.ListVideosAsync(3, 10));
    }

    // ------------------------------------------------------------------ ranking

    [Fact]
    public async Task Vector_RanksByInnerProduct_WithOpenSearchKnnScores()
    {
        await PutFusionCorpusAsync();
        var r = await Store.SearchAsync(new SearchRequest { QueryVector = Vec((0, 1)), Mode = SearchMode.Vector });
        // S3 (dot 1) > S2 (0.7071) > S1 (0) > S4 (−1)
        Assert.Equal([SegId("f2", 0), SegId("f1", 1), SegId("f1", 0), SegId("f2", 1)], Ids(r));
        // Lucene inner-product score: 1 + dot, or 1/(1 − dot) for negative dots.
        Assert.Equal([2.0, 1.70711, 1.0, 0.5], r.Hits.Select(h => Math.Round(h.Score, 5)));
        Assert.All(r.Hits, h => Assert.Equal(h.Score, h.VectorScore!.Value, 6));
        Assert.All(r.Hits, h => Assert.Null(h.TextScore));
    }

    [Fact]
    public async Task Text_RanksByBm25_TermFrequencyAndLength()
    {
        await PutFusionCorpusAsync();
        var r = await Store.SearchAsync(new SearchRequest { Query = "Volcano", Mode = SearchMode.Text });
        // S1 has "volcano" twice in 3 words, S2 once in 20 words: S1 first under any BM25.
        Assert.Equal([SegId("f1", 0), SegId("f1", 1)], Ids(r));
        Assert.True(r.Hits[0].Score > r.Hits[1].Score);
        Assert.All(r.Hits, h => Assert.Equal(h.Score, h.TextScore!.Value, 6));
        Assert.All(r.Hits, h => Assert.Null(h.VectorScore));
        Assert.Contains("<em>volcano</em>", r.Hits[1].TranscriptHighlights.Single());
    }

    [Fact]
    public async Task Text_TitleAndOcrAreSearched()
    {
        await PutAsync(MakeVideo("t1", "Lighthouse keeper", [new Seg("nothing here", null)]),
                       MakeVideo("t2", "Other", [new Seg("nothing either", null, Ocr: "LIGHTHOUSE TOURS")]),
                       MakeVideo("t3", "Third", [new Seg("still nothing", null)]));
        var r = await Store.SearchAsync(new SearchRequest { Query = "lighthouse", Mode = SearchMode.Text });
        Assert.Equal([SegId("t1", 0), SegId("t2", 0)], Ids(r).Order().ToList());
        Assert.Contains("<em>LIGHTHOUSE</em>", r.Hits.Single(h => h.Segment.VideoId == VideoId("t2")).OcrHighlights.Single());
    }

    [Fact]
    public async Task Text_TitleOnlyMatches_RankBelowSegmentsThatShowOrSayTheWords()
    {
        // Like "manifesto" on the real clip: every segment carries the title, one shows the title card, and
        // another file says the word once in a long transcript.
        var filler = string.Join(' ', Enumerable.Repeat("words about the history of many things in general", 4));
        await PutAsync(MakeVideo("m1", "manifesto", [new Seg("", null), new Seg("", null, Ocr: "Audible Socialism\nManifesto of the Communist Party"), new Seg("", null), new Seg("", null)]),
                       MakeVideo("m2", "lecture", [new Seg(filler + " the manifesto was printed in London " + filler, null)]));
        var r = await Store.SearchAsync(new SearchRequest { Query = "manifesto", Mode = SearchMode.Text });
        Assert.Equal(SegId("m1", 1), r.Hits[0].Segment.Id);
        Assert.Equal(SegId("m2", 0), r.Hits[1].Segment.Id);
        Assert.Equal(MatchSource.Ocr, r.Hits[0].Moment.MatchedBy);
        Assert.Equal(MatchSource.Speech, r.Hits[1].Moment.MatchedBy);
        Assert.All(r.Hits.Skip(2), h => Assert.Equal(MatchSource.Title, h.Moment.MatchedBy));
        Assert.Equal(5, r.Hits.Count);
    }

    [Fact]
    public async Task Hits_CarryTheMomentOfTheBestMatchingLine_OrTheSegmentStart()
    {
        await PutAsync(MakeVideo("mo", "Moments", [new Seg("opening words", Vec((1, 1))), new Seg("the harbor at night", Vec((2, 1)), Ocr: "EXIT\nSALE 50%\n会议 MEETING 下午3点")]));
        var ocr = await Store.SearchAsync(new SearchRequest { Query = "sale", Mode = SearchMode.Text });
        var hit = Assert.Single(ocr.Hits);
        Assert.Equal(5 + 2, hit.Moment.Time, 6); // the second line of segment 1 (starts at 5 s) appears at +2 s
        Assert.Equal(MatchSource.Ocr, hit.Moment.MatchedBy);
        Assert.Equal("SALE 50%", hit.Moment.Line);

        var cjk = await Store.SearchAsync(new SearchRequest { Query = "下午会议", Mode = SearchMode.Text });
        Assert.Equal(5 + 3, cjk.Hits[0].Moment.Time, 6);
        Assert.Equal("会议 MEETING 下午3点", cjk.Hits[0].Moment.Line);

        var speech = await Store.SearchAsync(new SearchRequest { Query = "harbor night", Mode = SearchMode.Text });
        Assert.Equal(MatchSource.Speech, speech.Hits[0].Moment.MatchedBy);
        Assert.Equal(5, speech.Hits[0].Moment.Time, 6);

        var visual = await Store.SearchAsync(new SearchRequest { QueryVector = Vec((2, 1)), Mode = SearchMode.Vector, Size = 1 });
        Assert.Equal(MatchSource.Visual, visual.Hits[0].Moment.MatchedBy);
        Assert.Equal(visual.Hits[0].Segment.Start, visual.Hits[0].Moment.Time);
        Assert.Null(visual.Hits[0].Moment.Line);
    }

    [Fact]
    public async Task Hybrid_MinMaxArithmeticMean_MatchesHandComputedScores()
    {
        await PutFusionCorpusAsync();
        // text (2 hits): S1 → 1.0, S2 → min → 0.001
        // vector (4 hits, min 0.5, max 2.0): S3 = 1.0, S2 = (1.70711−0.5)/1.5 = 0.804738, S1 = 0.5/1.5 = 0.333333, S4 → 0.001
        // weights .5/.5: S1 = .5·1 + .5·.333333 = .666667; S3 = .5·0 + .5·1 = .5;
        //                S2 = .5·.001 + .5·.804738 = .402869; S4 = .5·0 + .5·.001 = .0005
        var r = await Store.SearchAsync(new SearchRequest { Query = "volcano", QueryVector = Vec((0, 1)) });
        Assert.Equal([SegId("f1", 0), SegId("f2", 0), SegId("f1", 1), SegId("f2", 1)], Ids(r));
        Assert.Equal([0.666667, 0.5, 0.402869, 0.0005], r.Hits.Select(h => Math.Round(h.Score, 6)));
        Assert.Equal(4, r.Total);
        // sub-scores are the raw ones: BM25 for the two text hits, kNN for all four
        Assert.NotNull(r.Hits[0].TextScore);
        Assert.Null(r.Hits[1].TextScore);
        Assert.Equal(2.0, r.Hits[1].VectorScore!.Value, 5);

        // TextWeight 0.2: S3 = .8; S2 = .2·.001 + .8·.804738 = .643990; S1 = .2 + .8·.333333 = .466667; S4 = .8·.001 = .0008
        var w = await Store.SearchAsync(new SearchRequest { Query = "volcano", QueryVector = Vec((0, 1)), TextWeight = 0.2 });
        Assert.Equal([SegId("f2", 0), SegId("f1", 1), SegId("f1", 0), SegId("f2", 1)], Ids(w));
        Assert.Equal([0.8, 0.64399, 0.466667, 0.0008], w.Hits.Select(h => Math.Round(h.Score, 6)));
    }

    [Fact]
    public async Task Hybrid_Rrf_MatchesHandComputedScores()
    {
        await PutFusionCorpusAsync();
        // text ranks S1 1, S2 2; vector ranks S3 1, S2 2, S1 3, S4 4; score = Σ 1/(60 + rank)
        // S1 = 1/61 + 1/63 = .0322665; S2 = 2/62 = .0322581; S3 = 1/61 = .0163934; S4 = 1/64 = .015625
        var r = await Store.SearchAsync(new SearchRequest { Query = "volcano", QueryVector = Vec((0, 1)), Fusion = FusionMethod.Rrf });
        Assert.Equal([SegId("f1", 0), SegId("f1", 1), SegId("f2", 0), SegId("f2", 1)], Ids(r));
        Assert.Equal([0.0322665, 0.0322581, 0.0163934, 0.015625], r.Hits.Select(h => Math.Round(h.Score, 7)));
    }

    [Fact]
    public async Task SimilarToSegment_ExcludesTheSegmentItself()
    {
        await PutFusionCorpusAsync();
        // S3 = e0: others by dot with e0: S2 (.7071), S1 (0), S4 (−1)
        var r = await Store.SearchAsync(new SearchRequest { SimilarToSegmentId = SegId("f2", 0), Mode = SearchMode.Vector });
        Assert.Equal([SegId("f1", 1), SegId("f1", 0), SegId("f2", 1)], Ids(r));
        await Assert.ThrowsAsync<SearchValidationException>(() =>
            Store.SearchAsync(new SearchRequest { SimilarToSegmentId = Prefix + "-nope-00000", Mode = SearchMode.Vector }));
    }

    [Fact]
    public async Task Chinese_Query_FindsChineseTranscript_First()
    {
        await PutAsync(
            MakeVideo("zh1", "课程", [new Seg("今天我们讨论机器学习的基本原理", Vec((0, 1)), Language: "zh")]),
            MakeVideo("zh2", "工厂", [new Seg("机器人在工厂里工作", Vec((1, 1)), Language: "zh")]),
            MakeVideo("zh3", "语言", [new Seg("学习中文很有意思", Vec((2, 1)), Language: "zh")]),
            MakeVideo("en1", "Lecture", [new Seg("machine learning basics", Vec((3, 1)))]));
        // 机器学习 → bigrams 机器 器学 学习: zh1 has all three, zh2 only 机器, zh3 only 学习, en1 none.
        var r = await Store.SearchAsync(new SearchRequest { Query = "机器学习", Mode = SearchMode.Text });
        Assert.Equal(SegId("zh1", 0), r.Hits[0].Segment.Id);
        Assert.Equal([SegId("zh1", 0), SegId("zh2", 0), SegId("zh3", 0)], Ids(r).Order().ToList());
        Assert.Contains("<em>机器学习</em>", r.Hits[0].TranscriptHighlights.Single());
        // also first in hybrid mode with an unrelated vector
        var h = await Store.SearchAsync(new SearchRequest { Query = "机器学习", QueryVector = Vec((5, 1)) });
        Assert.Equal(SegId("zh1", 0), h.Hits[0].Segment.Id);
        // two-character query: one bigram
        Assert.Equal([SegId("zh1", 0), SegId("zh3", 0)], Ids(await Store.SearchAsync(new SearchRequest { Query = "学习", Mode = SearchMode.Text })).Order().ToList());
        // Latin query still finds the English segment only
        Assert.Equal([SegId("en1", 0)], Ids(await Store.SearchAsync(new SearchRequest { Query = "Machine", Mode = SearchMode.Text })));
    }

    [Fact]
    public async Task JapaneseAndKorean_AreBigrammed()
    {
        await PutAsync(MakeVideo("ja", "日本", [new Seg("東京のテレビ番組", null, Language: "ja")]),
                       MakeVideo("ko", "한국", [new Seg("한국어 수업입니다", null, Language: "ko")]));
        Assert.Equal([SegId("ja", 0)], Ids(await Store.SearchAsync(new SearchRequest { Query = "テレビ", Mode = SearchMode.Text })));
        Assert.Equal([SegId("ko", 0)], Ids(await Store.SearchAsync(new SearchRequest { Query = "한국어", Mode = SearchMode.Text })));
    }

    // ------------------------------------------------------------------ filters, paging, collapse

    private async Task PutFilterCorpusAsync()
    {
        await PutAsync(
            MakeVideo("fa", "Alpha", [new Seg("report alpha", Vec((0, 1)), Length: 3), new Seg("report alpha long", Vec((0, 1), (1, 0.1)), Length: 30)],
                storage: "local", folder: "news", indexedAt: T0),
            MakeVideo("fb", "Beta", [new Seg("report beta", Vec((0, 1), (2, 0.2)), Length: 10, Language: "de")],
                storage: "nas", folder: "news", indexedAt: T0.AddDays(2)),
            MakeVideo("fc", "Gamma", [new Seg("report gamma", Vec((0, 1), (3, 0.3)), Length: 10)],
                storage: "nas", folder: "sport", indexedAt: T0.AddDays(4)));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("vector")]
    [InlineData("hybrid")]
    public async Task Filters_ApplyToEveryMode(string mode)
    {
        await PutFilterCorpusAsync();
        async Task<List<string>> Find(SearchFilters f)
        {
            var req = mode switch
            {
                "text" => new SearchRequest { Query = "report", Mode = SearchMode.Text, Filters = f },
                "vector" => new SearchRequest { QueryVector = Vec((0, 1)), Mode = SearchMode.Vector, Filters = f },
                _ => new SearchRequest { Query = "report", QueryVector = Vec((0, 1)), Filters = f },
            };
            return Ids(await Store.SearchAsync(req)).Order().ToList();
        }
        string fa0 = SegId("fa", 0), fa1 = SegId("fa", 1), fb = SegId("fb", 0), fc = SegId("fc", 0);
        Assert.Equal([fa0, fa1, fb, fc], await Find(new SearchFilters()));
        Assert.Equal([fa0, fa1, fb], await Find(new SearchFilters { PathPrefix = $"/contract/{Prefix}/news/" }));
        Assert.Equal([fb, fc], await Find(new SearchFilters { Storage = "nas" }));
        Assert.Equal([fa1], await Find(new SearchFilters { MinDuration = 20 }));
        Assert.Equal([fa0, fb, fc], await Find(new SearchFilters { MaxDuration = 10 }));
        Assert.Equal([fb, fc], await Find(new SearchFilters { MinDuration = 5, MaxDuration = 10 }));
        Assert.Equal([fb, fc], await Find(new SearchFilters { IndexedAfter = T0.AddDays(1) }));
        Assert.Equal([fa0, fa1, fb], await Find(new SearchFilters { IndexedBefore = T0.AddDays(3) }));
        Assert.Equal([fb], await Find(new SearchFilters { Language = "de" }));
        Assert.Equal([fa0, fa1], await Find(new SearchFilters { VideoId = VideoId("fa") }));
        Assert.Equal([fc], await Find(new SearchFilters { Storage = "nas", PathPrefix = $"/contract/{Prefix}/sport/" }));
        Assert.Empty(await Find(new SearchFilters { Storage = "x' OR '1'='1" }));
    }

    private async Task PutPagingCorpusAsync()
    {
        // video p1: segments with dot 1, .8, .6 against e0; video p2: .9, .7; video p3: .5
        static float[] At(double dot) => Vec((0, dot), (1, Math.Sqrt(1 - dot * dot)));
        await PutAsync(
            MakeVideo("p1", "P1", [new Seg("", At(1.0)), new Seg("", At(0.8)), new Seg("", At(0.6))]),
            MakeVideo("p2", "P2", [new Seg("", At(0.9)), new Seg("", At(0.7))]),
            MakeVideo("p3", "P3", [new Seg("", At(0.5))]));
    }

    [Fact]
    public async Task Paging_FromAndSize()
    {
        await PutPagingCorpusAsync();
        var all = new[] { SegId("p1", 0), SegId("p2", 0), SegId("p1", 1), SegId("p2", 1), SegId("p1", 2), SegId("p3", 0) };
        var q = new SearchRequest { QueryVector = Vec((0, 1)), Mode = SearchMode.Vector };
        Assert.Equal(all, Ids(await Store.SearchAsync(q)));
        var page = await Store.SearchAsync(q with { From = 2, Size = 2 });
        Assert.Equal(all[2..4], Ids(page));
        Assert.Equal(6, page.Total);
        Assert.Empty((await Store.SearchAsync(q with { From = 6, Size = 2 })).Hits);
        var zero = await Store.SearchAsync(q with { Size = 0 });
        Assert.Empty(zero.Hits);
    }

    [Fact]
    public async Task Collapse_KeepsBestSegmentPerVideo()
    {
        await PutPagingCorpusAsync();
        var q = new SearchRequest { QueryVector = Vec((0, 1)), Mode = SearchMode.Vector, CollapseByVideo = true };
        Assert.Equal([SegId("p1", 0), SegId("p2", 0), SegId("p3", 0)], Ids(await Store.SearchAsync(q)));
        Assert.Equal([SegId("p2", 0)], Ids(await Store.SearchAsync(q with { From = 1, Size = 1 })));
    }

    // ------------------------------------------------------------------ bad input

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task EmptyTextQuery_IsRejected(string query)
    {
        await PutFusionCorpusAsync();
        var e = await Assert.ThrowsAsync<SearchValidationException>(() => Store.SearchAsync(new SearchRequest { Query = query, Mode = SearchMode.Text }));
        Assert.Contains("query", e.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<SearchValidationException>(() => Store.SearchAsync(new SearchRequest { Query = query }));
    }

    [Fact]
    public async Task HugeQuery_IsRejectedClearly()
    {
        await PutFusionCorpusAsync();
        var e = await Assert.ThrowsAsync<SearchValidationException>(() =>
            Store.SearchAsync(new SearchRequest { Query = new string('x', 9_992) + " volcano", Mode = SearchMode.Text }));
        Assert.Contains("10000", e.Message.Replace(",", ""));
        Assert.Contains(SearchLimits.MaxQueryChars.ToString(), e.Message.Replace(",", ""));
    }

    [Theory]
    [InlineData("volcano\" OR * ( ) : ^ ~ AND NOT")]
    [InlineData("\"volcano")]
    [InlineData("volcano*")]
    [InlineData("title:volcano")]
    [InlineData("NOT volcano")]
    [InlineData("(volcano) ^2 ~1")]
    [InlineData("volcano NEAR(a b)")]
    public async Task QuerySyntaxCharacters_AreJustText(string query)
    {
        await PutFusionCorpusAsync();
        var r = await Store.SearchAsync(new SearchRequest { Query = query, Mode = SearchMode.Text });
        Assert.Equal([SegId("f1", 0), SegId("f1", 1)], Ids(r));
    }

    [Theory]
    [InlineData("\" * ( ) : ^ ~")]
    [InlineData("AND NOT OR")]
    [InlineData("{\"query\":{\"match_all\":{}}}")]
    [InlineData("'; DROP TABLE segments; --")]
    [InlineData("\"}]} {\"delete\":{\"_id\":\"x\"}}")]
    [InlineData("*")]
    public async Task InjectionAttempts_FindNothing_AndChangeNothing(string query)
    {
        await PutFusionCorpusAsync();
        var before = await Store.StatsAsync();
        var text = await Store.SearchAsync(new SearchRequest { Query = query, Mode = SearchMode.Text });
        Assert.Empty(text.Hits);
        var hybrid = await Store.SearchAsync(new SearchRequest { Query = query, QueryVector = Vec((0, 1)) });
        Assert.Equal(SegId("f2", 0), hybrid.Hits[0].Segment.Id); // the vector part still works
        await Store.SearchAsync(new SearchRequest { Query = "volcano", Mode = SearchMode.Text, Filters = new SearchFilters { PathPrefix = query, Storage = query, Language = query, VideoId = query } });
        await Store.GetSegmentAsync(query);
        await Store.GetVideoAsync(query);
        await Store.DeleteVideoAsync(query);
        await RefreshAsync(Store);
        var after = await Store.StatsAsync();
        Assert.Equal(before.Segments, after.Segments);
        Assert.Equal(before.Videos, after.Videos);
        Assert.Equal(2, (await Store.SearchAsync(new SearchRequest { Query = "volcano", Mode = SearchMode.Text })).Hits.Count);
    }

    public static TheoryData<string, SearchRequest> BadRequests()
    {
        var ok = Vec((0, 1));
        var nan = (float[])ok.Clone(); nan[7] = float.NaN;
        var inf = (float[])ok.Clone(); inf[7] = float.PositiveInfinity;
        return new TheoryData<string, SearchRequest>
        {
            { "finite", new SearchRequest { QueryVector = nan, Mode = SearchMode.Vector } },
            { "finite", new SearchRequest { Query = "volcano", QueryVector = inf } },
            { "dimensions", new SearchRequest { QueryVector = new float[511], Mode = SearchMode.Vector } },
            { "dimensions", new SearchRequest { QueryVector = new float[1024], Mode = SearchMode.Vector } },
            { "zeros", new SearchRequest { QueryVector = new float[Dim], Mode = SearchMode.Vector } },
            { "From", new SearchRequest { Query = "volcano", From = -1 } },
            { "Size", new SearchRequest { Query = "volcano", Size = -5 } },
            { "Size", new SearchRequest { Query = "volcano", Size = 101 } },
            { "From + Size", new SearchRequest { Query = "volcano", From = 9_999, Size = 10 } },
            { "TextWeight", new SearchRequest { Query = "volcano", QueryVector = ok, TextWeight = 1.5 } },
            { "TextWeight", new SearchRequest { Query = "volcano", QueryVector = ok, TextWeight = double.NaN } },
            { "Vector search needs", new SearchRequest { Query = "volcano", Mode = SearchMode.Vector } },
            { "either", new SearchRequest { QueryVector = ok, SimilarToSegmentId = "x", Mode = SearchMode.Vector } },
            { "MinDuration", new SearchRequest { Query = "volcano", Filters = new SearchFilters { MinDuration = 10, MaxDuration = 5 } } },
            { "MinDuration", new SearchRequest { Query = "volcano", Filters = new SearchFilters { MinDuration = double.NaN } } },
            { "IndexedAfter", new SearchRequest { Query = "volcano", Filters = new SearchFilters { IndexedAfter = T0, IndexedBefore = T0.AddDays(-1) } } },
            { "Mode", new SearchRequest { Query = "volcano", Mode = (SearchMode)42 } },
        };
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequests_AreRejected_WithMessages_AndNothingChanges(string messagePart, SearchRequest request)
    {
        await PutFusionCorpusAsync();
        var e = await Assert.ThrowsAsync<SearchValidationException>(() => Store.SearchAsync(request));
        Assert.Contains(messagePart, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, (await Store.StatsAsync()).Segments);
        Assert.Equal(2, (await Store.SearchAsync(new SearchRequest { Query = "volcano", Mode = SearchMode.Text })).Hits.Count);
    }

    [Fact]
    public async Task BadDocuments_AreRejected_AndTheOldVersionSurvives()
    {
        await PutFusionCorpusAsync();
        var (video, segs) = MakeVideo("f1", "Field trip", [new Seg("replacement text", Vec((0, 1)))]);
        var nan = new float[Dim]; nan[0] = float.NaN;
        var bad = new SegmentDocument
        {
            Id = DocumentIds.SegmentId(video.Id, 1), VideoId = video.Id, Ordinal = 1, SourcePath = video.SourcePath, Storage = "local",
            FileName = video.FileName, Title = video.Title, Start = 5, End = 6, Vector = nan,
        };
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.UpsertVideoAsync(video, [segs[0], bad]));
        var wrongLength = new SegmentDocument
        {
            Id = DocumentIds.SegmentId(video.Id, 1), VideoId = video.Id, Ordinal = 1, SourcePath = video.SourcePath, Storage = "local",
            FileName = video.FileName, Title = video.Title, Start = 5, End = 6, Vector = new float[3],
        };
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.UpsertVideoAsync(video, [segs[0], wrongLength]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.UpsertVideoAsync(video, [segs[0], segs[0]]));
        await RefreshAsync(Store);
        Assert.Equal(2, (await Store.GetSegmentsOfVideoAsync(video.Id)).Count);
        Assert.Equal(2, (await Store.SearchAsync(new SearchRequest { Query = "volcano", Mode = SearchMode.Text })).Hits.Count);
    }

    [Fact]
    public async Task HybridWithoutVector_RunsAsText_AndVectorOnly_RunsAsVector()
    {
        await PutFusionCorpusAsync();
        var t = await Store.SearchAsync(new SearchRequest { Query = "volcano" });
        Assert.Equal([SegId("f1", 0), SegId("f1", 1)], Ids(t));
        var v = await Store.SearchAsync(new SearchRequest { QueryVector = Vec((0, 1)) });
        Assert.Equal(SegId("f2", 0), v.Hits[0].Segment.Id);
        Assert.Equal(2.0, v.Hits[0].Score, 5);
    }
}
