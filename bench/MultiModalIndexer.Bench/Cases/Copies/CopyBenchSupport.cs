using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Copies.Evaluation;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;

namespace MultiModalIndexer.Bench.Cases.Copies;

internal static class CopyBenchSupport
{
    /// <summary>The real composition (embedded store in <paramref name="dataDir"/>); CLIP/ASR are off when their weights are absent anyway. MMI__... environment variables override (A/B runs).</summary>
    public static ServiceProvider Compose(string dataDir, IDictionary<string, string?>? extra = null)
    {
        if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        Directory.CreateDirectory(dataDir);
        var settings = new Dictionary<string, string?>
        {
            ["Indexing:DataDir"] = dataDir,
            ["Clip:Enabled"] = "false",
            ["Speech:Enabled"] = "false",
        };
        foreach (var kv in extra ?? new Dictionary<string, string?>()) settings[kv.Key] = kv.Value;
        return new ServiceCollection().AddMultiModalIndexer(new ConfigurationBuilder().AddInMemoryCollection(settings).AddEnvironmentVariables("MMI__").Build()).BuildServiceProvider();
    }

    public static Task<IndexRunReport> IndexAsync(ServiceProvider sp, CancellationToken ct, params string[] roots) =>
        sp.GetRequiredService<Indexer>().RunAsync(roots.Select((r, i) => new SourceOptions { Name = $"s{i}", Root = r }).ToList(), ct);

    /// <summary>For each wrong answer: the truth and every span found with its score.</summary>
    public static IEnumerable<string> MissNotes(CopyScore score, IReadOnlyList<(CopyQuery Query, IReadOnlyList<CopyMatch> Matches)> answers) =>
        score.Verdicts.Where(v => !v.Correct).Select(v =>
        {
            var all = answers.First(o => o.Query == v.Query).Matches;
            var truth = v.Query.SourceVideo is null ? "a negative"
                : $"truth {Path.GetFileName(v.Query.SourceVideo)} {v.Query.RefStart:0.0}-{v.Query.RefEnd:0.0} / q {v.Query.QueryStart:0.0}-{v.Query.QueryEnd:0.0}";
            return $"ours missed {v.Query.Name} ({truth}): " + (all.Count == 0 ? "no match"
                : string.Join("; ", all.Select(f => $"{Path.GetFileName(f.Video)} {f.Start:0.0}-{f.End:0.0} / q {f.QueryStart:0.0}-{f.QueryEnd:0.0} score {f.Score:0.00}")));
        });

    public static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : 0.5 * (s[s.Count / 2 - 1] + s[s.Count / 2]);
    }
}
