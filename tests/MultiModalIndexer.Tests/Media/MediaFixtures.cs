using System.Diagnostics;
using System.Globalization;
using MultiModalIndexer.Media;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Media;

/// <summary>All media tests share one collection: they run one at a time so the child-process check sees only its own ffmpeg.</summary>
[CollectionDefinition("media", DisableParallelization = true)]
public sealed class MediaCollection;

/// <summary>Generated media (cached under .cache/fixtures/media, made once by ffmpeg) and process helpers.</summary>
internal static class MediaFixtures
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    public static string Dir => TestPaths.FixtureDir("media");
    public static string Video(string name) => TestPaths.SharedFile("media", "video", name);

    /// <summary>Known edit: testsrc2 4 s | cut @4.0 | photo zoom | dissolve mid 7.5 | smptebars | fade-black mid 10.5 | colour; 14 s, 440 Hz audio.</summary>
    public static Task<string> KnownEditAsync() => MakeAsync("known_edit2.mp4", path =>
    [
        "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=4",
        "-i", TestPaths.SharedFile("media", "images", "skimage", "astronaut.png"),
        "-f", "lavfi", "-i", "smptebars=s=320x180:r=25:d=4",
        "-f", "lavfi", "-i", "color=c=#3060a0:s=320x180:r=25:d=4",
        "-f", "lavfi", "-i", "sine=f=440:d=14",
        "-filter_complex",
        "[0:v]fps=25,format=yuv420p,setsar=1,settb=AVTB[a];" +
        "[1:v]scale=640:360:force_original_aspect_ratio=increase,crop=640:360,zoompan=z='min(1+0.0015*on,1.4)':d=100:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s=320x180:fps=25,format=yuv420p,setsar=1,settb=AVTB[b];" +
        "[2:v]fps=25,format=yuv420p,setsar=1,settb=AVTB[c];" +
        "[3:v]drawtext=fontfile=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:text='Scene 4':fontsize=30:fontcolor=white:x=100:y='40+t*10',fps=25,format=yuv420p,setsar=1,settb=AVTB[d];" +
        "[a][b]concat=n=2:v=1:a=0[ab];[ab][c]xfade=transition=dissolve:duration=1:offset=7[abc];[abc][d]xfade=transition=fadeblack:duration=1:offset=10[v]",
        "-map", "[v]", "-map", "4:a", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", "-shortest", path,
    ]);

    /// <summary>24 s of four different sources joined by cuts, 25 fps, a keyframe every 2 s; the container follows the name.</summary>
    public static Task<string> EditAsync(string name, params string[] codec) => LavfiAsync(name,
        "testsrc2=s=320x180:r=25:d=6[a];mandelbrot=s=320x180:r=25,trim=duration=6,setpts=PTS-STARTPTS[b];" +
        "smptebars=s=320x180:r=25:d=6[c];life=s=320x180:r=25:mold=10:ratio=0.2:seed=7,trim=duration=6,setpts=PTS-STARTPTS[d];" +
        "[a][b][c][d]concat=n=4:v=1:a=0,format=yuv420p",
        ["-c:v", .. codec, "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"]);

    public static Task<string> LavfiAsync(string name, string source, params string[] extra) =>
        MakeAsync(name, path => ["-f", "lavfi", "-i", source, .. extra, path]);

    /// <summary>Runs the generator script once for a set of edited clips with truth.json.</summary>
    public static async Task<string> ShotSetAsync(int count, int seed)
    {
        var dir = Path.Combine(Dir, $"shotset-{count}-{seed}");
        if (File.Exists(Path.Combine(dir, "truth.json"))) return dir;
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(dir, "truth.json"))) return dir;
            var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_shot_clips.py");
            var tmp = dir + ".tmp";
            if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
            await RunAsync("/usr/bin/python3", [script, tmp, "--count", count.ToString(CultureInfo.InvariantCulture), "--seed",
                seed.ToString(CultureInfo.InvariantCulture), "--images", TestPaths.SharedFile("media", "images")]);
            Directory.Move(tmp, dir);
            return dir;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> MakeAsync(string name, Func<string, string[]> args)
    {
        var path = Path.Combine(Dir, name);
        if (File.Exists(path)) return path;
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(path)) return path;
            var tmp = Path.Combine(Dir, "tmp-" + name);
            await RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-y", .. args(tmp)]);
            File.Move(tmp, path, overwrite: true);
            return path;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task RunAsync(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} failed: {await err}");
    }

    /// <summary>ffmpeg/ffprobe processes whose parent is this test process (leaks).</summary>
    public static List<string> ChildTools()
    {
        var me = Environment.ProcessId;
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == me && comm is "ffmpeg" or "ffprobe")
                    found.Add($"{pid} {comm} state {fields[0]}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Process ended while we looked.
            }
        }
        return found;
    }

    /// <summary>Waits briefly for children to be reaped, then asserts none is left.</summary>
    public static async Task AssertNoChildToolsAsync()
    {
        for (var i = 0; i < 20 && ChildTools().Count > 0; i++) await Task.Delay(100);
        Assert.Empty(ChildTools());
    }

    public static async Task<(MediaInfo Info, ShotAnalysis Shots)> AnalyzeAsync(string path, MediaOptions? options = null)
    {
        options ??= new MediaOptions();
        var info = await new MediaProbe(options).ProbeAsync(path);
        return (info, await new ShotDetector(options).AnalyzeAsync(info));
    }

    public static void AssertCutNear(IReadOnlyList<double> cuts, double expected, double tolerance) =>
        Assert.True(cuts.Count(c => Math.Abs(c - expected) <= tolerance) == 1,
            $"expected exactly one boundary within ±{tolerance} s of {expected}; got [{string.Join(", ", cuts)}]");
}
