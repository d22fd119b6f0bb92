using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>ffprobe JSON → <see cref="MediaInfo"/>; bad input → <see cref="MediaException"/>.</summary>
public sealed class MediaProbe(MediaOptions options, ILogger<MediaProbe>? logger = null)
{
    private static readonly HashSet<string> StillImageFormats = new(StringComparer.Ordinal)
    {
        "image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "gif", "webp_pipe", "tiff_pipe", "pgm_pipe", "ppm_pipe",
        "pam_pipe", "psd_pipe", "svg_pipe", "qdraw_pipe", "j2k_pipe", "jpegls_pipe", "dpx_pipe", "exr_pipe",
        "pcx_pipe", "sgi_pipe", "sunrast_pipe", "xpm_pipe", "xwd_pipe", "gem_pipe", "pictor_pipe", "qoi_pipe",
        "photocd_pipe", "pbm_pipe", "pgmyuv_pipe", "pgx_pipe", "dds_pipe", "hdr_pipe", "tiff", "png", "webp",
    };

    public async Task<MediaInfo> ProbeAsync(string path, CancellationToken ct = default)
    {
        var size = CheckFile(path);
        var args = new[]
        {
            "-hide_banner", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
            "-i", FfmpegProcess.InputArg(path),
        };
        var json = await FfmpegProcess.RunToBytesAsync(options.FfprobePath, args, path,
            TimeSpan.FromSeconds(options.ProbeTimeoutSeconds), logger, ct, maxBytes: 16 * 1024 * 1024).ConfigureAwait(false);
        return Parse(path, size, json);
    }

    /// <summary>Existence and size checks that need no tool; returns the size.</summary>
    internal static long CheckFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new MediaException(MediaErrorKind.NotFound, path ?? "", "no path given");
        if (Directory.Exists(path)) throw new MediaException(MediaErrorKind.NotMedia, path, "is a directory, not a media file");
        FileInfo fi;
        try
        {
            fi = new FileInfo(path);
            if (fi.LinkTarget is not null && fi.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true } target)
                throw new MediaException(MediaErrorKind.NotFound, path, "is a broken symbolic link");
            if (!fi.Exists) throw new MediaException(MediaErrorKind.NotFound, path, "file not found");
            // A symlink's own length is the link's; the target's is what ffmpeg reads.
            if (fi.LinkTarget is not null) fi = (FileInfo)fi.ResolveLinkTarget(returnFinalTarget: true)!;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MediaException(MediaErrorKind.NotFound, path, $"cannot read file ({e.Message})", e);
        }
        if (fi.Length == 0) throw new MediaException(MediaErrorKind.Empty, path, "file is empty (0 bytes)");
        return fi.Length;
    }

    internal static MediaInfo Parse(string path, long size, byte[] json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MediaException(MediaErrorKind.ToolFailed, path, "ffprobe printed invalid JSON", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("format", out var format))
                throw new MediaException(MediaErrorKind.NotMedia, path, "ffprobe found no container format");
            var container = Str(format, "format_name") ?? "unknown";
            VideoStreamInfo? video = null;
            AudioStreamInfo? audio = null;
            double streamDuration = 0;
            DateTimeOffset? created = Created(format);
            if (root.TryGetProperty("streams", out var streams))
            {
                foreach (var s in streams.EnumerateArray())
                {
                    var type = Str(s, "codec_type");
                    var d = Num(s, "duration");
                    if (type == "video" && video is null && !IsAttachedPicture(s))
                    {
                        video = Video(s);
                        if (d > 0) streamDuration = Math.Max(streamDuration, d);
                    }
                    else if (type == "audio" && audio is null)
                    {
                        audio = new AudioStreamInfo(Int(s, "index"), Str(s, "codec_name") ?? "unknown",
                            Int(s, "sample_rate"), Int(s, "channels"));
                        if (d > 0) streamDuration = Math.Max(streamDuration, d);
                    }
                    created ??= Created(s);
                }
            }

            if (StillImageFormats.Contains(container) && audio is null)
                throw new MediaException(MediaErrorKind.NotMedia, path,
                    $"is a still image ({video?.Codec ?? container}), not audio or video");
            if (video is null && audio is null)
                throw new MediaException(MediaErrorKind.NotMedia, path, $"no audio or video stream (container {container})");

            var duration = Num(format, "duration");
            if (!(duration > 0)) duration = streamDuration;
            if (!(duration > 0) && video is { FrameCount: > 0, Fps: > 0 }) duration = video.FrameCount.Value / video.Fps;
            if (!(duration > 0) || double.IsNaN(duration) || duration > 1e7)
                throw new MediaException(MediaErrorKind.Corrupt, path, "duration is unknown or zero (truncated or not a media file)");
            return new MediaInfo(Path.GetFullPath(path), container, duration, size, video, audio, created)
            {
                StartTime = Num(format, "start_time"),
            };
        }
    }

    private static bool IsAttachedPicture(JsonElement s) =>
        s.TryGetProperty("disposition", out var disp) && disp.TryGetProperty("attached_pic", out var ap)
        && ap.ValueKind == JsonValueKind.Number && ap.GetInt32() == 1;

    private static VideoStreamInfo Video(JsonElement s)
    {
        var r = Rate(Str(s, "r_frame_rate"));
        var avg = Rate(Str(s, "avg_frame_rate"));
        var fps = avg > 0 && avg < 1000 ? avg : r > 0 && r < 1000 ? r : 0;
        // ffprobe's r_frame_rate is the base (lowest common) rate; when the average differs the
        // frame durations are not all equal.
        var vfr = r > 0 && avg > 0 && Math.Abs(r - avg) / r > 0.01;
        var rotation = Rotation(s);
        int w = Int(s, "width"), h = Int(s, "height");
        // ffmpeg auto-rotates when decoding, so report the size the frames come out at.
        if (rotation is 90 or 270) (w, h) = (h, w);
        long? frames = long.TryParse(Str(s, "nb_frames"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var nf) && nf > 0 ? nf : null;
        return new VideoStreamInfo(Int(s, "index"), Str(s, "codec_name") ?? "unknown", w, h, fps, vfr, rotation, frames)
        {
            StartTime = Num(s, "start_time"),
            PixelAspect = Rate(Str(s, "sample_aspect_ratio")?.Replace(':', '/')) is var sar && sar is > 0.1 and < 10 ? sar : 1,
        };
    }

    /// <summary>Clockwise display rotation in degrees (0, 90, 180, 270).</summary>
    private static int Rotation(JsonElement s)
    {
        double? deg = null;
        if (s.TryGetProperty("side_data_list", out var sd) && sd.ValueKind == JsonValueKind.Array)
            foreach (var e in sd.EnumerateArray())
                if (e.TryGetProperty("rotation", out var rot) && rot.ValueKind == JsonValueKind.Number)
                    deg = -rot.GetDouble(); // the display matrix turns counter-clockwise
        if (deg is null && s.TryGetProperty("tags", out var tags) && Str(tags, "rotate") is { } rs
            && double.TryParse(rs, NumberStyles.Float, CultureInfo.InvariantCulture, out var tr))
            deg = tr;
        if (deg is null) return 0;
        var q = (int)Math.Round(deg.Value / 90.0) * 90;
        return ((q % 360) + 360) % 360;
    }

    private static DateTimeOffset? Created(JsonElement e) =>
        e.TryGetProperty("tags", out var tags) && Str(tags, "creation_time") is { } ct
        && DateTimeOffset.TryParse(ct, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto)
            ? dto
            : null;

    internal static double Rate(string? s)
    {
        if (string.IsNullOrEmpty(s)) return 0;
        var parts = s.Split('/');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return d > 0 ? n / d : 0;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static double Num(JsonElement e, string name) =>
        double.TryParse(Str(e, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static int Int(JsonElement e, string name) =>
        int.TryParse(Str(e, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
