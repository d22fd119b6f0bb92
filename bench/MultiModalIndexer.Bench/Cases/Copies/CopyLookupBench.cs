using System.Diagnostics;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Bench.Cases.Copies;

/// <summary>
/// Lookup latency against library size: synthetic libraries of 1-hour videos at the fingerprint rate
/// (shots of 2-8 s whose hashes drift a few bits per sample), a 10 s query cut from one of them with
/// 6 of 64 bits flipped per sample, answered by the detector's band lookup and alignment.
/// </summary>
public sealed class CopyLookupBench : IBenchCase
{
    public string Name => "copies.lookup";
    public string Description => "copy lookup latency (band candidates + alignment) vs library size, synthetic up to 10,000 h";

    public Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var o = new CopyOptions();
        int[] hours = context.Quick ? [10, 100] : [10, 100, 1000, 10000];
        var rng = new Random(12);
        foreach (var hrs in hours)
        {
            ct.ThrowIfCancellationRequested();
            var perVideo = (int)(3600 * o.FingerprintFps);
            long total = (long)hrs * perVideo;
            var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            if (total * 56 > available * 0.6)
            {
                result.Notes.Add($"{hrs} h: skipped, needs ~{total * 56 / 1e9:0.0} GB of {available / 1e9:0.0} GB");
                continue;
            }
            var sw = Stopwatch.StartNew();
            var hashes = new ulong[total];
            var times = new float[total];
            var starts = new int[hrs + 1];
            var videos = new List<StoredFingerprint>(hrs);
            var empty = new VideoFingerprint((float)o.FingerprintFps, [], []);
            for (var v = 0; v < hrs; v++)
            {
                starts[v] = v * perVideo;
                videos.Add(new StoredFingerprint($"v{v}", $"/synthetic/{v}.mp4", 3600, empty));
                ulong h = 0;
                var shotLeft = 0;
                for (var i = 0; i < perVideo; i++)
                {
                    if (shotLeft-- <= 0) { h = (ulong)rng.NextInt64() ^ ((ulong)rng.NextInt64() << 1); shotLeft = rng.Next(6, 24); }
                    else h ^= 1UL << rng.Next(64);
                    hashes[starts[v] + i] = h;
                    times[starts[v] + i] = (float)(i / o.FingerprintFps);
                }
            }
            starts[^1] = (int)total;
            var generate = sw.Elapsed.TotalSeconds;
            sw.Restart();
            // The central-part hashes of this synthetic footage: a few bits away from the whole picture's.
            var cropped = new ulong[total];
            for (long i = 0; i < total; i++) cropped[i] = hashes[i] ^ (1UL << rng.Next(64)) ^ (1UL << rng.Next(64)) ^ (1UL << rng.Next(64));
            sw.Restart();
            var index = new FingerprintIndex(videos, starts, hashes, cropped, times);
            var build = sw.Elapsed.TotalSeconds;

            var latencies = new List<double>();
            var hits = 0;
            var queries = context.Quick ? 5 : 20;
            for (var q = 0; q < queries; q++)
            {
                var v = rng.Next(hrs);
                var at = rng.Next(60, 3000);
                var n = (int)(10 * o.QueryFps);
                var qt = new float[n];
                var qh = new ulong[n];
                for (var i = 0; i < n; i++)
                {
                    qt[i] = (float)(i / o.QueryFps);
                    var src = hashes[starts[v] + (int)Math.Round((at + qt[i]) * o.FingerprintFps)];
                    for (var b = 0; b < 6; b++) src ^= 1UL << rng.Next(64);
                    qh[i] = src;
                }
                var query = new QueryFingerprint(10, o.QueryFps, qt, qh, qh.Select(x => ~x).ToArray());
                sw.Restart();
                var matches = CopyDetector.Match(index, query, o);
                latencies.Add(sw.Elapsed.TotalMilliseconds);
                if (matches.Count > 0 && matches[0].VideoId == $"v{v}" && Math.Abs(matches[0].Start - at) < 1.5) hits++;
            }
            result.Add($"h{hrs}_lookup_ms_median", CopyBenchSupport.Median(latencies), "ms")
                .Add($"h{hrs}_lookup_ms_max", latencies.Max(), "ms")
                .Add($"h{hrs}_found", (double)hits / queries, "fraction")
                .Add($"h{hrs}_index_build_s", build, "s")
                .Add($"h{hrs}_index_memory_mb", index.MemoryBytes / 1e6, "MB");
            result.Notes.Add($"{hrs} h: {total:N0} samples, generated in {generate:0.0} s, {queries} queries of 10 s");
            hashes = null!;
            cropped = null!;
            times = null!;
            index = null!;
            GC.Collect();
        }
        result.Notes.Add($"storage: {VideoFingerprint.BytesPerSample} bytes a sample at {o.FingerprintFps} samples/s = {VideoFingerprint.BytesPerSample * o.FingerprintFps * 3600 / 1024:0} KiB per hour of video (blob); the in-memory index holds {8 + 8 + 4 + 2 * FingerprintIndex.Bands * 4} bytes a sample");
        return Task.FromResult(result);
    }
}
