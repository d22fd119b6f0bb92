using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Copies;

/// <summary>A query clip's samples: times, hashes, the hashes of the mirrored picture (flipped copies), and colour layouts (null: not taken).</summary>
public sealed record QueryFingerprint(double Duration, double Fps, float[] Times, ulong[] Hashes, ulong[] Mirrored, ulong[]? Chroma = null);

/// <summary>
/// Decodes a query clip the way the analysis decode sees library videos (YUV 4:4:4, the analysis width,
/// ffmpeg's fast bilinear scaler) at <see cref="CopyOptions.QueryFps"/> and hashes every frame.
/// </summary>
public sealed class QueryFingerprinter(MediaOptions media, CopyOptions options, ILogger<QueryFingerprinter>? logger = null)
{
    public async Task<QueryFingerprint> FingerprintAsync(string path, CancellationToken ct = default)
    {
        var info = await new MediaProbe(media).ProbeAsync(path, ct).ConfigureAwait(false);
        var v = info.Video ?? throw new MediaException(MediaErrorKind.NoVideoStream, path, "has no video stream to look for copies of");
        if (info.Duration > options.MaxQuerySeconds)
            throw new MediaException(MediaErrorKind.NotMedia, path,
                $"is {info.Duration:0} s long; queries are limited to Copies:MaxQuerySeconds = {options.MaxQuerySeconds:0} s");
        var (w, h) = ShotDetector.AnalysisSize(v, media.Shots);
        var fps = options.QueryFps.ToString("0.######", CultureInfo.InvariantCulture);
        string[] args =
        [
            "-nostdin", "-hide_banner", "-v", "error", "-i", FfmpegProcess.InputArg(path), "-map", $"0:{v.Index}", "-an", "-sn", "-dn",
            "-vf", $"fps={fps},scale={w}:{h}:flags=fast_bilinear,format=yuv444p",
            "-f", "rawvideo", "-pix_fmt", "yuv444p", "pipe:1",
        ];
        var frameBytes = 3 * w * h;
        var times = new List<float>();
        var hashes = new List<ulong>();
        var mirrored = new List<ulong>();
        var chroma = new List<ulong>();
        var buf = ArrayPool<byte>.Shared.Rent(frameBytes);
        try
        {
            await using var p = FfmpegProcess.Start(media.FfmpegPath, args, path, media.DecodeTimeout(info.Duration), logger, ct);
            try
            {
                for (var i = 0; ; i++)
                {
                    var got = await p.StdOut.ReadAtLeastAsync(buf.AsMemory(0, frameBytes), frameBytes, throwOnEndOfStream: false, p.Token).ConfigureAwait(false);
                    if (got < frameBytes) break;
                    if (!PerceptualHash.TryComputeYuv444(buf.AsSpan(0, frameBytes), w, h, options.MinContrast, out var f)) continue;
                    times.Add((float)(i / options.QueryFps));
                    hashes.Add(f.Hash);
                    mirrored.Add(f.Mirrored);
                    chroma.Add(f.Chroma);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                p.ThrowIfCancelledOrTimedOut();
                throw;
            }
            await p.WaitForSuccessAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
        return new QueryFingerprint(info.Duration, options.QueryFps, [.. times], [.. hashes], [.. mirrored], [.. chroma]);
    }
}
