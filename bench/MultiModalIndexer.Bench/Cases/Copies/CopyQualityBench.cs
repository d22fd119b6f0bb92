using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Common;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Copies.Evaluation;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Bench.Cases.Copies;

/// <summary>
/// Detection quality on the generated transform set (CopySetGenerator: 18 transformed excerpts
/// between filler, 10 negatives, 6 of them generated look-alike footage) with the issue's rule, ours against ffmpeg's MPEG-7 `signature`
/// filter (detectmode=full, nb_inputs=2) in the same run. Ours searches the whole library (the
/// generated videos + ../shared/media/video); signature, which compares two files, gets each
/// query paired with its true source (positives) or with one library video (negatives).
/// </summary>
public sealed partial class CopyQualityBench : IBenchCase
{
    public string Name => "copies.quality";
    public string Description => "copy detection F1 (IoU >= 0.5 spans) and time on the generated set, ours vs ffmpeg signature";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        if (ProjectPaths.SharedDir is not { } shared)
        {
            result.Skipped = "../shared is missing";
            return result;
        }
        var set = await CopySetGenerator.GenerateAsync(shared, Path.Combine(context.WorkDir, "copies-set-v3"), ct: ct);
        await using var sp = CopyBenchSupport.Compose(Path.Combine(context.WorkDir, "copies-quality-data"), new Dictionary<string, string?> { ["Ocr:Enabled"] = "false" });
        var sw = Stopwatch.StartNew();
        var report = await CopyBenchSupport.IndexAsync(sp, ct, set.LibraryDir, set.SharedVideoDir);
        var indexSeconds = sw.Elapsed.TotalSeconds;
        var detector = sp.GetRequiredService<CopyDetector>();
        var index = await detector.GetIndexAsync(ct);
        var libraryHours = index.Videos.Sum(v => v.Duration) / 3600;

        var ours = new List<(CopyQuery, IReadOnlyList<CopyMatch>)>();
        var before = new List<(CopyQuery, IReadOnlyList<CopyMatch>)>();
        var ourMs = new List<double>();
        var fingerprinter = sp.GetRequiredService<QueryFingerprinter>();
        // The thresholds before generated look-alike footage was in the set (no common-frame weighting,
        // 2 s spans), on the same fingerprints: what the change bought.
        var previous = new CopyOptions { CommonFrameVideos = 10_000, MinSpanSeconds = 2 };
        foreach (var q in set.Queries)
        {
            sw.Restart();
            var r = await detector.FindAsync(q.Path, ct);
            ourMs.Add(sw.Elapsed.TotalMilliseconds);
            ours.Add((q, r.Matches));
            before.Add((q, CopyDetector.Match(index, await fingerprinter.FingerprintAsync(q.Path, ct), previous)));
        }
        var ourScore = CopyScore.Of(ours);
        var beforeScore = CopyScore.Of(before);

        var peer = new List<(CopyQuery, IReadOnlyList<CopyMatch>)>();
        var peerMs = new List<double>();
        var probe = new MediaProbe(new MediaOptions());
        var fallbackRef = set.Queries.First(q => q.SourceVideo is not null).SourceVideo!;
        foreach (var q in set.Queries)
        {
            var reference = q.SourceVideo ?? fallbackRef;
            var qFps = (await probe.ProbeAsync(q.Path, ct)).Video?.Fps ?? 25;
            var rFps = (await probe.ProbeAsync(reference, ct)).Video?.Fps ?? 25;
            sw.Restart();
            var m = await SignatureAsync(q.Path, reference, qFps, rFps, ct);
            peerMs.Add(sw.Elapsed.TotalMilliseconds);
            peer.Add((q, m is null ? [] : [m]));
        }
        var peerScore = CopyScore.Of(peer);

        result.Add("ours_f1", ourScore.F1, "")
            .Add("ours_precision", ourScore.Precision, "")
            .Add("ours_recall", ourScore.Recall, "")
            .Add("ours_query_ms_median", CopyBenchSupport.Median(ourMs), "ms")
            .Add("ours_f1_previous_thresholds", beforeScore.F1, "")
            .Add("signature_f1", peerScore.F1, "")
            .Add("signature_precision", peerScore.Precision, "")
            .Add("signature_recall", peerScore.Recall, "")
            .Add("signature_pair_ms_median", CopyBenchSupport.Median(peerMs), "ms")
            .Add("library_hours", libraryHours, "h")
            .Add("library_fingerprint_kib_per_hour", index.SampleCount * (double)MultiModalIndexer.Documents.VideoFingerprint.BytesPerSample / 1024 / libraryHours, "KiB/h")
            .Add("library_index_seconds", indexSeconds, "s");
        foreach (var t in CopySetGenerator.Transforms)
        {
            result.Add($"ours_correct_{t}", ourScore.Verdicts.Count(v => v.Query.Transform == t && v.Query.SourceVideo is not null && v.Correct), "of 3");
            result.Add($"signature_correct_{t}", peerScore.Verdicts.Count(v => v.Query.Transform == t && v.Query.SourceVideo is not null && v.Correct), "of 3");
        }
        result.Notes.Add($"ours: TP {ourScore.TruePositives} FP {ourScore.FalsePositives} FN {ourScore.FalseNegatives} TN {ourScore.TrueNegatives}; " +
                         $"previous thresholds: TP {beforeScore.TruePositives} FP {beforeScore.FalsePositives} FN {beforeScore.FalseNegatives} TN {beforeScore.TrueNegatives}; " +
                         $"signature: TP {peerScore.TruePositives} FP {peerScore.FalsePositives} FN {peerScore.FalseNegatives} TN {peerScore.TrueNegatives}");
        result.Notes.Add($"ours: whole library ({report.Indexed} videos, {libraryHours * 60:0.0} min), in-process query time incl. ffprobe + decode of the query; " +
                         "signature: one ffmpeg run per (query, reference) pair, both decoded in full");
        result.Notes.AddRange(CopyBenchSupport.MissNotes(ourScore, ours));
        return result;
    }

    [GeneratedRegex(@"matching of video 0 at (?<q>[0-9.]+) and 1 at (?<r>[0-9.]+), (?<n>\d+) frames matching")]
    private static partial Regex MatchLine();

    /// <summary>ffmpeg's signature filter on one pair; its first reported match as a span on both sides.</summary>
    private static async Task<CopyMatch?> SignatureAsync(string query, string reference, double qFps, double rFps, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in (string[])["-nostdin", "-hide_banner", "-i", query, "-i", reference, "-filter_complex", "signature=detectmode=full:nb_inputs=2", "-f", "null", "-"])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync(ct);
        await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        var m = MatchLine().Match(await err);
        if (!m.Success) return null;
        var inv = CultureInfo.InvariantCulture;
        double qs = double.Parse(m.Groups["q"].Value, inv), rs = double.Parse(m.Groups["r"].Value, inv);
        var n = int.Parse(m.Groups["n"].Value, inv);
        return new CopyMatch(reference, rs, rs + n / rFps, qs, qs + n / qFps, 1);
    }
}
