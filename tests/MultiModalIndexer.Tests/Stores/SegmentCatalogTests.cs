using System.Numerics.Tensors;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Tests.Stores;

/// <summary>The in-memory scan against brute force, at a size that takes the parallel path.</summary>
public class SegmentCatalogTests
{
    private const int N = 40_000, Dim = 512;

    private static (List<CatalogRow> Rows, float[][] Vectors) Corpus()
    {
        var rng = new Random(5);
        var rows = new List<CatalogRow>(N);
        var vecs = new float[N][];
        for (int i = 0; i < N; i++)
        {
            var v = new float[Dim];
            for (int d = 0; d < Dim; d++) v[d] = (float)(rng.NextDouble() * 2 - 1);
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            vecs[i] = v;
            rows.Add(new CatalogRow(i + 1, "v" + (i % 100), $"/m/{(i % 2 == 0 ? "even" : "odd")}/x.mp4", "local", "en", 5, 0, i % 7 == 0 ? null : v));
        }
        return (rows, vecs);
    }

    private static List<long> BruteForce(float[][] vecs, float[] q, int k, Func<int, bool> keep) =>
        Enumerable.Range(0, N).Where(i => i % 7 != 0 && keep(i))
            .Select(i => (Seq: (long)(i + 1), Dot: TensorPrimitives.Dot(vecs[i], q)))
            .OrderByDescending(x => x.Dot).Take(k).Select(x => x.Seq).ToList();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TopK_EqualsBruteForce_WithAndWithoutFilter(bool quantize)
    {
        var (rows, vecs) = Corpus();
        var catalog = new SegmentCatalog(quantize);
        catalog.AddRange(rows);
        var q = vecs[123];
        var all = catalog.Search(q, 10, new SlotFilter(new SearchFilters()), excludeSeq: -1, rescoreCandidates: 400);
        Assert.Equal(BruteForce(vecs, q, 10, _ => true), all.Select(h => h.Seq));
        Assert.Equal(1f, all[0].Dot, 4);

        var filtered = catalog.Search(q, 10, new SlotFilter(new SearchFilters { PathPrefix = "/m/odd/" }), excludeSeq: 124, rescoreCandidates: 400);
        Assert.Equal(BruteForce(vecs, q, 10, i => i % 2 == 1 && i != 123), filtered.Select(h => h.Seq));
        Assert.DoesNotContain(124L, filtered.Select(h => h.Seq));
    }

    [Fact]
    public void ReplaceVideo_ReusesSlots_AndForgetsOldRows()
    {
        var (rows, vecs) = Corpus();
        var catalog = new SegmentCatalog(false);
        catalog.AddRange(rows.Take(1000));
        catalog.ReplaceVideo("v3", []);
        Assert.Equal(990, catalog.Count);
        Assert.Null(catalog.VideoIdOf(4));
        var hits = catalog.Search(vecs[3], 5, new SlotFilter(new SearchFilters()), -1, 400);
        Assert.DoesNotContain(4L, hits.Select(h => h.Seq));
        catalog.ReplaceVideo("v3", [rows[3] with { Seq = 50_000 }]);
        Assert.Equal(50_000, catalog.Search(vecs[3], 1, new SlotFilter(new SearchFilters()), -1, 400)[0].Seq);
    }
}
