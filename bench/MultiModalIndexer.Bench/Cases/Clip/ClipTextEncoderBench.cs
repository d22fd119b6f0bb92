using System.Diagnostics;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Bench.Cases.Clip;

/// <summary>
/// Query latency of the text encoder (tokenize → ids/mask tensors → Run → L2) for a 5-word query, next to
/// the bare ORT Run of the same session with pre-made tensors at the real token length, and padded to 77
/// (what a fixed-length export would cost).
/// </summary>
public sealed class ClipTextEncoderBench : IBenchCase
{
    public const string Query = "a dog running on grass";

    public string Name => "clip.text";
    public string Description => "CLIP text query latency (5-word query) vs bare ORT Run at the real token length and padded to 77 (shape-true)";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var dir = await ShapeTrueClip.EnsureAsync(context, ct);
        if (dir is null)
        {
            result.Skipped = "../shared/tools/make_shape_true_clip.py not found";
            return result;
        }
        var vocab = Path.Combine(Common.ProjectPaths.SharedDir ?? "", "models", "clip", "bpe_simple_vocab_16e6.txt.gz");
        var n = context.Quick ? 8 : 40;
        var nPadded = context.Quick ? 3 : 12;

        foreach (var threads in new[] { 1, 2 })
        {
            ct.ThrowIfCancellationRequested();
            var options = new ClipOptions { TextModel = Path.Combine(dir, ShapeTrueClip.TextFile), Vocabulary = File.Exists(vocab) ? vocab : "clip/bpe_simple_vocab_16e6.txt.gz", IntraOpThreads = threads };
            using var enc = ClipTextEncoder.Open(options);
            var tokens = enc.Tokenizer.Tokenize(Query);
            var session = enc.Session;

            (OrtTensor Ids, OrtTensor Mask) Make(int len)
            {
                var ids = new long[len];
                for (var i = 0; i < tokens.Length; i++) ids[i] = tokens[i];
                var mask = new long[len];
                mask.AsSpan(0, tokens.Length).Fill(1);
                return (OrtTensor.Create(ids, 1, len), OrtTensor.Create(mask, 1, len));
            }

            var (ids, mask) = Make(tokens.Length);
            var (ids77, mask77) = Make(77);
            using (ids) using (mask) using (ids77) using (mask77)
            {
                void Bare(OrtTensor i, OrtTensor m)
                {
                    using var o = session.Run([new("input_ids", i), new("attention_mask", m)], [enc.OutputName], ct);
                }

                Bare(ids, mask);
                enc.Encode(Query);
                Bare(ids77, mask77);
                // Interleave encoder and bare runs one by one; report medians.
                var bare = new List<double>(n);
                var encoder = new List<double>(n);
                for (var k = 0; k < n; k++)
                {
                    bare.Add(Ms(() => Bare(ids, mask)));
                    encoder.Add(Ms(() => enc.Encode(Query)));
                }
                var padded = Enumerable.Range(0, nPadded).Select(_ => Ms(() => Bare(ids77, mask77))).ToList();
                var bm = Median(bare);
                var em = Median(encoder);
                result.Add($"bare_ort_{tokens.Length}tok_t{threads}", bm, "ms");
                result.Add($"encoder_{tokens.Length}tok_t{threads}", em, "ms");
                result.Add($"ratio_t{threads}", em / bm, "x bare");
                result.Add($"bare_ort_padded77_t{threads}", Median(padded), "ms");
                context.Log($"[clip.text] threads {threads}: encoder {em:0.0} ms, bare {bm:0.0} ms ({tokens.Length} tokens), padded-77 bare {Median(padded):0.0} ms, ratio {em / bm:0.000}");
            }
        }
        result.Notes.Add($"query \"{Query}\" = {string.Join(' ', new ClipTokenizerHolder(vocab).Ids)}; medians of {n} interleaved runs (padded: {nPadded}). Bar: encoder within 10 % of bare at the real length.");
        return result;
    }

    private sealed class ClipTokenizerHolder(string vocab)
    {
        public int[] Ids => File.Exists(vocab) ? ClipTokenizer.Load(vocab).Tokenize(Query) : [];
    }

    private static double Ms(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
