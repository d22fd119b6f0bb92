using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Bench;

/// <summary>Finds every <see cref="IBenchCase"/>, runs the selected ones, writes JSON + a short table.</summary>
public static class BenchRunner
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IReadOnlyList<IBenchCase> AllCases() =>
        typeof(BenchRunner).Assembly.GetTypes()
            .Where(t => typeof(IBenchCase).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBenchCase)Activator.CreateInstance(t)!)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();

    public static async Task<int> RunAsync(string? filter, bool quick, string? outPath, CancellationToken ct)
    {
        var cases = AllCases().Where(c => filter is null || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        if (cases.Count == 0)
        {
            Console.Error.WriteLine($"No benchmark case matches '{filter}'. Cases: {string.Join(", ", AllCases().Select(c => c.Name))}");
            return 2;
        }

        var work = Path.Combine(ProjectPaths.CacheDir, "bench");
        Directory.CreateDirectory(work);
        var ctx = new BenchContext { Quick = quick, WorkDir = work };
        var results = new List<BenchResult>();
        foreach (var c in cases)
        {
            ct.ThrowIfCancellationRequested();
            Console.Error.WriteLine($"[bench] {c.Name}: {c.Description}");
            var sw = Stopwatch.StartNew();
            BenchResult r;
            try
            {
                r = await c.RunAsync(ctx, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                r = new BenchResult { Name = c.Name, Skipped = "failed: " + e.Message };
            }
            r.Add("case_wall_time", sw.Elapsed.TotalSeconds, "s");
            results.Add(r);
        }

        var report = new
        {
            machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
            startedAt = DateTimeOffset.UtcNow,
            quick,
            results,
        };
        outPath ??= Path.Combine(ProjectPaths.Root ?? ".", "bench", "results", $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(report, ReportJson), ct);
        Console.WriteLine(Table(results));
        Console.WriteLine($"JSON: {outPath}");
        return results.Any(r => r.Skipped?.StartsWith("failed", StringComparison.Ordinal) == true) ? 1 : 0;
    }

    public static string Table(IEnumerable<BenchResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"case",-28} {"metric",-40} {"value",14} unit");
        foreach (var r in results)
        {
            if (r.Skipped is not null) sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Name,-28} {"SKIPPED: " + r.Skipped}");
            foreach (var m in r.Metrics)
                sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Name,-28} {m.Name,-40} {m.Value,14:0.###} {m.Unit}");
            foreach (var n in r.Notes) sb.AppendLine(CultureInfo.InvariantCulture, $"{"",-28} note: {n}");
        }
        return sb.ToString();
    }
}
