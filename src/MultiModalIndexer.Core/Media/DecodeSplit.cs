using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>
/// One range of the analysis decode: frames <see cref="FirstFrame"/> .. FirstFrame + FrameLimit - 1
/// of the whole decode. <see cref="SeekSeconds"/> (ffmpeg's input -ss, relative to the file's start)
/// lands just after a keyframe, so the part decodes from that keyframe and nothing before it.
/// </summary>
internal sealed record DecodePart(int FirstFrame, double? SeekSeconds, int? FrameLimit);

/// <summary>
/// Splits the shot-analysis decode at keyframes so that several single-threaded ffmpeg processes
/// decode disjoint ranges at once: video decoding is the cost of shot detection, and one decoder's
/// frame threads keep two cores only partly busy. The parts yield exactly the frames of one decode
/// (same count, same pixels), which the tests check, so detection does not change.
///
/// Only where that exactness is certain: constant frame rate no higher than the analysis rate (so
/// ffmpeg's fps filter passes frames 1:1 and frame i is at i/fps), containers with a seek index
/// (MP4/MOV, Matroska/WebM), and long enough videos for the extra processes to pay off.
/// </summary>
internal static class DecodeSplit
{
    private static readonly string[] IndexedContainers = ["mov", "mp4", "matroska", "webm"];

    /// <summary>How many parts to decode in: the option, or one per core (at most 4) when it is 0.</summary>
    public static int PartCount(ShotDetectionOptions o) =>
        o.DecodeParts > 0 ? o.DecodeParts : Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Whether the video qualifies at all (before looking at its keyframes).</summary>
    public static bool Qualifies(MediaInfo media, VideoStreamInfo v, double analysisFps, ShotDetectionOptions o) =>
        PartCount(o) > 1
        && !v.VariableFrameRate && v.Fps > 0 && Math.Abs(v.Fps - analysisFps) < 1e-6
        && media.Duration >= 2 * o.MinDecodePartSeconds
        && media.Container.Split(',').Any(c => IndexedContainers.Contains(c.Trim()));

    /// <summary>
    /// The parts, split at the keyframes nearest to equal shares of the video; a single whole-video
    /// part when the video does not qualify or has no usable keyframes.
    /// </summary>
    public static async Task<IReadOnlyList<DecodePart>> PlanAsync(MediaOptions options, MediaInfo media, VideoStreamInfo v,
        double fps, ILogger? logger, CancellationToken ct)
    {
        var o = options.Shots;
        IReadOnlyList<DecodePart> whole = [new DecodePart(0, null, null)];
        if (!Qualifies(media, v, fps, o)) return whole;
        var parts = (int)Math.Min(PartCount(o), Math.Floor(media.Duration / o.MinDecodePartSeconds));
        if (parts < 2) return whole;

        var targets = Enumerable.Range(1, parts - 1).Select(i => media.Duration * i / parts).ToList();
        var window = Math.Min(media.Duration / (2.0 * parts), 30.0);
        KeyframeIndex index;
        try
        {
            index = await ProbeKeyframesAsync(options, media, v, targets, window, logger, ct).ConfigureAwait(false);
        }
        catch (MediaException e)
        {
            // The whole decode reports real problems with the file; a failed keyframe look-up only costs the split.
            logger?.LogDebug("keyframe look-up failed, decoding in one part: {Reason}", e.Reason);
            return whole;
        }
        return Choose(index, targets, fps, media.Duration, o.MinDecodePartSeconds) is { Count: > 0 } splits
            ? ToParts(splits, index.FormatStart, index.VideoStart, fps)
            : whole;
    }

    internal sealed record KeyframeIndex(double FormatStart, double VideoStart, IReadOnlyList<double> Keyframes);

    /// <summary>
    /// Keyframe times relative to the first video frame, one per split, nearest to its target and at
    /// least <paramref name="minPart"/> from the start, the end and the previous split.
    /// </summary>
    internal static List<double> Choose(KeyframeIndex index, IReadOnlyList<double> targets, double fps, double duration, double minPart)
    {
        var chosen = new List<double>();
        var previous = 0.0;
        foreach (var target in targets)
        {
            var best = double.NaN;
            foreach (var k in index.Keyframes)
            {
                var t = k - index.VideoStart;
                if (t - previous < minPart || duration - t < minPart) continue;
                if (double.IsNaN(best) || Math.Abs(t - target) < Math.Abs(best - target)) best = t;
            }
            if (double.IsNaN(best)) continue;
            // Snap to the frame grid: the keyframe is frame round(t * fps) of the whole decode.
            var snapped = Math.Round(best * fps) / fps;
            if (chosen.Count > 0 && snapped - chosen[^1] < minPart) continue;
            chosen.Add(snapped);
            previous = snapped;
        }
        return chosen;
    }

    /// <summary>
    /// Part i ends with keyframe i's frame; part i+1 seeks half a frame past that keyframe, so the
    /// demuxer lands on the keyframe and ffmpeg's accurate seek drops exactly that one decoded frame.
    /// </summary>
    internal static IReadOnlyList<DecodePart> ToParts(IReadOnlyList<double> splits, double formatStart, double videoStart, double fps)
    {
        var parts = new List<DecodePart>();
        var first = 0;
        for (var i = 0; i <= splits.Count; i++)
        {
            int? limit = i < splits.Count ? (int)Math.Round(splits[i] * fps) + 1 - first : null;
            double? seek = i == 0 ? null : videoStart - formatStart + splits[i - 1] + 0.5 / fps;
            parts.Add(new DecodePart(first, seek, limit));
            if (limit is { } l) first += l;
        }
        return parts;
    }

    /// <summary>ffprobe reads packets only (no decoding) in a window around each target.</summary>
    private static async Task<KeyframeIndex> ProbeKeyframesAsync(MediaOptions options, MediaInfo media, VideoStreamInfo v,
        IReadOnlyList<double> targets, double window, ILogger? logger, CancellationToken ct)
    {
        // read_intervals are absolute timestamps: each window starts at the keyframe at or before its start.
        var intervals = string.Join(",", targets.Select(t =>
            FormattableString.Invariant($"{Math.Max(0, v.StartTime + t - window):0.###}%{v.StartTime + t + window:0.###}")));
        var packets = await FfmpegProcess.RunToBytesAsync(options.FfprobePath,
        [
            "-hide_banner", "-v", "error", "-select_streams", v.Index.ToString(CultureInfo.InvariantCulture),
            "-read_intervals", intervals, "-show_entries", "packet=pts_time,flags", "-of", "json", "-i", FfmpegProcess.InputArg(media.Path),
        ], media.Path, TimeSpan.FromSeconds(options.ProbeTimeoutSeconds), logger, ct, maxBytes: 64 << 20).ConfigureAwait(false);
        return new KeyframeIndex(media.StartTime, v.StartTime, ParseKeyframes(packets));
    }

    internal static List<double> ParseKeyframes(byte[] json)
    {
        using var doc = Parse(json);
        var keys = new SortedSet<double>();
        if (doc.RootElement.TryGetProperty("packets", out var packets))
            foreach (var p in packets.EnumerateArray())
                if (p.TryGetProperty("flags", out var fl) && fl.GetString() is { } flags && flags.StartsWith('K') && Time(p, "pts_time") is { } t)
                    keys.Add(t);
        return [.. keys];
    }

    private static JsonDocument Parse(byte[] json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MediaException(MediaErrorKind.ToolFailed, "", "ffprobe printed invalid JSON", e);
        }
    }

    private static double? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String
        && double.TryParse(p.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && double.IsFinite(t) ? t : null;
}
