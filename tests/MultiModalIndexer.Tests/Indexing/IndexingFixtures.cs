using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Indexing;

/// <summary>One generated scene: a flat colour with a burned-in caption.</summary>
public sealed record Scene(string Colour, string Caption, double Seconds);

/// <summary>Small captioned test videos made with ffmpeg lavfi + drawtext (cached by name under .cache/fixtures).</summary>
public static class TestVideos
{
    private const string Font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    private static readonly Lock Gate = new();

    public static string Make(string name, IReadOnlyList<Scene> scenes, bool audio = false, string? audioFile = null)
    {
        lock (Gate) return MakeLocked(name, scenes, audio || audioFile is not null, audioFile);
    }

    private static string MakeLocked(string name, IReadOnlyList<Scene> scenes, bool audio, string? audioFile)
    {
        var dir = TestPaths.FixtureDir("indexing-videos");
        var path = Path.Combine(dir, name);
        if (File.Exists(path) && new FileInfo(path).Length > 0) return path;
        var tmp = Path.Combine(dir, $"{Guid.NewGuid():N}.tmp.mp4");
        var args = new List<string> { "-y", "-v", "error" };
        foreach (var s in scenes)
            args.AddRange(["-f", "lavfi", "-i", $"color=c={s.Colour}:s=640x360:r=10:d={s.Seconds.ToString(CultureInfo.InvariantCulture)}"]);
        var total = scenes.Sum(s => s.Seconds);
        if (audioFile is not null) args.AddRange(["-i", audioFile]);
        else if (audio) args.AddRange(["-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=16000:duration={total.ToString(CultureInfo.InvariantCulture)}"]);
        var graph = string.Concat(scenes.Select((s, i) =>
            s.Caption.Length == 0 ? $"[{i}]null[v{i}];" : $"[{i}]drawtext=fontfile={Font}:text='{s.Caption}':fontsize=44:fontcolor=white:box=1:boxcolor=black@0.8:boxborderw=12:x=(w-tw)/2:y=(h-th)/2[v{i}];"));
        graph += string.Concat(scenes.Select((_, i) => $"[v{i}]")) + $"concat=n={scenes.Count}:v=1:a=0[v]";
        args.AddRange(["-filter_complex", graph, "-map", "[v]"]);
        if (audio) args.AddRange(["-map", $"{scenes.Count}:a", "-c:a", "aac", "-shortest"]);
        args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "10", tmp]);
        Run("ffmpeg", args);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    public static void Run(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{tool} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {err.Result}");
    }

    /// <summary>Three videos with distinct captions, 2 scenes each (a hard cut in the middle).</summary>
    public static IReadOnlyList<string> Trio() =>
    [
        Make("zebra.mp4", [new("red", "ZEBRA HARBOR", 3), new("blue", "QUIET MEADOW", 3)]),
        Make("maple.mp4", [new("green", "MAPLE ORBIT", 3), new("black", "SILVER CANYON", 3)], audio: true),
        Make("cobalt.mp4", [new("purple", "COBALT LANTERN", 3), new("orange", "PAPER ROCKET", 3)]),
    ];

    /// <summary>A video different from every other fixture (used to "modify" a file in place).</summary>
    public static string Other() => Make("other.mp4", [new("yellow", "VELVET THUNDER", 2), new("gray", "AMBER PLANET", 2)]);
}

/// <summary>An indexer over a scratch data folder built by the real composition (embedded store, real stages).</summary>
public sealed class IndexingHarness : IAsyncDisposable
{
    public ServiceProvider Services { get; }
    public string DataDir { get; }
    public Indexer Indexer => Services.GetRequiredService<Indexer>();
    public ISegmentStore Store => Services.GetRequiredService<ISegmentStore>();

    public IndexingHarness(string name, IDictionary<string, string?>? extra = null, string? dataDir = null)
    {
        DataDir = dataDir ?? TestPaths.NewScratchDir(name + "-data");
        var settings = new Dictionary<string, string?>
        {
            ["Indexing:DataDir"] = DataDir,
            ["Indexing:RetryBackoffSeconds"] = "0",
            // Fixture-free runs: CLIP and ASR weights are absent here; OCR (real Tesseract) stays on.
            ["Clip:Enabled"] = "false",
            ["Speech:Enabled"] = "false",
            ["Ocr:MaxEngines"] = "1",
        };
        foreach (var kv in extra ?? new Dictionary<string, string?>()) settings[kv.Key] = kv.Value;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Services = new ServiceCollection().AddMultiModalIndexer(config).BuildServiceProvider();
    }

    public Task<IndexRunReport> RunAsync(params string[] roots) =>
        Indexer.RunAsync(roots.Select((r, i) => new SourceOptions { Name = $"s{i}", Root = r }).ToList());

    public async Task<IReadOnlyList<SegmentDocument>> AllSegmentsAsync()
    {
        var list = new List<SegmentDocument>();
        foreach (var v in await Store.ListVideosAsync(0, 10_000))
            list.AddRange(await Store.GetSegmentsOfVideoAsync(v.Id));
        return list;
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
