using System.Diagnostics;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Bench.Cases.Clip;

/// <summary>
/// Image encoder throughput (RGB bytes → normalised vectors) against the bare ORT run of the same session
/// with a pre-made input tensor, at batch 1/8/16 × threads 1/2. The two are interleaved round by round so
/// machine noise hits both alike.
/// </summary>
public sealed class ClipImageEncoderBench : IBenchCase
{
    public string Name => "clip.image";
    public string Description => "CLIP image encoder images/s vs bare ORT session Run (shape-true ViT-B/32), batch 1/8/16 x threads 1/2";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var dir = await ShapeTrueClip.EnsureAsync(context, ct);
        if (dir is null)
        {
            result.Skipped = "../shared/tools/make_shape_true_clip.py not found";
            return result;
        }

        var imagesPerSide = context.Quick ? 8 : 64;
        var rng = new Random(7);
        var frames = Enumerable.Range(0, 16).Select(_ =>
        {
            var f = new byte[224 * 224 * 3];
            rng.NextBytes(f);
            return (ReadOnlyMemory<byte>)f;
        }).ToArray();

        foreach (var threads in new[] { 1, 2 })
        {
            var options = new ClipOptions { ImageModel = Path.Combine(dir, ShapeTrueClip.ImageFile), IntraOpThreads = threads, BatchSize = 16 };
            using var encoder = ClipImageEncoder.Open(options);
            foreach (var batch in new[] { 1, 8, 16 })
            {
                ct.ThrowIfCancellationRequested();
                options.BatchSize = batch;
                using var enc = batch == 16 ? null : ClipImageEncoder.Open(options); // BatchSize is fixed at open
                var e = enc ?? encoder;
                var input = frames.Take(batch).ToArray();
                var pixels = new float[batch * 3 * 224 * 224];
                for (var i = 0; i < pixels.Length; i++) pixels[i] = (float)(rng.NextDouble() * 4 - 2);
                using var tensor = OrtTensor.Create(pixels, batch, 3, 224, 224);
                var session = e.Session;

                void Bare()
                {
                    using var o = session.Run([new(e.InputName, tensor)], [e.OutputName], ct);
                }

                void Encoder() => e.Encode(input);

                Bare();
                Encoder(); // warm-up both
                // Alternate single runs (bare, encoder, bare, ...) and compare medians, so load from other
                // processes on this shared machine hits both sides alike and single spikes do not count.
                var runs = Math.Max(context.Quick ? 1 : 3, imagesPerSide / batch);
                var bareTimes = new List<double>(runs);
                var encTimes = new List<double>(runs);
                for (var r = 0; r < runs; r++)
                {
                    bareTimes.Add(Time(Bare, 1));
                    encTimes.Add(Time(Encoder, 1));
                }
                var bareIps = batch / Median(bareTimes);
                var encIps = batch / Median(encTimes);
                result.Add($"bare_ort_b{batch}_t{threads}", bareIps, "images/s");
                result.Add($"encoder_b{batch}_t{threads}", encIps, "images/s");
                result.Add($"ratio_b{batch}_t{threads}", encIps / bareIps, "x bare");
                context.Log($"[clip.image] batch {batch} threads {threads}: encoder {encIps:0.00} images/s, bare {bareIps:0.00} images/s, ratio {encIps / bareIps:0.000}");
            }
        }
        result.Notes.Add("encoder = ClipImageEncoder.Encode (RGB bytes → NCHW normalisation → Run → L2); bare = the same OrtSession's Run on a pre-made tensor; same session, runs alternated one by one. Bar: ratio ≥ 0.90.");
        result.Notes.Add($"images/s = batch / median run time over max({(context.Quick ? 1 : 3)}, {imagesPerSide}/batch) alternating runs per side; shape-true random-weight ViT-B/32 (fp32).");
        return result;
    }

    internal static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    internal static double Time(Action action, int runs)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++) action();
        return sw.Elapsed.TotalSeconds;
    }
}
