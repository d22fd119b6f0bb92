using System.Diagnostics;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Bench.Cases.Clip;

/// <summary>
/// ViT-B/32-sized CLIP encoders with random weights (../shared/tools/make_shape_true_clip.py): real
/// architecture and FLOPs, for speed only. Written on demand into the bench work folder, never committed.
/// </summary>
internal static class ShapeTrueClip
{
    public const string ImageFile = "clip-image-shape-true.onnx";
    public const string TextFile = "clip-text-shape-true.onnx";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string?> EnsureAsync(BenchContext ctx, CancellationToken ct)
    {
        var dir = Path.Combine(ctx.WorkDir, "clip-shape-true");
        var stamp = Path.Combine(dir, ".complete");
        await Gate.WaitAsync(ct);
        try
        {
            if (File.Exists(stamp) && File.Exists(Path.Combine(dir, ImageFile)) && File.Exists(Path.Combine(dir, TextFile))) return dir;
            var script = ProjectPaths.SharedDir is { } shared ? Path.Combine(shared, "tools", "make_shape_true_clip.py") : null;
            if (script is null || !File.Exists(script)) return null;
            ctx.Log($"[clip] writing shape-true CLIP models (351 MB + 254 MB) into {dir} ...");
            Directory.CreateDirectory(dir);
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(dir);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
            var err = p.StandardError.ReadToEndAsync(ct);
            var output = await p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct);
            if (p.ExitCode != 0) throw new InvalidOperationException($"make_shape_true_clip.py failed: {(await err).Trim()}");
            ctx.Log("[clip] " + output.Trim().Replace('\n', ';'));
            await File.WriteAllTextAsync(stamp, output, ct);
            return dir;
        }
        finally
        {
            Gate.Release();
        }
    }
}
