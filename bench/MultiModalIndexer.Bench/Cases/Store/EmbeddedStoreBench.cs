using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Microsoft.Data.Sqlite;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Bench.Cases.Store;

/// <summary>
/// Embedded store at 10k and 100k synthetic segments: bulk upsert rate, hybrid query latency
/// (p50/p95, exact float scan and int8 + re-scoring), against two peers measured on the same data in
/// the same run: a raw FTS5 BM25 query (same MATCH, LIMIT 100) and a raw exact scan of a float matrix
/// (TensorPrimitives.Dot + top-100). hybrid − (fts + scan) is the cost of fusion, filters, fetching and highlighting.
/// </summary>
public sealed class EmbeddedStoreBench : IBenchCase
{
    public string Name => "store.embedded";
    public string Description => "embedded store: bulk upsert segments/s, hybrid query p50/p95 at 10k and 100k vs raw FTS5 and raw vector scan";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        int queries = context.Quick ? 40 : 200;
        foreach (int n in new[] { 10_000, 100_000 })
            await RunSizeAsync(n, queries, context, result, ct);
        result.Notes.Add($"load average at end: {LoadAverage()} (other processes on the machine inflate latencies)");
        result.Notes.Add($"{Environment.ProcessorCount} cores; 20 segments per video; 512-d unit vectors; ~4k-word Zipf vocabulary, 10% Chinese videos; {queries} queries per size, size=10, candidates 100 per sub-query");
        return result;
    }

    private static async Task RunSizeAsync(int n, int queries, BenchContext context, BenchResult result, CancellationToken ct)
    {
        string label = n >= 1000 ? $"{n / 1000}k" : n.ToString(CultureInfo.InvariantCulture);
        var dir = Path.Combine(context.WorkDir, "store-embedded");
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, $"bench-{label}.db");
        foreach (var f in new[] { db, db + "-wal", db + "-shm" }) File.Delete(f);

        var corpus = new SyntheticCorpus(seed: 42);
        const int perVideo = 20;
        var matrix = new float[(long)n * 512 <= int.MaxValue ? n * 512 : throw new InvalidOperationException()];
        long upsertTicks = 0;
        await using (var store = new EmbeddedStore(db, new EmbeddedStoreOptions()))
        {
            await store.EnsureSchemaAsync(ct);
            int row = 0;
            for (int vi = 0; row < n; vi++)
            {
                var (video, segs) = corpus.Video(vi, Math.Min(perVideo, n - row));
                foreach (var s in segs) s.Vector!.CopyTo(matrix, (row++) * 512);
                long t0 = Stopwatch.GetTimestamp();
                await store.UpsertVideoAsync(video, segs, ct);
                upsertTicks += Stopwatch.GetTimestamp() - t0;
            }
        }
        double upsertSeconds = (double)upsertTicks / Stopwatch.Frequency;
        result.Add($"upsert_{label}", n / upsertSeconds, "segments/s");
        context.Log($"[store.embedded] {label}: upserted {n} segments in {upsertSeconds:0.0} s");

        // Queries: 2 words (Zipf draws: some common, some rare) or one Chinese word; a random unit vector.
        var qrng = new SyntheticCorpus(seed: 1234);
        var texts = Enumerable.Range(0, queries).Select(i => i % 10 == 0 ? qrng.ChineseWord() : qrng.Word() + " " + qrng.Word()).ToArray();
        var vectors = Enumerable.Range(0, queries).Select(_ => qrng.UnitVector()).ToArray();

        foreach (bool quantize in new[] { false, true })
        {
            await using var store = new EmbeddedStore(db, new EmbeddedStoreOptions { QuantizeVectors = quantize });
            long l0 = Stopwatch.GetTimestamp();
            await store.WarmUpAsync(ct); // loads the catalog
            double loadMs = Stopwatch.GetElapsedTime(l0).TotalMilliseconds;
            // Steady state, as in the daemon: let tiered JIT settle with queries that are not measured.
            for (int i = 0; i < 30; i++)
                foreach (var mode in new[] { SearchMode.Hybrid, SearchMode.Text, SearchMode.Vector })
                    await store.SearchAsync(new SearchRequest { Query = qrng.Word(), QueryVector = vectors[(i * 7) % queries], Mode = mode }, ct);
            var lat = new double[queries];
            for (int i = 0; i < queries; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var r = await store.SearchAsync(new SearchRequest { Query = texts[i], QueryVector = vectors[i], Size = 10 }, ct);
                lat[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (r.Hits.Count == 0) throw new InvalidOperationException($"hybrid query '{texts[i]}' returned nothing");
            }
            string tag = quantize ? "hybrid_int8" : "hybrid";
            result.Add($"{tag}_{label}_p50", Percentile(lat, 50), "ms").Add($"{tag}_{label}_p95", Percentile(lat, 95), "ms");
            if (quantize) continue;
            result.Add($"catalog_load_{label}", loadMs, "ms");
            // The store's own sub-queries alone (validation, connection, candidates, fetch, highlights included).
            foreach (var mode in new[] { SearchMode.Text, SearchMode.Vector })
            {
                var sub = new double[queries];
                for (int i = 0; i < queries; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    await store.SearchAsync(new SearchRequest { Query = texts[i], QueryVector = vectors[i], Mode = mode, Size = 10 }, ct);
                    sub[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
                var name = mode == SearchMode.Text ? "store_text" : "store_vector";
                result.Add($"{name}_{label}_p50", Percentile(sub, 50), "ms").Add($"{name}_{label}_p95", Percentile(sub, 95), "ms");
            }
        }

        // Peer 1: the raw FTS5 query alone (same analysed MATCH expression, top 100 by bm25).
        var fts = new double[queries];
        for (int i = 0; i < 30; i++) RawTop(matrix, Math.Min(n, 2000), vectors[i % queries], 100); // JIT warm-up for the peer
        await using (var conn = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
        {
            await conn.OpenAsync(ct);
            for (int i = 0; i < queries; i++)
            {
                var match = string.Join(" OR ", CjkAnalyzer.QueryTerms(texts[i]).Select(t => "\"" + t + "\""));
                long t0 = Stopwatch.GetTimestamp();
                using var cmd = conn.CreateCommand();
                cmd.CommandText = "SELECT rowid, rank FROM fts_ocr WHERE fts_ocr MATCH $q ORDER BY rank LIMIT 100";
                cmd.Parameters.AddWithValue("$q", match);
                using var r = cmd.ExecuteReader();
                while (r.Read()) _ = r.GetInt64(0);
                fts[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        }
        result.Add($"raw_fts5_{label}_p50", Percentile(fts, 50), "ms").Add($"raw_fts5_{label}_p95", Percentile(fts, 95), "ms");

        // Peer 2: the raw exact scan alone over a contiguous float matrix.
        var scan = new double[queries];
        for (int i = 0; i < queries; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            RawTop(matrix, n, vectors[i], 100);
            scan[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        result.Add($"raw_scan_{label}_p50", Percentile(scan, 50), "ms").Add($"raw_scan_{label}_p95", Percentile(scan, 95), "ms");
        foreach (var f in new[] { db, db + "-wal", db + "-shm" }) File.Delete(f);
    }

    private static int[] RawTop(float[] matrix, int n, float[] q, int k)
    {
        var heap = new PriorityQueue<int, float>(k + 1); // min-heap of the k best
        for (int r = 0; r < n; r++)
        {
            float d = TensorPrimitives.Dot(new ReadOnlySpan<float>(matrix, r * 512, 512), q);
            if (heap.Count < k) heap.Enqueue(r, d);
            else if (heap.TryPeek(out _, out var min) && d > min) heap.EnqueueDequeue(r, d);
        }
        var top = new int[heap.Count];
        for (int i = top.Length - 1; i >= 0; i--) top[i] = heap.Dequeue();
        return top;
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); } catch (IOException) { return "n/a"; }
    }

    private static double Percentile(double[] values, double p)
    {
        var s = values.OrderBy(x => x).ToArray();
        double rank = p / 100.0 * (s.Length - 1);
        int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
        return s[lo] + (s[hi] - s[lo]) * (rank - lo);
    }
}
