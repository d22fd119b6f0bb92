using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Common;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Copies.Evaluation;

namespace MultiModalIndexer.Bench.Cases.Copies;

/// <summary>
/// The error rate on real footage, from sets no threshold was tuned on (CopySetGenerator.HeldOutAsync):
/// every clip of ../shared/media/video under every transform, at a random start and length, plus
/// negatives of unseen footage, against the copies.quality library. Seeds from MMI_BENCH_SEEDS
/// (comma-separated; default 1,2); MMI_BENCH_EXTRA_GENERATED=N adds N generated clips (those of
/// copies.cli) to the library; MMI_BENCH_EXCERPT=S,L draws excerpt lengths from S to L seconds. Copies whose span shows no change of picture (flat or still
/// clips) are also scored apart: no fingerprint of pictures can say where in such a clip they are.
/// </summary>
public sealed class CopyHeldOutBench : IBenchCase
{
    public string Name => "copies.heldout";
    public string Description => "copy detection F1 on held-out random excerpts of the real clips (seeds MMI_BENCH_SEEDS, default 1,2)";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        if (ProjectPaths.SharedDir is not { } shared)
        {
            result.Skipped = "../shared is missing";
            return result;
        }
        var seeds = (Environment.GetEnvironmentVariable("MMI_BENCH_SEEDS") is { Length: > 0 } s ? s : "1,2")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToList();
        var setDir = Path.Combine(context.WorkDir, "copies-set-v3");
        var sets = new List<(int Seed, CopySet Set)>();
        // MMI_BENCH_EXCERPT=S,L: excerpts of S to L seconds (default 4,12 as in the issue; the short ones are the hard ones).
        var range = (Environment.GetEnvironmentVariable("MMI_BENCH_EXCERPT") is { Length: > 0 } e ? e : "4,12").Split(',')
            .Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        foreach (var seed in seeds) sets.Add((seed, await CopySetGenerator.HeldOutAsync(shared, setDir, seed, range[0], range[1], ct: ct)));
        await using var sp = CopyBenchSupport.Compose(Path.Combine(context.WorkDir, "copies-heldout-data"), new Dictionary<string, string?> { ["Ocr:Enabled"] = "false" });
        List<string> roots = [sets[0].Set.LibraryDir, sets[0].Set.SharedVideoDir];
        // A bigger library of generated look-alikes, as in copies.cli (the same files): more chances for a false match.
        if (int.TryParse(Environment.GetEnvironmentVariable("MMI_BENCH_EXTRA_GENERATED"), CultureInfo.InvariantCulture, out var extra) && extra > 0)
        {
            var dir = Path.Combine(context.WorkDir, "copies-cli", "generated");
            await GeneratedFootage.GenerateAsync(dir, GeneratedFootage.Pool.Library, 0, extra, 6, 320, 180, ct: ct);
            roots.Add(dir);
            result.Notes.Add($"library: the copies.quality library plus the {Directory.GetFiles(dir, "*.mp4").Length} generated clips of copies.cli");
        }
        var report = await CopyBenchSupport.IndexAsync(sp, ct, [.. roots]);
        if (report.Failed.Count > 0) result.Notes.Add($"{report.Failed.Count} library files failed to index");
        var detector = sp.GetRequiredService<CopyDetector>();
        var all = new List<(CopyQuery Query, IReadOnlyList<CopyMatch> Matches)>();
        foreach (var (seed, set) in sets)
        {
            var answers = new List<(CopyQuery Query, IReadOnlyList<CopyMatch> Matches)>();
            foreach (var q in set.Queries) answers.Add((q, (await detector.FindAsync(q.Path, ct)).Matches));
            var score = CopyScore.Of(answers);
            result.Add($"ours_f1_seed{seed}", score.F1, "");
            result.Notes.Add($"seed {seed}: TP {score.TruePositives} FP {score.FalsePositives} FN {score.FalseNegatives} TN {score.TrueNegatives}");
            result.Notes.AddRange(CopyBenchSupport.MissNotes(score, answers).Select(n => $"seed {seed}: {n}"));
            all.AddRange(answers);
        }
        var total = CopyScore.Of(all);
        result.Add("ours_f1", total.F1, "").Add("ours_precision", total.Precision, "").Add("ours_recall", total.Recall, "")
            .Add("queries", all.Count, "");
        // Some excerpts carry no visual evidence of where they come from: fades.mp4 and autocut_test001.mp4 have no
        // frame with the contrast to hash, manifesto.mp4 is one still card for 88 s (any span of it looks the same).
        // Scored apart, by the library's own samples: a copy is localisable when its span holds at least
        // MinMatchedFrames samples and the picture changes within it (some sample > 8 bits from the first).
        var index = await detector.GetIndexAsync(ct);
        var options = sp.GetRequiredService<CopyOptions>();
        bool Localisable(CopyQuery q)
        {
            if (q.SourceVideo is null) return true;
            var v = index.Videos.ToList().FindIndex(x => CopyScore.SameVideo(x.SourcePath, q.SourceVideo));
            if (v < 0) return false;
            var times = index.TimesOf(v);
            var hashes = index.HashesOf(v);
            var inside = new List<ulong>();
            for (var i = 0; i < times.Length; i++)
                if (times[i] >= q.RefStart && times[i] <= q.RefEnd) inside.Add(hashes[i]);
            return inside.Count >= options.MinMatchedFrames && inside.Any(h => MultiModalIndexer.Media.PerceptualHash.Distance(h, inside[0]) > 8);
        }
        // Where the score threshold (Copies:MinScore) stands between right first answers and wrong ones.
        var right = total.Verdicts.Where(v => v.Correct && v.First is not null).Select(v => v.First!.Score).Order().ToList();
        // Wrong videos only: a right video at the wrong span (a still card) is no chance match.
        var wrong = total.Verdicts.Where(v => !v.Correct && v.First is { } f && (v.Query.SourceVideo is null || !CopyScore.SameVideo(f.Video, v.Query.SourceVideo)))
            .Select(v => v.First!.Score).Order().ToList();
        if (right.Count > 0) result.Add("right_first_score_min", right[0], "").Add("right_first_score_p10", right[right.Count / 10], "");
        result.Add("wrong_video_first", wrong.Count, "");
        // Evidence (score x query seconds, Copies:MinEvidenceSeconds) of right first answers, and how many wrong-video spans were reported.
        var rightEvidence = total.Verdicts.Where(v => v.Correct && v.First is not null).Select(v => v.First!.Score * (v.First.QueryEnd - v.First.QueryStart)).ToList();
        if (rightEvidence.Count > 0) result.Add("right_first_evidence_min", rightEvidence.Min(), "s");
        result.Add("wrong_video_spans", all.Sum(a => a.Matches.Count(m => a.Query.SourceVideo is null || !CopyScore.SameVideo(m.Video, a.Query.SourceVideo))), "");
        var split = all.ToLookup(a => Localisable(a.Query));
        var local = CopyScore.Of(split[true]);
        result.Add("ours_f1_localisable", local.F1, "").Add("localisable_queries", split[true].Count(), $"of {all.Count}");
        result.Notes.Add($"localisable copies (the picture changes within the copied span): TP {local.TruePositives} FP {local.FalsePositives} " +
                         $"FN {local.FalseNegatives} TN {local.TrueNegatives}; not localisable: " +
                         string.Join(", ", split[false].Select(a => Path.GetFileNameWithoutExtension(a.Query.SourceVideo)).Distinct()));
        foreach (var t in CopySetGenerator.Transforms)
            result.Add($"ours_correct_{t}", total.Verdicts.Count(v => v.Query.Transform == t && v.Query.SourceVideo is not null && v.Correct),
                $"of {total.Verdicts.Count(v => v.Query.Transform == t && v.Query.SourceVideo is not null)}");
        result.Add("ours_correct_negatives", total.TrueNegatives, $"of {all.Count(a => a.Query.SourceVideo is null)}");
        return result;
    }
}
