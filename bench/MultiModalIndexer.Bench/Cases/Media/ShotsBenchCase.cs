using System.Diagnostics;
using System.Globalization;
using MultiModalIndexer.Common;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Bench.Cases.Media;

/// <summary>
/// Shot detection (our one low-resolution decode + C# analysis) against `ffmpeg -vf scdet -f null -`
/// on the same file in the same run: frames per second of both and the ratio.
/// </summary>
public sealed class ShotsBenchCase : IBenchCase
{
    public string Name => "media.shots";
    public string Description => "shot detection on big_buck_bunny_0_30.webm vs ffmpeg scdet (frames/s, ratio)";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var file = ProjectPaths.SharedDir is { } shared ? Path.Combine(shared, "media", "video", "big_buck_bunny_0_30.webm") : null;
        if (file is null || !File.Exists(file))
        {
            result.Skipped = "../shared/media/video/big_buck_bunny_0_30.webm is missing";
            return result;
        }
        var options = new MediaOptions();
        var info = await new MediaProbe(options).ProbeAsync(file, ct);
        var detector = new ShotDetector(options);
        // The same detection with the analysis decode in one part, to show what the split adds.
        var onePart = new ShotDetector(new MediaOptions { Shots = { DecodeParts = 1 } });
        var plan = await DecodeSplit.PlanAsync(options, info, info.Video!, ShotDetector.AnalysisFps(info.Video!, options.Shots), null, ct);
        var runs = context.Quick ? 1 : 7;

        // Warm-up of all (page cache, JIT), then alternate so background load hits each alike.
        var (frames, _) = await detector.DecodeFeaturesAsync(info, ct);
        await onePart.AnalyzeAsync(info, ct);
        await RunScdetAsync(file, ct);
        var (ours, single, peer, analysis) = await AlternateAsync(detector, onePart, info, file, runs, ct);
        var sourceFrames = info.Video?.FrameCount ?? (long)Math.Round(info.Duration * (info.Video?.Fps ?? 24));
        double oursMed = Median(ours), singleMed = Median(single), peerMed = Median(peer);
        result.Add("ours_seconds_median", oursMed, "s")
            .Add("ours_one_part_seconds_median", singleMed, "s")
            .Add("scdet_seconds_median", peerMed, "s")
            .Add("ours_frames_per_second", sourceFrames / oursMed, "frames/s")
            .Add("ours_one_part_frames_per_second", sourceFrames / singleMed, "frames/s")
            .Add("scdet_frames_per_second", sourceFrames / peerMed, "frames/s")
            .Add("speed_ratio_ours_over_scdet", peerMed / oursMed, "x")
            .Add("speed_ratio_one_part_over_scdet", peerMed / singleMed, "x")
            .Add("decode_parts", plan.Count, "count")
            .Add("analysed_frames", frames.Count, "frames")
            .Add("boundaries_found", analysis.Cuts.Count, "count");
        result.Notes.Add($"source frames {sourceFrames} ({info.Video?.Width}x{info.Video?.Height} {info.Video?.Codec}); median of {runs} alternating runs, wall clock incl. process start; {Environment.ProcessorCount} cores");
        result.Notes.Add($"ours: cuts {string.Join(", ", analysis.Cuts.Select(c => c.ToString("0.###", CultureInfo.InvariantCulture)))}; parts {string.Join(" | ", plan.Select(p => $"from frame {p.FirstFrame}"))}; scdet: ffmpeg -vf scdet -f null - (default threshold 10)");

        // The same clip four times over (stream copy, 2 minutes): the split's fixed cost (one ffprobe and
        // one more ffmpeg start) weighs less on a longer video.
        var longFile = Path.Combine(context.WorkDir, "big_buck_bunny_x4.webm");
        if (!File.Exists(longFile))
            await RunFfmpegAsync(["-nostdin", "-v", "error", "-y", "-stream_loop", "3", "-i", file, "-an", "-c", "copy", longFile], ct);
        var longInfo = await new MediaProbe(options).ProbeAsync(longFile, ct);
        var longRuns = context.Quick ? 1 : 3;
        var (lOurs, lSingle, lPeer, _) = await AlternateAsync(detector, onePart, longInfo, longFile, longRuns, ct);
        result.Add("long_ours_seconds_median", Median(lOurs), "s")
            .Add("long_ours_one_part_seconds_median", Median(lSingle), "s")
            .Add("long_scdet_seconds_median", Median(lPeer), "s")
            .Add("long_speed_ratio_ours_over_scdet", Median(lPeer) / Median(lOurs), "x")
            .Add("long_speed_ratio_one_part_over_scdet", Median(lPeer) / Median(lSingle), "x");
        result.Notes.Add($"long: {longInfo.Duration:0} s (the clip looped 4x by stream copy), median of {longRuns} alternating runs");
        return result;
    }

    /// <summary>Ours, scdet and ours in one part, alternated so background load hits each alike: seconds of each run and our last analysis.</summary>
    private static async Task<(List<double> Ours, List<double> OnePart, List<double> Scdet, ShotAnalysis Analysis)> AlternateAsync(
        ShotDetector ours, ShotDetector onePart, MediaInfo info, string file, int runs, CancellationToken ct)
    {
        List<double> a = [], b = [], c = [];
        ShotAnalysis? last = null;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            last = await ours.AnalyzeAsync(info, ct);
            a.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            await RunScdetAsync(file, ct);
            c.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            await onePart.AnalyzeAsync(info, ct);
            b.Add(sw.Elapsed.TotalSeconds);
        }
        return (a, b, c, last!);
    }

    private static Task RunScdetAsync(string file, CancellationToken ct) =>
        RunFfmpegAsync(["-nostdin", "-hide_banner", "-v", "error", "-i", file, "-an", "-vf", "scdet", "-f", "null", "-"], ct);

    private static async Task RunFfmpegAsync(string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync(ct);
        await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new InvalidOperationException("ffmpeg failed: " + await err);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : 0.5 * (s[s.Count / 2 - 1] + s[s.Count / 2]);
    }
}
