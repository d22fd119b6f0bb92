using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>Shot boundaries (cuts, fades, dissolves) and the segment/keyframe policy over them.</summary>
public sealed class ShotDetector(MediaOptions options, ILogger<ShotDetector>? logger = null)
{
    public async Task<ShotAnalysis> AnalyzeAsync(MediaInfo media, CancellationToken ct = default)
    {
        var (frames, fps) = await DecodeFeaturesAsync(media, ct).ConfigureAwait(false);
        var boundaries = new ShotBoundaryDetector(options.Shots).Detect(frames, fps);
        var cuts = boundaries.Select(b => Math.Round(b.Time, 3)).ToList();
        var segments = SegmentPlanner.Plan(media.Duration, cuts, frames, options);
        logger?.LogInformation("{File}: {Frames} frames analysed at {Fps:0.##} fps, {Cuts} boundaries ({Kinds}), {Segments} segments",
            Path.GetFileName(media.Path), frames.Count, fps, cuts.Count,
            string.Join(",", boundaries.Select(b => b.Kind.ToString())), segments.Count);
        return new ShotAnalysis(media.Duration, cuts, segments);
    }

    /// <summary>Analysis frame rate: the source's, capped; VFR sources get the cap so no frame is lost.</summary>
    internal static double AnalysisFps(VideoStreamInfo v, ShotDetectionOptions o) =>
        v.VariableFrameRate || v.Fps <= 0 ? o.AnalysisMaxFps : Math.Min(v.Fps, o.AnalysisMaxFps);

    internal static (int W, int H) AnalysisSize(VideoStreamInfo v, ShotDetectionOptions o)
    {
        var w = o.AnalysisWidth & ~1;
        var aspect = v.Width > 0 && v.Height > 0 ? (double)v.Height / v.Width : 9.0 / 16.0;
        var h = (int)Math.Round(w * aspect / 2) * 2;
        return (w, Math.Clamp(h, 16, 4 * w));
    }

    /// <summary>The one low-resolution decode: ffmpeg drops to the analysis rate and size, we read raw RGB frames.</summary>
    internal async Task<(List<FrameFeatures> Frames, double Fps)> DecodeFeaturesAsync(MediaInfo media, CancellationToken ct)
    {
        var v = media.Video ?? throw new MediaException(MediaErrorKind.NoVideoStream, media.Path, "has no video stream to detect shots in");
        var o = options.Shots;
        var fps = AnalysisFps(v, o);
        var (w, h) = AnalysisSize(v, o);
        var args = new List<string> { "-nostdin", "-hide_banner", "-v", "error" };
        if (o.FastDecode) args.AddRange(["-skip_loop_filter", "all"]);
        args.AddRange([
            "-i", FfmpegProcess.InputArg(media.Path), "-map", $"0:{v.Index}", "-an", "-sn", "-dn",
            "-vf", $"fps={fps.ToString("0.######", CultureInfo.InvariantCulture)},scale={w}:{h}:flags=area,format=rgb24",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ]);
        var frameBytes = w * h * 3;
        var frames = new List<FrameFeatures>(Math.Max(16, (int)Math.Min(1_000_000, media.Duration * fps + 8)));
        var extractor = new FrameFeatureExtractor(w, h);
        var buf = ArrayPool<byte>.Shared.Rent(frameBytes);
        var sw = Stopwatch.StartNew();
        try
        {
            await using var p = FfmpegProcess.Start(options.FfmpegPath, args, media.Path, options.DecodeTimeout(media.Duration), logger, ct);
            try
            {
                while (true)
                {
                    var got = await p.StdOut.ReadAtLeastAsync(buf.AsMemory(0, frameBytes), frameBytes, throwOnEndOfStream: false, p.Token).ConfigureAwait(false);
                    if (got < frameBytes) break;
                    frames.Add(extractor.Add(buf.AsSpan(0, frameBytes), frames.Count / fps));
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
        if (frames.Count == 0)
            throw new MediaException(MediaErrorKind.Corrupt, media.Path, "no video frame could be decoded");
        logger?.LogDebug("analysis decode: {Frames} frames {W}x{H} in {Ms} ms", frames.Count, w, h, sw.ElapsedMilliseconds);
        return (frames, fps);
    }
}
