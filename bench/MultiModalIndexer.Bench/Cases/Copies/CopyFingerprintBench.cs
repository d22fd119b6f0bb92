using System.Diagnostics;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Bench.Cases.Copies;

/// <summary>
/// What copy-detection fingerprints add to indexing: the hash itself (µs per sample, so ms per media
/// second at the sampling rate), the shot-analysis decode with and without the hashing consumer
/// (alternating runs), and a whole indexing run of the same file for scale.
/// </summary>
public sealed class CopyFingerprintBench : IBenchCase
{
    public string Name => "copies.fingerprint";
    public string Description => "fingerprint cost per media-second vs the analysis decode and vs indexing (big_buck_bunny_0_30.webm)";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var file = BenchContext.SharedFile("media/video/big_buck_bunny_0_30.webm");
        if (file is null)
        {
            result.Skipped = "../shared/media/video/big_buck_bunny_0_30.webm is missing";
            return result;
        }
        var copies = new MultiModalIndexer.Copies.CopyOptions();
        var options = new MediaOptions();
        var info = await new MediaProbe(options).ProbeAsync(file, ct);
        var plain = new ShotDetector(options);
        var hashing = new ShotDetector(options) { Fingerprints = new FrameHashSampling(copies.FingerprintFps, copies.MinContrast) };

        // 1. The hashes alone, on the analysis-size Y planes of real frames (the Y plane stands in for the chroma planes: same cost).
        var (w, h) = ShotDetector.AnalysisSize(info.Video!, options.Shots);
        var planes = await GreyFramesAsync(file, w, h, ct);
        var reps = context.Quick ? 3 : 20;
        var sw = Stopwatch.StartNew();
        var hashed = 0;
        for (var r = 0; r < reps; r++)
            foreach (var p in planes)
                if (PerceptualHash.TryCompute(p, w, h, w, copies.MinContrast, out _, p, p)) hashed++;
        var usPerHash = sw.Elapsed.TotalMicroseconds / (reps * planes.Count);
        result.Add("hash_microseconds_per_sample", usPerHash, "µs")
            .Add("hash_ms_per_media_second", usPerHash * copies.FingerprintFps / 1000, "ms/s");

        // 2. The analysis decode with and without the consumer, alternating (warm-up first).
        await plain.AnalyzeAsync(info, ct);
        var fp = await hashing.AnalyzeAsync(info, ct);
        var runs = context.Quick ? 1 : 5;
        List<double> off = [], on = [];
        for (var i = 0; i < runs; i++)
        {
            sw.Restart(); await plain.AnalyzeAsync(info, ct); off.Add(sw.Elapsed.TotalSeconds);
            sw.Restart(); await hashing.AnalyzeAsync(info, ct); on.Add(sw.Elapsed.TotalSeconds);
        }
        double offMed = CopyBenchSupport.Median(off), onMed = CopyBenchSupport.Median(on);
        result.Add("analysis_seconds_without", offMed, "s")
            .Add("analysis_seconds_with", onMed, "s")
            .Add("analysis_added_ms_per_media_second", (onMed - offMed) / info.Duration * 1000, "ms/s")
            .Add("samples_per_media_second", fp.Fingerprint.Count / info.Duration, "1/s");

        // 3. A whole indexing run of the file (OCR on; CLIP/ASR as available), for scale.
        var media = Directory.CreateDirectory(Path.Combine(context.WorkDir, "copies-fp-media")).FullName;
        var copy = Path.Combine(media, Path.GetFileName(file));
        if (!File.Exists(copy)) File.Copy(file, copy);
        await using var sp = CopyBenchSupport.Compose(Path.Combine(context.WorkDir, "copies-fp-data"));
        sw.Restart();
        var report = await CopyBenchSupport.IndexAsync(sp, ct, media);
        var indexSeconds = sw.Elapsed.TotalSeconds;
        var indexMsPerSecond = indexSeconds / info.Duration * 1000;
        result.Add("indexing_ms_per_media_second", indexMsPerSecond, "ms/s")
            .Add("hash_share_of_indexing", usPerHash * copies.FingerprintFps / 1000 / indexMsPerSecond * 100, "%")
            .Add("decode_delta_share_of_indexing", (onMed - offMed) / info.Duration * 1000 / indexMsPerSecond * 100, "%");
        result.Notes.Add($"{planes.Count} real frames at {w}x{h} hashed {reps}x ({hashed} informative); analysis decode median of {runs} alternating runs; " +
                         $"indexing: one run, {report.Indexed} video, OCR on, CLIP/ASR {(report.Indexed > 0 ? "as configured (off without weights)" : "-")}; {Environment.ProcessorCount} cores shared");
        result.Notes.Add("the decode delta is within run-to-run noise on a loaded machine; the hash cost is the stable number");
        return result;
    }

    private static async Task<List<byte[]>> GreyFramesAsync(string file, int w, int h, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-nostdin", "-v", "error", "-i", file, "-vf", $"fps=3,scale={w}:{h}:flags=fast_bilinear,format=gray", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var ms = new MemoryStream();
        var errTask = p.StandardError.ReadToEndAsync(ct);
        await p.StandardOutput.BaseStream.CopyToAsync(ms, ct);
        await p.WaitForExitAsync(ct);
        await errTask;
        var all = ms.ToArray();
        var list = new List<byte[]>();
        for (var i = 0; i + w * h <= all.Length; i += w * h) list.Add(all.AsSpan(i, w * h).ToArray());
        return list;
    }
}
