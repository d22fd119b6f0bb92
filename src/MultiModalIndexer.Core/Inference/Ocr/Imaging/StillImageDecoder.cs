using System.Diagnostics;
using System.Globalization;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Inference.Ocr.Imaging;

/// <summary>
/// Image file → 8-bit grey pixels with ffprobe/ffmpeg, for `./mmi ocr IMAGE` and tests. A stop-gap
/// until the media stage's StillImageReader.ReadGreyAsync lands (then this should delegate to it).
/// Bad input becomes a <see cref="MediaException"/> (NotFound, Empty, NotMedia, Timeout, ToolMissing).
/// </summary>
public static class StillImageDecoder
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<GreyImage> ReadGreyAsync(string path, int maxLongSide = 4096, CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new MediaException(MediaErrorKind.NotFound, path, "file not found");
        if (new FileInfo(path).Length == 0) throw new MediaException(MediaErrorKind.Empty, path, "file is empty");

        var probe = await RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", path], path, ct);
        var dims = System.Text.Encoding.ASCII.GetString(probe.Stdout).Trim().Split('\n')[0].Split('x');
        if (probe.ExitCode != 0 || dims.Length < 2 ||
            !int.TryParse(dims[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var w) ||
            !int.TryParse(dims[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var h) || w <= 0 || h <= 0)
            throw new MediaException(MediaErrorKind.NotMedia, path, "not an image (ffprobe found no picture in it)");

        // Downscale very large images (long side capped), never upscale here.
        var scale = Math.Min(1.0, maxLongSide / (double)Math.Max(w, h));
        var (ow, oh) = scale < 1 ? (Math.Max(1, (int)(w * scale)), Math.Max(1, (int)(h * scale))) : (w, h);
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-i", path, "-frames:v", "1" };
        if (scale < 1) args.AddRange(["-vf", $"scale={ow}:{oh}:flags=area"]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", "gray", "-"]);
        var decoded = await RunAsync("ffmpeg", args, path, ct);
        if (decoded.ExitCode != 0 || decoded.Stdout.Length < ow * oh)
            throw new MediaException(MediaErrorKind.NotMedia, path, $"could not be decoded as an image: {decoded.Stderr.Split('\n')[0]}");
        var px = decoded.Stdout.Length == ow * oh ? decoded.Stdout : decoded.Stdout.AsSpan(0, ow * oh).ToArray();
        return new GreyImage(px, ow, oh);
    }

    private sealed record Run(int ExitCode, byte[] Stdout, string Stderr);

    private static async Task<Run> RunAsync(string tool, IEnumerable<string> args, string path, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process? p;
        try { p = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception e) { throw new MediaException(MediaErrorKind.ToolMissing, path, $"{tool} is not installed or not on PATH", e); }
        if (p is null) throw new MediaException(MediaErrorKind.ToolMissing, path, $"{tool} could not start");
        using (p)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(Timeout);
            try
            {
                using var ms = new MemoryStream();
                var err = p.StandardError.ReadToEndAsync(timeout.Token);
                await p.StandardOutput.BaseStream.CopyToAsync(ms, timeout.Token);
                await p.WaitForExitAsync(timeout.Token);
                return new Run(p.ExitCode, ms.ToArray(), (await err).Trim());
            }
            catch (OperationCanceledException)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                if (ct.IsCancellationRequested) throw;
                throw new MediaException(MediaErrorKind.Timeout, path, $"{tool} took longer than {Timeout.TotalSeconds:0} s");
            }
        }
    }
}
