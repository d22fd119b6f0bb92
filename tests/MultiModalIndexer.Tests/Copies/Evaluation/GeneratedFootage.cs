using System.Diagnostics;
using System.Globalization;

namespace MultiModalIndexer.Copies.Evaluation;

/// <summary>
/// Cheap synthetic footage from ffmpeg's lavfi sources (fractal zooms, life, cellular automata,
/// Sierpinski, gradients), the kind a test library of "a few hundred generated videos" is made of.
/// Clip <c>i</c> of a <see cref="Pool"/> always gets the same source and parameters. The two pools
/// never share footage: their fractal zooms aim at different points and the seeded sources draw
/// different seeds, so unseen clips look like the library's (the same kind of picture) without
/// copying any of it — the hard negatives and fillers for copy detection.
/// </summary>
public static class GeneratedFootage
{
    public enum Pool { Library, Unseen }

    // Points on the Mandelbrot set's boundary worth zooming into, split between the pools.
    // Not ffmpeg's default point: the evaluation library's fractal.mp4 zooms into that one already.
    private static readonly (double X, double Y)[] LibraryPoints =
        [(-0.235125, 0.827215), (-0.1011, 0.9563), (-1.25066, 0.02012), (0.001643721971153, -0.822467633298876)];
    private static readonly (double X, double Y)[] UnseenPoints =
        [(-0.7453, 0.1127), (-1.7687, 0.0017), (-0.16, 1.0405), (0.3602, -0.6413)];

    public static readonly string[] Kinds = ["mandelbrot", "life", "cellauto", "sierpinski", "gradients"];

    /// <summary>The lavfi source of clip <paramref name="i"/> of a pool, at the given size.</summary>
    public static string Source(Pool pool, int i, int width, int height)
    {
        var rng = new Random((pool == Pool.Library ? 1_000 : 2_000_000) + i * 7919);
        var inv = CultureInfo.InvariantCulture;
        var s = $"s={width}x{height}:r=25";
        var seed = rng.Next(1, int.MaxValue / 2) * 2 + (pool == Pool.Library ? 0 : 1); // disjoint seeds
        switch (Kinds[i % Kinds.Length])
        {
            case "mandelbrot":
                {
                    var points = pool == Pool.Library ? LibraryPoints : UnseenPoints;
                    var (x, y) = points[i / Kinds.Length % points.Length];
                    var startScale = Math.Pow(10, -3 + 3.4 * rng.NextDouble());
                    var endScale = startScale * Math.Pow(10, -1 - rng.NextDouble());
                    var endPts = 200 + rng.Next(600);
                    return string.Create(inv, $"mandelbrot={s}:maxiter=1024:start_x={x}:start_y={y}:start_scale={startScale:0.######}:end_scale={endScale:0.#########}:end_pts={endPts}");
                }
            case "life":
                return string.Create(inv, $"life={s}:seed={seed}:ratio={0.1 + 0.5 * rng.NextDouble():0.###}:mold={rng.Next(0, 20)}:life_color=#{rng.Next(0x404040, 0xFFFFFF):x6}:death_color=#{rng.Next(0, 0x404040):x6}");
            case "cellauto":
                return string.Create(inv, $"cellauto={s}:rule={rng.Next(1, 255)}:seed={seed}:random_fill_ratio={0.2 + 0.6 * rng.NextDouble():0.###}");
            case "sierpinski":
                return string.Create(inv, $"sierpinski={s}:seed={seed}:jump={rng.Next(10, 100)}:type={(rng.Next(2) == 0 ? "carpet" : "triangle")}");
            default:
                {
                    // Moving colour gradients drawn by geq: ffmpeg 5.1's own gradients source ignores its seed
                    // (two runs differ from the first frame), which made the set differ per machine.
                    double F() => 0.3 + 1.5 * rng.NextDouble();
                    double V() => (rng.Next(2) == 0 ? -1 : 1) * (0.2 + 1.2 * rng.NextDouble());
                    return string.Create(inv,
                        $"nullsrc={s},geq=lum='128+90*sin(2*PI*(X*{F():0.###}+Y*{F():0.###})/W+T*{V():0.###})':cb='128+60*sin(2*PI*(X*{F():0.###}-Y*{F():0.###})/W+T*{V():0.###})':cr='128+60*cos(2*PI*Y*{F():0.###}/H+T*{V():0.###})',format=yuv420p");
                }
        }
    }

    /// <summary>Clips <paramref name="first"/>.. of a pool as small H.264 files in <paramref name="dir"/> (existing files are reused).</summary>
    public static async Task<List<string>> GenerateAsync(string dir, Pool pool, int first, int count, double seconds, int width, int height,
        string ffmpeg = "ffmpeg", CancellationToken ct = default)
    {
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        for (var i = first; i < first + count; i++)
        {
            var output = Path.Combine(dir, $"{(pool == Pool.Library ? "gen" : "unseen")}{i:D3}-{Kinds[i % Kinds.Length]}.mp4");
            files.Add(output);
            if (File.Exists(output)) continue;
            await RunAsync(ffmpeg, ["-f", "lavfi", "-i", Source(pool, i, width, height), "-t", seconds.ToString(inv),
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"], output, ct);
        }
        return files;
    }

    internal static async Task RunAsync(string ffmpeg, IEnumerable<string> args, string output, CancellationToken ct)
    {
        var tmp = $"{output}.{Environment.ProcessId}.part.mp4"; // another process may be making the same file
        var psi = new ProcessStartInfo(ffmpeg) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-nostdin", "-v", "error", "-y"]) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(tmp);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {ffmpeg}");
        var err = await p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed making {Path.GetFileName(output)}: {err}");
        File.Move(tmp, output, overwrite: true); // complete files only, so reuse never meets half a file
    }
}
