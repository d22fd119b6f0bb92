using System.Diagnostics;
using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Evaluation;

namespace MultiModalIndexer.Bench.Cases.Ocr;

/// <summary>
/// OCR ms per 1280×720 caption frame on one thread, and caption recall, for the project's frame
/// pipeline next to a plain Tesseract call (default page segmentation, same engine and languages)
/// on the same generated frames (English and Chinese captions over photos, test patterns, flat colour).
/// </summary>
public sealed class OcrFrameBenchCase : IBenchCase
{
    public string Name => "ocr.frame";
    public string Description => "OCR ms/frame (1 thread) and caption recall: frame pipeline vs plain Tesseract (PSM 3).";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        if (ProjectPaths.SharedDir is null) { result.Skipped = "../shared is missing (photos for backgrounds)."; return result; }
        var specs = CaptionFrameGenerator.StandardSet(Path.Combine(ProjectPaths.SharedDir, "media", "images"));
        var cache = Path.Combine(context.WorkDir, "ocr-frames");
        var frames = new List<(CaptionFrameSpec Spec, GreyImage Image)>();
        var only = Environment.GetEnvironmentVariable("MMI_OCR_ONLY");
        foreach (var s in specs.Where(s => only is null || s.Name.Contains(only, StringComparison.Ordinal))) frames.Add((s, await CaptionFrameGenerator.RenderAsync(s, cache, ct)));
        var debug = Environment.GetEnvironmentVariable("MMI_OCR_DEBUG") == "1";

        var options = new OcrOptions();
        if (Environment.GetEnvironmentVariable("MMI_OCR_LANGS") is { Length: > 0 } langs) options.Languages = langs;
        using var engine = new FrameOcrEngine(options);
        engine.Recognize(frames[0].Image); // warm-up: first call pays for lazy model set-up
        var rounds = context.Quick ? 1 : 2;

        var (calls0, prep0) = (engine.TesseractCalls, engine.PreprocessMs);
        double pipeMs = 0, plainMs = 0;
        int pipeFound = 0, plainFound = 0, total = 0;
        for (var round = 0; round < rounds; round++)
            foreach (var (spec, img) in frames)
            {
                ct.ThrowIfCancellationRequested();
                var sw = Stopwatch.StartNew();
                var r = engine.Recognize(img);
                pipeMs += sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var plain = engine.PlainTesseract(img);
                plainMs += sw.Elapsed.TotalMilliseconds;
                if (round > 0) continue;
                var (f1, t1) = OcrMetrics.Recall(spec.Text, r.Text);
                var (f2, _) = OcrMetrics.Recall(spec.Text, plain);
                pipeFound += f1; plainFound += f2; total += t1;
                if (debug) context.Log($"[{spec.Name}] {f1}/{t1} pipeline='{r.Text.Replace('\n', '|')}' plain {f2}/{t1}='{plain.Trim().Replace('\n', '|')}'");
            }
        var n = frames.Count * rounds;
        result.Add("pipeline_ms_per_frame", pipeMs / n, "ms")
            .Add("plain_tesseract_ms_per_frame", plainMs / n, "ms")
            .Add("time_ratio_pipeline_over_plain", pipeMs / plainMs, "x")
            .Add("pipeline_tesseract_calls_per_frame", (engine.TesseractCalls - calls0) / (double)n, "calls")
            .Add("pipeline_line_finding_ms_per_frame", (engine.PreprocessMs - prep0) / n, "ms")
            .Add("pipeline_recall", pipeFound / (double)total, "ratio")
            .Add("plain_tesseract_recall", plainFound / (double)total, "ratio");
        result.Notes.Add($"{frames.Count} generated 1280x720 frames ({total} words+Han chars), languages eng+chi_sim, 1 thread, {rounds} round(s); recall = English words + Chinese characters found.");
        return result;
    }
}
