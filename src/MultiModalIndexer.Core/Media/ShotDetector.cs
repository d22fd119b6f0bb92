using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>Shot boundaries (cuts, fades, dissolves) and the segment/keyframe policy over them.</summary>
public sealed class ShotDetector(MediaOptions options, ILogger<ShotDetector>? logger = null)
{
    /// <summary>Copy-detection fingerprints taken from the analysis frames as they pass (null: none).</summary>
    public FrameHashSampling? Fingerprints { get; init; }

    public async Task<ShotAnalysis> AnalyzeAsync(MediaInfo media, CancellationToken ct = default)
    {
        var (frames, fps) = await DecodeFeaturesAsync(media, ct).ConfigureAwait(false);
        var boundaries = new ShotBoundaryDetector(options.Shots).Detect(frames, fps);
        var cuts = boundaries.Select(b => Math.Round(b.Time, 3)).ToList();
        var segments = SegmentPlanner.Plan(media.Duration, cuts, frames, options);
        logger?.LogInformation("{File}: {Frames} frames analysed at {Fps:0.##} fps, {Cuts} boundaries ({Kinds}), {Segments} segments",
            Path.GetFileName(media.Path), frames.Count, fps, cuts.Count,
            string.Join(",", boundaries.Select(b => b.Kind.ToString())), segments.Count);
        return new ShotAnalysis(media.Duration, cuts, segments)
        {
            Fingerprint = Fingerprints is null ? [] : frames.Where(f => f.Copy is not null).Select(f => new FrameHash(f.Time, f.Copy!.Value.Hash, f.Copy.Value.Cropped, f.Copy.Value.Chroma)).ToList(),
        };
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

    /// <summary>
    /// The low-resolution decode: ffmpeg drops to the analysis rate and size and hands over planar
    /// YUV 4:4:4 (its scaler's native output; converting to RGB there costs more than our analysis).
    /// Split into keyframe-aligned parts decoded at once where that gives exactly the same frames.
    /// </summary>
    internal async Task<(List<FrameFeatures> Frames, double Fps)> DecodeFeaturesAsync(MediaInfo media, CancellationToken ct)
    {
        var v = media.Video ?? throw new MediaException(MediaErrorKind.NoVideoStream, media.Path, "has no video stream to detect shots in");
        var fps = AnalysisFps(v, options.Shots);
        var sw = Stopwatch.StartNew();
        var parts = 1;
        List<FrameFeatures>? frames = null;
        var inProcess = false;
        if (InProcessDecode.Qualifies(v, fps, options.Shots))
        {
            try
            {
                (frames, parts) = await InProcessDecode.RunAsync(options, media, v, fps, logger, ct, Fingerprints).ConfigureAwait(false);
                inProcess = true;
            }
            catch (InProcessDecodeException e)
            {
                // Whatever the libraries in the process are unsure of, the ffmpeg command decodes as before.
                logger?.LogDebug("{File}: in-process analysis decode declined ({Reason}); running ffmpeg",
                    Path.GetFileName(media.Path), e.Message);
                parts = 1;
            }
        }
        if (frames is null && DecodeSplit.Qualifies(media, v, fps, options.Shots))
        {
            try
            {
                (frames, parts) = await DecodeSplitAsync(media, v, fps, ct).ConfigureAwait(false);
            }
            catch (SplitMismatchException e) when (!ct.IsCancellationRequested)
            {
                // A container whose seeking misbehaves must not cost the video its shots: decode it whole.
                logger?.LogDebug("{File}: split analysis decode failed ({Reason}); decoding in one part",
                    Path.GetFileName(media.Path), e.Message);
                parts = 1;
            }
        }
        frames ??= (await DecodePartAsync(media, v, fps, new DecodePart(0, null, null), threads: null, lateLimit: null, ct)
            .ConfigureAwait(false)).Frames;
        if (frames.Count == 0)
            throw new MediaException(MediaErrorKind.Corrupt, media.Path, "no video frame could be decoded");
        logger?.LogDebug("analysis decode: {Frames} frames in {Parts} part(s) {Where}, {Ms} ms", frames.Count, parts,
            inProcess ? "in process" : "by ffmpeg", sw.ElapsedMilliseconds);
        return (frames, fps);
    }

    /// <summary>
    /// ffmpeg's cheapest scaler: two taps instead of area averaging's sixteen at 8x, which made the
    /// scaling cost half as much as decoding. The features average over 16x9 cells, and on the 30
    /// generated edits (6 at 1280x720) and the real clips the boundaries found are the same as with "area".
    /// </summary>
    private const string ScaleFlags = "fast_bilinear";

    private sealed class SplitMismatchException(string message) : Exception(message);

    /// <summary>
    /// The first part starts at once, from frame 0 with no end, while ffprobe looks for keyframes to
    /// split at (a process start costs as much as decoding seconds of video): it is told its last
    /// frame when the plan is known, or simply runs to the end when there is nothing to split.
    /// </summary>
    private async Task<(List<FrameFeatures> Frames, int Parts)> DecodeSplitAsync(MediaInfo media, VideoStreamInfo v, double fps, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var threads = Math.Max(1, Environment.ProcessorCount / DecodeSplit.PartCount(options.Shots));
        var firstLimit = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new List<Task<(List<FrameFeatures> Frames, FrameFeatureExtractor Extractor)>>
        {
            Guard(DecodePartAsync(media, v, fps, new DecodePart(0, null, null), threads, firstLimit.Task, cts.Token)),
        };
        IReadOnlyList<DecodePart> plan = [new DecodePart(0, null, null)];
        try
        {
            try
            {
                plan = await DecodeSplit.PlanAsync(options, media, v, fps, logger, cts.Token).ConfigureAwait(false);
            }
            finally
            {
                // Also on failure: the first part must never wait for a limit that does not come.
                firstLimit.TrySetResult(plan.Count > 1 ? plan[0].FrameLimit : null);
            }
            tasks.AddRange(plan.Skip(1).Select(part => Guard(DecodePartAsync(media, v, fps, part, threads, null, cts.Token))));
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // No part outlives this call: stop the others and wait for them (their errors are secondary).
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Reported below.
            }
            if (ct.IsCancellationRequested) throw;
            // A part stopped because a sibling failed: the sibling's failure is the one to report.
            var failure = e is OperationCanceledException
                ? tasks.Select(t => t.Exception?.InnerException).FirstOrDefault(x => x is not null and not OperationCanceledException) ?? e
                : e;
            // Only a real split is worth retrying whole; a single part already was the whole decode.
            if (plan.Count > 1 && failure is SplitMismatchException or MediaException { Kind: not MediaErrorKind.Timeout })
                throw new SplitMismatchException(failure.Message);
            ExceptionDispatchInfo.Throw(failure);
        }
        var results = tasks.Select(t => t.Result).ToList();
        var all = new List<FrameFeatures>(results.Sum(r => r.Frames.Count));
        for (var i = 0; i < results.Count; i++)
        {
            var (frames, extractor) = results[i];
            if (plan[i].FrameLimit is { } limit && frames.Count != limit)
                throw new SplitMismatchException($"part {i + 1} gave {frames.Count} frames, expected {limit}");
            if (frames.Count == 0) throw new SplitMismatchException($"part {i + 1} gave no frames");
            if (i > 0) FrameFeatureExtractor.Stitch(results[i - 1].Extractor, extractor, frames);
            all.AddRange(frames);
        }
        return (all, plan.Count);

        // One failed part stops its siblings rather than letting them decode for nothing.
        async Task<T> Guard<T>(Task<T> task)
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch
            {
                await cts.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>One ffmpeg run over one part: raw frames read as they come, features kept, pixels not.</summary>
    /// <param name="lateLimit">The part's frame count once known (null: to the end); until then it
    /// reads no further than the earliest frame any split could end at.</param>
    private async Task<(List<FrameFeatures> Frames, FrameFeatureExtractor Extractor)> DecodePartAsync(MediaInfo media,
        VideoStreamInfo v, double fps, DecodePart part, int? threads, Task<int?>? lateLimit, CancellationToken ct)
    {
        var o = options.Shots;
        var (w, h) = AnalysisSize(v, o);
        var args = new List<string> { "-nostdin", "-hide_banner", "-v", "error" };
        if (threads is { } t) args.AddRange(["-threads", t.ToString(CultureInfo.InvariantCulture)]);
        if (o.FastDecode) args.AddRange(["-skip_loop_filter", "all"]);
        if (part.SeekSeconds is { } ss) args.AddRange(["-ss", ss.ToString("0.######", CultureInfo.InvariantCulture)]);
        args.AddRange([
            "-i", FfmpegProcess.InputArg(media.Path), "-map", $"0:{v.Index}", "-an", "-sn", "-dn",
            "-vf", $"fps={fps.ToString("0.######", CultureInfo.InvariantCulture)},scale={w}:{h}:flags={ScaleFlags},format=yuv444p",
            // Frames as decoded, none duplicated to fill the start of a part that begins after a seek.
            "-fps_mode", "passthrough",
        ]);
        if (part.FrameLimit is { } frameLimit) args.AddRange(["-frames:v", frameLimit.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", "yuv444p", "pipe:1"]);

        var extractor = new FrameFeatureExtractor(w, h);
        var frameBytes = extractor.FrameBytes;
        var expected = part.FrameLimit ?? (int)Math.Min(1_000_000, media.Duration * fps + 8);
        var frames = new List<FrameFeatures>(Math.Max(16, expected));
        var holdAt = (int)Math.Floor(o.MinDecodePartSeconds * fps);
        int? knownLimit = null;
        var stoppedAtLimit = false;
        var buf = ArrayPool<byte>.Shared.Rent(frameBytes);
        try
        {
            await using var p = FfmpegProcess.Start(options.FfmpegPath, args, media.Path, options.DecodeTimeout(media.Duration), logger, ct);
            try
            {
                while (true)
                {
                    if (lateLimit is not null && frames.Count >= holdAt)
                    {
                        // ffmpeg waits on the full pipe meanwhile; every split is at least holdAt frames in.
                        knownLimit = await lateLimit.WaitAsync(p.Token).ConfigureAwait(false);
                        lateLimit = null;
                    }
                    if (knownLimit is { } l && frames.Count >= l)
                    {
                        if (frames.Count > l) throw new SplitMismatchException($"read {frames.Count} frames past the split at {l}");
                        stoppedAtLimit = true;
                        break;
                    }
                    var got = await p.StdOut.ReadAtLeastAsync(buf.AsMemory(0, frameBytes), frameBytes, throwOnEndOfStream: false, p.Token).ConfigureAwait(false);
                    if (got < frameBytes) break;
                    var frame = extractor.Add(buf.AsSpan(0, frameBytes), (part.FirstFrame + frames.Count) / fps);
                    // A copy-detection sample hashes the yuv444p planes in place.
                    if (Fingerprints is { } fp && fp.Takes(part.FirstFrame + frames.Count, fps)
                        && PerceptualHash.TryComputeYuv444(buf.AsSpan(0, frameBytes), w, h, fp.MinContrast, out var hashes))
                        frame.Copy = hashes;
                    frames.Add(frame);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                p.ThrowIfCancelledOrTimedOut();
                throw;
            }
            // Stopped at the split: the rest of ffmpeg's output belongs to the next part, and disposing stops it.
            if (!stoppedAtLimit) await p.WaitForSuccessAsync().ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
        return (frames, extractor);
    }
}
