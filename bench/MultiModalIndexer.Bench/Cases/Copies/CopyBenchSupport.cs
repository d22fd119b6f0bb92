using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;

namespace MultiModalIndexer.Bench.Cases.Copies;

internal static class CopyBenchSupport
{
    /// <summary>The real composition (embedded store in <paramref name="dataDir"/>); CLIP/ASR are off when their weights are absent anyway.</summary>
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
        return new ServiceCollection().AddMultiModalIndexer(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
    }

    public static Task<IndexRunReport> IndexAsync(ServiceProvider sp, CancellationToken ct, params string[] roots) =>
        sp.GetRequiredService<Indexer>().RunAsync(roots.Select((r, i) => new SourceOptions { Name = $"s{i}", Root = r }).ToList(), ct);

    public static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : 0.5 * (s[s.Count / 2 - 1] + s[s.Count / 2]);
    }
}
