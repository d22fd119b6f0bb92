using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Stores;

/// <summary>The contract on the embedded store (exact float32 scan).</summary>
public class EmbeddedStoreContractTests : StoreContractTests
{
    protected string DbPath { get; } = Path.Combine(TestPaths.NewScratchDir("store"), "index.db");

    protected virtual EmbeddedStoreOptions Options => new();

    protected override Task<ISegmentStore> CreateStoreAsync() => Task.FromResult<ISegmentStore>(new EmbeddedStore(DbPath, Options));

    [Fact]
    public async Task Reopen_SearchesWhatWasWritten()
    {
        await PutFusionCorpusAsync();
        await Store.DisposeAsync();
        await using var reopened = new EmbeddedStore(DbPath, Options);
        var r = await reopened.SearchAsync(new SearchRequest { Query = "volcano", QueryVector = Vec((0, 1)) });
        Assert.Equal([SegId("f1", 0), SegId("f2", 0), SegId("f1", 1), SegId("f2", 1)], Ids(r));
        Assert.Equal(4, (await reopened.StatsAsync()).Segments);
    }

    [Fact]
    public async Task FailedUpsert_RollsBack_TheWholeVideo()
    {
        await PutFusionCorpusAsync();
        await Store.SearchAsync(new SearchRequest { Query = "volcano" }); // catalog loaded: must stay in sync
        // A segment id that already belongs to video f2 makes the insert fail half-way through f1's rewrite.
        var (video, segs) = MakeVideo("f1", "Field trip", [new Seg("replacement", Vec((0, 1))), new Seg("x", Vec((1, 1)))]);
        var clash = new Documents.SegmentDocument
        {
            Id = SegId("f2", 0), VideoId = video.Id, Ordinal = 1, SourcePath = video.SourcePath, Storage = "local",
            FileName = video.FileName, Title = video.Title, Start = 5, End = 6,
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.UpsertVideoAsync(video, [segs[0], clash]));
        Assert.Equal(2, (await Store.GetSegmentsOfVideoAsync(video.Id)).Count);
        Assert.Equal("volcano volcano erupted", (await Store.GetSegmentAsync(SegId("f1", 0)))!.Transcript);
        var r = await Store.SearchAsync(new SearchRequest { Query = "volcano", QueryVector = Vec((0, 1)) });
        Assert.Equal(4, r.Hits.Count);
        Assert.Empty((await Store.SearchAsync(new SearchRequest { Query = "replacement", Mode = SearchMode.Text })).Hits);
    }

    [Fact]
    public async Task ConcurrentWritesAndSearches_StayConsistent()
    {
        await PutFusionCorpusAsync();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 10; i++)
            {
                var (v, s) = MakeVideo($"c{w}", "Concurrent", [new Seg($"pelican round{i}", Vec((w + 2, 1))), new Seg("pelican", Vec((w + 2, 1), (1, 1)))]);
                await Store.UpsertVideoAsync(v, s);
            }
        })).ToList();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                var r = await Store.SearchAsync(new SearchRequest { Query = "pelican", QueryVector = Vec((2, 1)), Size = 100 });
                Assert.Equal(r.Hits.Count, r.Hits.Select(h => h.Segment.Id).Distinct().Count());
            }
        })).ToList();
        await Task.WhenAll(writers.Concat(readers));
        var final = await Store.SearchAsync(new SearchRequest { Query = "pelican", Mode = SearchMode.Text, Size = 100 });
        Assert.Equal(8, final.Hits.Count);
        Assert.Equal(6, (await Store.StatsAsync()).Videos);
        Assert.Equal(12, (await Store.StatsAsync()).Segments);
    }
}

/// <summary>The same contract with int8 vectors + exact re-scoring (orders and scores must not change).</summary>
public class EmbeddedQuantizedStoreContractTests : EmbeddedStoreContractTests
{
    protected override EmbeddedStoreOptions Options => new() { QuantizeVectors = true };
}

/// <summary>The text budget: over budget, the most frequent terms leave the match, the rarest stay.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public class EmbeddedTextBudgetTests : IAsyncLifetime
{
    private readonly EmbeddedStore _store = new(Path.Combine(TestPaths.NewScratchDir("budget"), "index.db"),
        new EmbeddedStoreOptions { MaxScoredTextRows = 3 });

    public async Task InitializeAsync()
    {
        // "common" in 5 segments, "rare" in 1 (together with "common"), "other" in 2.
        string[] texts = ["common rare", "common", "common other", "common other", "common"];
        for (int i = 0; i < texts.Length; i++)
        {
            var id = $"budget-{i}";
            var seg = new Documents.SegmentDocument
            {
                Id = Documents.DocumentIds.SegmentId(id, 0), VideoId = id, Ordinal = 0, SourcePath = $"/b/{i}.mp4", Storage = "local",
                FileName = $"{i}.mp4", Title = "t", Start = 0, End = 1, Transcript = texts[i],
            };
            await _store.UpsertVideoAsync(new Documents.VideoDocument
            {
                Id = id, SourcePath = seg.SourcePath, Storage = "local", FileName = seg.FileName, Title = "t", Duration = 1, SegmentCount = 1,
            }, [seg]);
        }
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<List<string>> Find(string q) =>
        (await _store.SearchAsync(new SearchRequest { Query = q, Mode = SearchMode.Text })).Hits.Select(h => h.Segment.VideoId).Order().ToList();

    [Fact]
    public async Task WithinBudget_AllTermsMatch() =>
        Assert.Equal(["budget-0", "budget-2", "budget-3"], await Find("rare other")); // 1 + 2 rows ≤ 3

    [Fact]
    public async Task OverBudget_CommonTermIsDropped_RareTermsKept() =>
        Assert.Equal(["budget-0", "budget-2", "budget-3"], await Find("common rare other")); // 5 more rows would exceed 3

    [Fact]
    public async Task OnlyCommonTerm_ScoresItsNewestMatchesWithinBudget() =>
        Assert.Equal(["budget-2", "budget-3", "budget-4"], await Find("common")); // 5 matches, budget 3: newest 3
}
