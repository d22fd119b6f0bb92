using System.CommandLine;
using MultiModalIndexer.Bench;

// `./mmi bench [--filter NAME] [--quick] [--out FILE] [--list]`: the launcher builds and runs this
// separate program, so benchmark and evaluation code never ships inside `mmi`.
var filter = new Option<string?>("--filter") { Description = "Run only cases whose name contains this (e.g. media, clip, ocr, store)." };
var quick = new Option<bool>("--quick") { Description = "Fewer iterations (smoke run)." };
var output = new Option<string?>("--out") { Description = "JSON output path (default bench/results/bench-<time>.json)." };
var list = new Option<bool>("--list") { Description = "List the cases and exit." };
var root = new RootCommand("Run benchmarks (each against a peer measured in the same run).") { filter, quick, output, list };
root.SetAction(async (pr, ct) =>
{
    if (pr.GetValue(list))
    {
        foreach (var c in BenchRunner.AllCases()) Console.WriteLine($"{c.Name,-28} {c.Description}");
        return 0;
    }
    return await BenchRunner.RunAsync(pr.GetValue(filter), pr.GetValue(quick), pr.GetValue(output), ct);
});
return await root.Parse(args).InvokeAsync();
