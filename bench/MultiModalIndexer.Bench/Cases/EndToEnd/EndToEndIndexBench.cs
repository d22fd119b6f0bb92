using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Bench.Cases.Clip;
using MultiModalIndexer.Common;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Inference;

namespace MultiModalIndexer.Bench.Cases.EndToEnd;

/// <summary>
/// e2e.index: the whole pipeline (crawl, probe, shots, keyframes, CLIP, VAD+ASR, OCR, embedded store)
/// over ../shared/media/video with the shape-true CLIP models, reported as media seconds per wall
/// second with per-stage times and peak RSS. Peer in the same run: a bare `ffmpeg -f null` full decode
/// of the same files (what merely reading the video costs).
/// </summary>
public sealed class EndToEndIndexBench : IBenchCase
{
    public string Name => "e2e.index";
    public string Description => "End-to-end indexing of ../shared/media/video (CLIP shape-true + VAD/ASR + OCR): media s per wall s, per stage, peak RSS";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var videoDir = ProjectPaths.SharedDir is { } shared ? Path.Combine(shared, "media", "video") : null;
        if (videoDir is null || !Directory.Exists(videoDir))
        {
            result.Skipped = "../shared/media/video not found";
            return result;
        }
        var files = Directory.GetFiles(videoDir).Where(f => MediaExtensions.DefaultVideo.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        if (context.Quick) files = files.Take(3).ToList();
        await MeasureAsync(context, result, videoDir, files, ct);
        return result;
    }

    /// <summary>Indexes <paramref name="files"/> under <paramref name="root"/> with CLIP (shape-true), VAD/ASR and OCR and adds the figures to <paramref name="result"/>.</summary>
    internal static async Task MeasureAsync(BenchContext context, BenchResult result, string root, IReadOnlyList<string> files, CancellationToken ct)
    {
        var videoDir = root;
        // The source root is the folder itself, with an include list of exactly these files.
        var include = files.Select(Path.GetFileName).ToList();

        var clipDir = await ShapeTrueClip.EnsureAsync(context, ct);
        var settings = new Dictionary<string, string?>
        {
            ["Clip:Enabled"] = (clipDir is not null).ToString(),
        };
        if (clipDir is not null)
        {
            settings["Clip:ImageModel"] = Path.Combine(clipDir, ShapeTrueClip.ImageFile);
            settings["Clip:TextModel"] = Path.Combine(clipDir, ShapeTrueClip.TextFile);
            settings["Clip:IntraOpThreads"] = "2";
            settings["Clip:BatchSize"] = "8";
            result.Notes.Add("CLIP: shape-true ViT-B/32 random-weight models (real FLOPs), batch 8, 2 intra-op threads.");
        }
        else result.Notes.Add("CLIP: shape-true models unavailable (no ../shared/tools/make_shape_true_clip.py); CLIP off.");
        var asr = await AsrModelAsync(context, settings, ct);
        result.Notes.Add(asr);
        settings["Sources:0:Name"] = "video";
        settings["Sources:0:Root"] = videoDir;
        for (var i = 0; i < include.Count; i++) settings[$"Sources:0:Include:{i}"] = include[i];

        // This shared host's CPU speed drifts by 10-20 % within minutes: a full run indexes the set Runs times,
        // each into a fresh data folder, and reports the median run with the spread.
        var runs = context.Quick ? 1 : Runs;
        var done = new List<(double Wall, double Cpu, double Load, IndexRunReport Report, PipelineStats Stats)>();
        string? ocrVersion = null;
        long peakRss = 0;
        for (var run = 0; run < runs; run++)
        {
            settings["Indexing:DataDir"] = Path.Combine(context.WorkDir, $"e2e-data-{Guid.NewGuid():N}");
            // MMI__... environment variables override the case's settings, as in the daemon (A/B runs without editing code).
            var config = new ConfigurationBuilder().AddInMemoryCollection(settings).AddEnvironmentVariables("MMI__").Build();
            await using (var sp = new ServiceCollection().AddMultiModalIndexer(config).BuildServiceProvider())
            {
                var indexer = sp.GetRequiredService<Indexer>();
                _ = indexer.Modalities.ImageEncoder; // model load is start-up cost, not indexing throughput
                _ = indexer.Modalities.Recognizer;
                _ = indexer.Modalities.Ocr;
                if (run == 0) foreach (var (m, why) in indexer.Modalities.OffReasons) result.Notes.Add($"{m} off: {why}");
                ocrVersion ??= indexer.Modalities.Ocr?.ModelVersion;

                var cpuBefore = CpuSeconds();
                var sw = Stopwatch.StartNew();
                var outcome = await indexer.RunAsync(ct);
                done.Add((sw.Elapsed.TotalSeconds, CpuSeconds() - cpuBefore, LoadAverage(), outcome, indexer.LastRunStats));
                // The first run's peak is one indexing run's: later runs load the models again into a heap that
                // has not given the first run's memory back to the system.
                if (run == 0) peakRss = ReadVmHwmBytes();
            }
            try { Directory.Delete(settings["Indexing:DataDir"]!, true); } catch (IOException) { }
        }
        var ordered = done.OrderBy(r => r.Report.MediaSeconds / r.Wall).ToList();
        var (wall, cpu, load, report, stats) = ordered[ordered.Count / 2];
        foreach (var f in report.Failed) result.Notes.Add($"failed: {Path.GetFileName(f.Path)}: {f.Error}");

        result.Add("files_indexed", report.Indexed, "files");
        result.Add("segments", report.Segments, "segments");
        result.Add("media_seconds", report.MediaSeconds, "s");
        result.Add("runs", runs, "runs");
        result.Add("wall_seconds", wall, "s");
        result.Add("media_seconds_per_wall_second", report.MediaSeconds / wall, "x");
        result.Add("media_seconds_per_wall_second_min", ordered[0].Report.MediaSeconds / ordered[0].Wall, "x");
        result.Add("media_seconds_per_wall_second_max", ordered[^1].Report.MediaSeconds / ordered[^1].Wall, "x");
        // CPU time (this process + the ffmpeg children it waited for) is what an idle 2-core machine
        // would have to spend; wall time here depends on how busy the shared machine is.
        result.Add("cpu_seconds", cpu, "s");
        result.Add("cpu_seconds_per_media_second", cpu / report.MediaSeconds, "s/s");
        result.Add("idle_2core_bound_media_seconds_per_second", 2 * report.MediaSeconds / cpu, "x");
        result.Add("machine_load_average_1min", load, "load");
        foreach (var (stage, seconds) in stats.Seconds.Where(kv => !kv.Key.EndsWith("_reused", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            result.Add($"stage_{stage}_seconds", seconds, "s");
        if (stats.Counts.TryGetValue("clip", out var keyframes)) result.Add("keyframes_encoded", keyframes, "frames");
        if (stats.Counts.TryGetValue("ocr", out var ocrFrames)) result.Add("ocr_frames", ocrFrames, "frames");
        if (stats.Counts.TryGetValue("text_frames", out var textFrames)) result.Add("text_frames_sampled", textFrames, "frames");
        if (ocrFrames > 0 && stats.Seconds.TryGetValue("ocr", out var ocrSeconds)) result.Add("ocr_ms_per_frame", 1000 * ocrSeconds / ocrFrames, "ms");
        if (ocrVersion is not null) result.Notes.Add($"OCR engine: {ocrVersion}");
        result.Notes.Add($"{runs} run(s), each into a fresh data folder; the figures are the median run's (by × real time), with the slowest and fastest.");
        if (peakRss > 0) result.Add("peak_rss", peakRss / 1048576.0, "MiB");
        result.Notes.Add("Stage times are summed over concurrent workers (they overlap), so they can add up to more than the wall time.");
        result.Notes.Add("peak_rss is this process's VmHWM after the first indexing run, including anything earlier bench cases in the same run allocated; run with --filter alone for a clean figure.");

        // Peer: a plain full decode of the same files by ffmpeg, one after another.
        var peer = Stopwatch.StartNew();
        foreach (var f in files) await FfmpegNullDecodeAsync(f, ct);
        var peerWall = peer.Elapsed.TotalSeconds;
        result.Add("peer_ffmpeg_full_decode_seconds", peerWall, "s");
        result.Add("peer_ffmpeg_media_seconds_per_wall_second", report.MediaSeconds / peerWall, "x");
        result.Add("pipeline_wall_over_full_decode", wall / peerWall, "ratio");
    }

    /// <summary>Indexing runs of a full (not --quick) measurement; the median is reported.</summary>
    private const int Runs = 3;

    /// <summary>A real Whisper export under models/ when present, else the test suite's fixture export (real VAD, tiny decoder).</summary>
    private static async Task<string> AsrModelAsync(BenchContext ctx, Dictionary<string, string?> settings, CancellationToken ct)
    {
        var models = ProjectPaths.ModelsDir;
        var vad = File.Exists(Path.Combine(models, "vad", "silero_vad.onnx")) ? Path.Combine(models, "vad", "silero_vad.onnx")
            : ProjectPaths.SharedDir is { } s && File.Exists(Path.Combine(s, "models", "vad", "silero_vad.onnx")) ? Path.Combine(s, "models", "vad", "silero_vad.onnx") : null;
        if (vad is null) { settings["Speech:Enabled"] = "false"; return "ASR/VAD off: no Silero VAD model found."; }
        settings["Speech:VadModel"] = vad;
        if (File.Exists(Path.Combine(models, "whisper", "tiny-encoder.int8.onnx")))
            return "ASR: Whisper tiny int8 from models/ with the real Silero VAD.";
        var script = ProjectPaths.Root is { } root ? Path.Combine(root, "tests", "MultiModalIndexer.Tests", "Fixtures", "make_whisper_fixture.py") : null;
        if (script is null || !File.Exists(script)) { settings["Speech:Enabled"] = "false"; return "ASR off: no Whisper weights and no fixture generator."; }
        var dir = Path.Combine(ctx.WorkDir, "whisper-fixture");
        if (!File.Exists(Path.Combine(dir, "fixture-tokens.txt")))
        {
            Directory.CreateDirectory(dir);
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(dir);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync(ct);
            await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            if (p.ExitCode != 0) { settings["Speech:Enabled"] = "false"; return "ASR off: fixture generation failed: " + (await err).Trim(); }
        }
        settings["Speech:WhisperEncoder"] = Path.Combine(dir, "fixture-encoder.onnx");
        settings["Speech:WhisperDecoder"] = Path.Combine(dir, "fixture-decoder.onnx");
        settings["Speech:WhisperTokens"] = Path.Combine(dir, "fixture-tokens.txt");
        return "ASR: no Whisper weights here, so the test fixture Whisper export runs behind the REAL Silero VAD and audio decode; real Whisper tiny would add its decoding cost on top.";
    }

    private static async Task FfmpegNullDecodeAsync(string path, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-nostdin", "-v", "error", "-i", path, "-f", "null", "-" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync(ct);
        await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        await err;
    }

    /// <summary>utime + stime + cutime + cstime of this process from /proc/self/stat, in seconds.</summary>
    private static double CpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "(comm) ": state is field 3, so utime (14) is index 11, stime 12, cutime 13, cstime 14.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture) + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static long ReadVmHwmBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { return 0; }
    }
}
