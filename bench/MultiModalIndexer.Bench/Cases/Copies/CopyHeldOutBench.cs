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
/// (comma-separated; default 1,2).
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
        foreach (var seed in seeds) sets.Add((seed, await CopySetGenerator.HeldOutAsync(shared, setDir, seed, ct: ct)));
        await using var sp = CopyBenchSupport.Compose(Path.Combine(context.WorkDir, "copies-heldout-data"), new Dictionary<string, string?> { ["Ocr:Enabled"] = "false" });
        await CopyBenchSupport.IndexAsync(sp, ct, sets[0].Set.LibraryDir, sets[0].Set.SharedVideoDir);
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
        foreach (var t in CopySetGenerator.Transforms)
            result.Add($"ours_correct_{t}", total.Verdicts.Count(v => v.Query.Transform == t && v.Query.SourceVideo is not null && v.Correct),
                $"of {total.Verdicts.Count(v => v.Query.Transform == t && v.Query.SourceVideo is not null)}");
        result.Add("ours_correct_negatives", total.TrueNegatives, $"of {all.Count(a => a.Query.SourceVideo is null)}");
        return result;
    }
}
