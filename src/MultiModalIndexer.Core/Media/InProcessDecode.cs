using System.Globalization;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>
/// The analysis decode inside the process (libavcodec through <see cref="LibAvVideoReader"/>): no
/// ffmpeg start per video (each costs 40-90 ms of CPU here, most of it the loader binding ffmpeg's
/// 215 libraries), no ffprobe for keyframes (the container's index is read when the file is opened),
/// no pipe. Split into keyframe-aligned parts decoded on their own threads like <see cref="DecodeSplit"/>.
///
/// Only for constant frame rate no higher than the analysis rate, where the command's fps filter
/// passes frames 1:1; the timestamps of every frame are checked against that (frame i at i/fps), so
/// a stream with a gap or a duplicate goes back to the command, which fills it as before.
/// </summary>
internal static class InProcessDecode
{
    public static bool Qualifies(VideoStreamInfo v, double analysisFps, ShotDetectionOptions o) =>
        o.InProcessDecode && !v.VariableFrameRate && v.Fps > 0 && Math.Abs(v.Fps - analysisFps) < 1e-6 && LibAv.Available;

    private sealed record Part(long? From, long? Until);

    private sealed class PartResult
    {
        public readonly List<long> Stamps = [];
        public readonly List<FrameFeatures> Frames = [];
        /// <summary>Frames hashed for copy detection: position in this part and the place in the whole decode it was taken for.</summary>
        public readonly List<(int At, long Index)> Hashed = [];
        public FrameFeatureExtractor Extractor = null!;
    }

    /// <summary>Features of every analysis frame, and how many parts decoded them.</summary>
    /// <exception cref="InProcessDecodeException">The decode is not certain to equal the command's; use the command.</exception>
    /// <param name="fingerprints">Copy-detection samples to hash from the frames as they pass (null: none).</param>
    public static async Task<(List<FrameFeatures> Frames, int Parts)> RunAsync(MediaOptions options, MediaInfo media, VideoStreamInfo v,
        double fps, ILogger? logger, CancellationToken ct, FrameHashSampling? fingerprints = null)
    {
        var o = options.Shots;
        var (w, h) = ShotDetector.AnalysisSize(v, o);
        var wanted = (int)Math.Min(DecodeSplit.PartCount(o), Math.Floor(media.Duration / o.MinDecodePartSeconds));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timeout = options.DecodeTimeout(media.Duration);
        cts.CancelAfter(timeout);
        var token = cts.Token;
        try
        {
            return await Task.Factory.StartNew(() => Run(), token, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .Unwrap().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new MediaException(MediaErrorKind.Timeout, media.Path, $"the analysis decode did not finish within {timeout.TotalSeconds:0} s");
        }

        // Blocking native calls, so each part runs on its own thread rather than a pool thread; the last part on this one.
        async Task<(List<FrameFeatures>, int)> Run()
        {
            var threads = o.PartDecodeThreads;
            var others = new List<Task<PartResult>>();
            List<Part> plan = [new Part(null, null)];
            PartResult? last = null;
            Exception? failure = null;
            double timeBase = 0;
            Func<long, long> frameOf = _ => 0;
            LibAvVideoReader? first = null;
            try
            {
                first = LibAvVideoReader.Open(media.Path, v.Index, v.Width, v.Height, w, h, threads, o.FastDecode);
                timeBase = first.TimeBase;
                // A frame's place in the whole decode, from its timestamp and the stream's start (as ffprobe read it):
                // what a part needs before the parts are joined (the join checks it for the sampled frames).
                var tb = timeBase;
                frameOf = ts => (long)Math.Round((ts * tb - v.StartTime) * fps);
                if (wanted > 1) plan = Plan(first, media, v, fps, wanted, o.MinDecodePartSeconds);
                // Reading the index may have moved the reader (Matroska loads its Cues on a seek), so the
                // reader that planned takes the last part, which seeks anyway; the others open their own.
                for (var i = 0; i < plan.Count - 1; i++)
                {
                    var part = plan[i];
                    others.Add(Task.Factory.StartNew(() =>
                    {
                        try
                        {
                            using var reader = LibAvVideoReader.Open(media.Path, v.Index, v.Width, v.Height, w, h, threads, o.FastDecode);
                            return DecodePart(reader, part, frameOf, fps, w, h, fingerprints, token);
                        }
                        catch
                        {
                            cts.Cancel();
                            throw;
                        }
                    }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                }
                last = DecodePart(first, plan[^1], frameOf, fps, w, h, fingerprints, token);
            }
            catch (Exception e)
            {
                failure = e;
                await cts.CancelAsync().ConfigureAwait(false);
            }
            finally
            {
                first?.Dispose();
            }
            // No part outlives this call: on a failure the others were told to stop, and are waited for.
            try { await Task.WhenAll(others).ConfigureAwait(false); } catch (Exception) { /* looked at below */ }
            var errors = others.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).Prepend(failure).OfType<Exception>().ToList();
            if (others.Any(t => t.IsCanceled)) errors.Add(new OperationCanceledException(token));
            // A part stopped because a sibling failed: the sibling's failure is the one to report.
            if (errors.FirstOrDefault(e => e is not OperationCanceledException) is { } real)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(real);
            if (errors.Count > 0) throw new OperationCanceledException(token);
            List<PartResult> results = [.. others.Select(t => t.Result), last!];
            return (Merge(results, fps, timeBase), plan.Count);
        }
    }

    private static PartResult DecodePart(LibAvVideoReader reader, Part part, Func<long, long> frameOf, double fps, int w, int h,
        FrameHashSampling? fingerprints, CancellationToken ct)
    {
        var result = new PartResult { Extractor = new FrameFeatureExtractor(w, h) };
        reader.Decode(part.From, part.Until, (ts, yuv) =>
        {
            // The time is provisional until the parts are joined and every frame's place is checked.
            var frame = result.Extractor.Add(yuv, 0);
            // The same hook as the command's decode: the Y plane comes first in yuv444p.
            if (fingerprints is not null)
            {
                var index = part.From is null ? result.Frames.Count : frameOf(ts);
                if (fingerprints.Takes(index, fps)
                    && PerceptualHash.TryComputeYuv444(yuv, w, h, fingerprints.MinContrast, out var hashes))
                {
                    frame.Copy = hashes;
                    result.Hashed.Add((result.Frames.Count, index));
                }
            }
            result.Frames.Add(frame);
            result.Stamps.Add(ts);
        }, ct);
        if (result.Frames.Count == 0) throw new InProcessDecodeException($"a part from {part.From?.ToString(CultureInfo.InvariantCulture) ?? "the start"} gave no frames");
        return result;
    }

    /// <summary>Keyframes from the index nearest to equal shares, at least the minimum part length apart.</summary>
    private static List<Part> Plan(LibAvVideoReader reader, MediaInfo media, VideoStreamInfo v, double fps, int parts, double minPart)
    {
        var keys = reader.IndexedKeyframes();
        if (keys.Count < 2) return [new Part(null, null)];
        var targets = Enumerable.Range(1, parts - 1).Select(i => media.Duration * i / parts).ToList();
        var index = new DecodeSplit.KeyframeIndex(media.StartTime, v.StartTime, keys.Select(k => k * reader.TimeBase).ToList());
        var chosen = DecodeSplit.Choose(index, targets, fps, media.Duration, minPart);
        // Back from the frame grid to the keyframe's own timestamp.
        var at = chosen.Select(c => keys.MinBy(k => Math.Abs(k * reader.TimeBase - v.StartTime - c))).Distinct().Order().ToList();
        var plan = new List<Part>();
        long? from = null;
        foreach (var k in at)
        {
            plan.Add(new Part(from, k));
            from = k;
        }
        plan.Add(new Part(from, null));
        return plan;
    }

    /// <summary>Joins the parts, checks that frame i is at i/fps (what the command's fps filter would pass 1:1) and fills the seams' deltas.</summary>
    private static List<FrameFeatures> Merge(List<PartResult> parts, double fps, double timeBase)
    {
        var all = new List<FrameFeatures>(parts.Sum(p => p.Frames.Count));
        var t0 = parts[0].Stamps[0];
        for (var p = 0; p < parts.Count; p++)
        {
            var part = parts[p];
            for (var j = 0; j < part.Frames.Count; j++)
            {
                var i = all.Count;
                var slot = Math.Round((part.Stamps[j] - t0) * timeBase * fps);
                if (slot != i)
                    throw new InProcessDecodeException($"frame {i} is at {(part.Stamps[j] - t0) * timeBase:0.###} s, not on the {fps:0.##} fps grid the fps filter would keep 1:1");
                part.Frames[j].Time = i / fps;
                all.Add(part.Frames[j]);
            }
            foreach (var (at, index) in part.Hashed)
                if (all.Count - part.Frames.Count + at != index)
                    throw new InProcessDecodeException($"a copy-detection sample was taken for frame {index}, which is frame {all.Count - part.Frames.Count + at}");
            if (p > 0) FrameFeatureExtractor.Stitch(parts[p - 1].Extractor, part.Extractor, part.Frames);
        }
        return all;
    }
}
