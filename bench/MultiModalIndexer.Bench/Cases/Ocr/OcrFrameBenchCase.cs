using System.Diagnostics;
using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;
using MultiModalIndexer.Inference.Ocr.PaddleOcr;
using MultiModalIndexer.Inference.Ocr.Tesseract;

namespace MultiModalIndexer.Bench.Cases.Ocr;

/// <summary>
/// OCR ms per frame on one thread and word/character recall, PP-OCRv4 (the default engine) next to
/// plain Tesseract (whole frame, PSM 3, eng+chi_sim) in the same run, on three frame sets: generated
/// subtitle-like captions (English and Chinese over photos, test patterns, flat colour; lossless and
/// H.264 CRF 28), real frames of ../shared/media/video with on-screen text, and text-free frames
/// (where every OCR token is junk).
/// </summary>
public sealed class OcrFrameBenchCase : IBenchCase
{
    public string Name => "ocr.frame";
    public string Description => "OCR ms/frame (1 thread), recall and junk: PP-OCRv4 vs plain Tesseract on generated captions and real frames.";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        if (ProjectPaths.SharedDir is null) { result.Skipped = "../shared is missing (photos and videos)."; return result; }
        var media = Path.Combine(ProjectPaths.SharedDir, "media");
        var options = new OcrOptions { IntraOpThreads = 1 };
        if (PaddleOcrModels.MissingFiles(options) is { Count: > 0 } missing)
        {
            result.Skipped = $"PP-OCR model files missing ({string.Join(", ", missing)}): run ./mmi setup.";
            return result;
        }
        var cache = Path.Combine(context.WorkDir, "ocr-frames");
        var specs = CaptionFrameGenerator.StandardSet(Path.Combine(media, "images"));
        var sets = new List<(string Set, List<(string Truth, GreyImage Image)> Frames)>
        {
            ("captions", await Render(specs, s => CaptionFrameGenerator.RenderAsync(s, cache, ct))),
            ("captions_crf28", await Render(specs, s => CaptionFrameGenerator.RenderCompressedAsync(s, cache, 28, ct))),
            ("real", await RenderReal(RealFrameSet.WithText)),
            ("textfree", await RenderReal(RealFrameSet.TextFree)),
        };

        using var models = PaddleOcrModels.Open(options);
        using var paddle = new PaddleOcrEngine(models, options);
        using var tess = new TesseractOcrEngine(options);
        paddle.Recognize(sets[0].Frames[0].Image, ct); // warm-up: first runs pay for lazy set-up
        tess.PlainText(sets[0].Frames[0].Image);
        var rounds = context.Quick ? 1 : 2;
        var debug = Environment.GetEnvironmentVariable("MMI_OCR_DEBUG") == "1";
        double allPaddleMs = 0, allTessMs = 0; var allFrames = 0;
        foreach (var (set, frames) in sets)
        {
            double paddleMs = 0, tessMs = 0, paddleCpu = 0, tessCpu = 0;
            int paddleFound = 0, tessFound = 0, total = 0, paddleJunk = 0, tessJunk = 0;
            for (var round = 0; round < rounds; round++)
            foreach (var (truth, img) in frames)
            {
                ct.ThrowIfCancellationRequested();
                var cpu = CpuMs();
                var sw = Stopwatch.StartNew();
                var p = paddle.Recognize(img, ct).Text;
                paddleMs += sw.Elapsed.TotalMilliseconds;
                paddleCpu += CpuMs() - cpu;
                cpu = CpuMs();
                sw.Restart();
                var t = tess.PlainText(img);
                tessMs += sw.Elapsed.TotalMilliseconds;
                tessCpu += CpuMs() - cpu;
                if (round > 0) continue;
                var (f1, n) = OcrMetrics.Recall(truth, p);
                var (f2, _) = OcrMetrics.Recall(truth, t);
                paddleFound += f1; tessFound += f2; total += n;
                if (truth.Length == 0) { paddleJunk += OcrMetrics.Units(p).Count(); tessJunk += OcrMetrics.Units(t).Count(); }
                if (debug) context.Log($"[{set}] {f1}/{n} ppocr='{p.Replace('\n', '|')}' tesseract {f2}/{n}='{t.Trim().Replace('\n', '|')}'");
            }
            var count = frames.Count * rounds;
            allPaddleMs += paddleMs; allTessMs += tessMs; allFrames += count;
            result.Add($"{set}_ppocr_ms_per_frame", paddleMs / count, "ms")
                .Add($"{set}_tesseract_ms_per_frame", tessMs / count, "ms")
                .Add($"{set}_ppocr_cpu_ms_per_frame", paddleCpu / count, "ms")
                .Add($"{set}_tesseract_cpu_ms_per_frame", tessCpu / count, "ms");
            if (total > 0)
                result.Add($"{set}_ppocr_recall", paddleFound / (double)total, "ratio").Add($"{set}_tesseract_recall", tessFound / (double)total, "ratio");
            else
                result.Add($"{set}_ppocr_junk_tokens", paddleJunk, "tokens").Add($"{set}_tesseract_junk_tokens", tessJunk, "tokens");
            result.Notes.Add($"{set}: {frames.Count} frames{(total > 0 ? $", {total} words+Han chars" : ", no text")}.");
        }
        result.Add("ppocr_ms_per_frame", allPaddleMs / allFrames, "ms").Add("tesseract_ms_per_frame", allTessMs / allFrames, "ms");
        result.Notes.Add($"1 thread each (ORT intra-op 1), {rounds} timing round(s); cpu_ms = process CPU time per frame (robust to a loaded machine), ms = wall; recall = English words + Chinese characters found; junk = tokens read on text-free frames. Tesseract = plain whole-frame PSM 3, eng+chi_sim.");
        return result;

        // Process CPU time: on a shared, loaded machine wall time mostly measures the queue for a core.
        static double CpuMs()
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime.TotalMilliseconds;
        }

        async Task<List<(string, GreyImage)>> Render(IEnumerable<CaptionFrameSpec> list, Func<CaptionFrameSpec, Task<GreyImage>> render)
        {
            var frames = new List<(string, GreyImage)>();
            foreach (var s in list) frames.Add((s.Text, await render(s)));
            return frames;
        }

        async Task<List<(string, GreyImage)>> RenderReal(IEnumerable<RealFrameSpec> list)
        {
            var frames = new List<(string, GreyImage)>();
            foreach (var s in list) frames.Add((s.Text, await RealFrameSet.RenderAsync(media, s, cache, ct)));
            return frames;
        }
    }
}
