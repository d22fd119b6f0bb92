using System.Diagnostics;
using System.Globalization;
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
        var file = BenchContext.SharedFile("media/video/big_buck_bunny_0_30.webm");
        if (file is null)
        {
            result.Skipped = "../shared/media/video/big_buck_bunny_0_30.webm is missing";
            return result;
        }
        var options = new MediaOptions();
        var info = await new MediaProbe(options).ProbeAsync(file, ct);
        var detector = new ShotDetector(options);
        // The same detection with the analysis decode in one part, to show what the split adds, and by
        // the ffmpeg command (split as before) instead of inside the process, to show what that adds.
        var onePart = new ShotDetector(new MediaOptions { Shots = { DecodeParts = 1 } });
        var command = new ShotDetector(new MediaOptions { Shots = { InProcessDecode = false } });
        var plan = await DecodeSplit.PlanAsync(options, info, info.Video!, ShotDetector.AnalysisFps(info.Video!, options.Shots), null, ct);
        var runs = context.Quick ? 1 : 7;

        // Warm-up of all (page cache, JIT), then alternate so background load hits each alike.
        var (frames, _) = await detector.DecodeFeaturesAsync(info, ct);
        await onePart.AnalyzeAsync(info, ct);
        await command.AnalyzeAsync(info, ct);
        await RunScdetAsync(file, ct);
        var (ours, single, viaCommand, peer, analysis) = await AlternateAsync(detector, onePart, command, info, file, runs, ct);
        var sourceFrames = info.Video?.FrameCount ?? (long)Math.Round(info.Duration * (info.Video?.Fps ?? 24));
        AddRatios(result, "", ours, single, viaCommand, peer);
        result.Add("ours_frames_per_second", sourceFrames / ours.WallMedian, "frames/s")
            .Add("scdet_frames_per_second", sourceFrames / peer.WallMedian, "frames/s")
            .Add("in_process_decode", InProcessDecode.Qualifies(info.Video!, ShotDetector.AnalysisFps(info.Video!, options.Shots), options.Shots) ? 1 : 0, "bool")
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
        var longRuns = context.Quick ? 1 : 5;
        var (lOurs, lSingle, lCommand, lPeer, _) = await AlternateAsync(detector, onePart, command, longInfo, longFile, longRuns, ct);
        AddRatios(result, "long_", lOurs, lSingle, lCommand, lPeer);
        result.Notes.Add($"long: {longInfo.Duration:0} s (the clip looped 4x by stream copy), median of {longRuns} alternating runs");
        return result;
    }

    /// <summary>Wall and CPU seconds (this process and its waited-for children) of each run of one variant.</summary>
    private sealed class Runs
    {
        public List<double> Wall { get; } = [];
        public List<double> Cpu { get; } = [];
        public double WallMedian => Median(Wall);
        public double CpuMedian => Median(Cpu);

        public async Task<T> TimeAsync<T>(Func<Task<T>> run)
        {
            var cpu = CpuSeconds();
            var sw = Stopwatch.StartNew();
            var result = await run();
            Wall.Add(sw.Elapsed.TotalSeconds);
            Cpu.Add(CpuSeconds() - cpu);
            return result;
        }
    }

    /// <summary>
    /// utime + stime + cutime + cstime from /proc/self/stat: our threads and every ffmpeg we waited for.
    /// On a loaded machine wall time measures the share of the cores a variant gets (more threads, more
    /// share), so the CPU seconds show the work itself. Ticks are 1/100 s on Linux.
    /// </summary>
    private static double CpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14-17 of proc(5), counted from the state field (3) here.
        return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture) + long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Ours, scdet, ours in one part and ours by the command, alternated so background load hits each alike.</summary>
    private static async Task<(Runs Ours, Runs OnePart, Runs Command, Runs Scdet, ShotAnalysis Analysis)> AlternateAsync(
        ShotDetector ours, ShotDetector onePart, ShotDetector command, MediaInfo info, string file, int runs, CancellationToken ct)
    {
        Runs a = new(), b = new(), c = new(), d = new();
        ShotAnalysis? last = null;
        for (var i = 0; i < runs; i++)
        {
            last = await a.TimeAsync(() => ours.AnalyzeAsync(info, ct));
            await d.TimeAsync(async () => { await RunScdetAsync(file, ct); return 0; });
            await b.TimeAsync(() => onePart.AnalyzeAsync(info, ct));
            await c.TimeAsync(() => command.AnalyzeAsync(info, ct));
        }
        return (a, b, c, d, last!);
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

    private static void AddRatios(BenchResult result, string prefix, Runs ours, Runs onePart, Runs command, Runs scdet)
    {
        foreach (var (name, runs) in new[] { ("ours", ours), ("ours_one_part", onePart), ("ours_ffmpeg_command", command), ("scdet", scdet) })
            result.Add($"{prefix}{name}_seconds_median", runs.WallMedian, "s").Add($"{prefix}{name}_cpu_seconds_median", runs.CpuMedian, "s");
        foreach (var (name, runs) in new[] { ("ours", ours), ("one_part", onePart), ("ffmpeg_command", command) })
            result.Add($"{prefix}speed_ratio_{name}_over_scdet", scdet.WallMedian / runs.WallMedian, "x")
                .Add($"{prefix}cpu_ratio_{name}_over_scdet", scdet.CpuMedian / runs.CpuMedian, "x");
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : 0.5 * (s[s.Count / 2 - 1] + s[s.Count / 2]);
    }
}
