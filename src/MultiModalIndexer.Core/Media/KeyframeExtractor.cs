using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>One decode pass over a video that yields every keyframe's CLIP input and thumbnail.</summary>
/// <remarks>
/// ffmpeg runs the same fps filter as the analysis decode (so a keyframe time names the same frame),
/// selects the wanted frames, splits them into two scaled outputs written to a temp folder, and the
/// results are read back in keyframe order; the temp folder is removed in every case.
/// </remarks>
public sealed class KeyframeExtractor(MediaOptions options, ILogger<KeyframeExtractor>? logger = null)
{
    public MediaOptions Options => options;

    public async IAsyncEnumerable<KeyframeImage> ExtractAsync(MediaInfo media, IReadOnlyList<SegmentSpan> segments,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var v = media.Video ?? throw new MediaException(MediaErrorKind.NoVideoStream, media.Path, "has no video stream to take keyframes from");
        var fps = ShotDetector.AnalysisFps(v, options.Shots);
        var wanted = new List<(int Segment, double Time, int Frame)>();
        foreach (var s in segments)
            foreach (var t in s.KeyframeTimes)
                wanted.Add((s.Ordinal, t, Math.Max(0, (int)Math.Round(t * fps))));
        if (wanted.Count == 0) yield break;
        var indices = wanted.Select(x => x.Frame).Distinct().Order().ToList();

        // Sizes from the display shape: each output is scaled straight to it, so non-square pixels cost no extra pass.
        var (w, h) = (Math.Max(1, v.DisplayWidth), Math.Max(1, v.DisplayHeight));
        var (tw, th) = FrameGeometry.Thumbnail(w, h, options.ThumbnailWidth);
        var tmp = Directory.CreateTempSubdirectory("mmi-keyframes-");
        try
        {
            var select = new StringBuilder();
            foreach (var i in indices) select.Append(select.Length == 0 ? "" : "+").Append("eq(n,").Append(i).Append(')');
            var graph =
                $"[0:{v.Index}]fps={fps.ToString("0.######", CultureInfo.InvariantCulture)},select='{select}',split=2[c][t];" +
                $"[c]{FrameGeometry.ClipFilter(w, h)}[co];" +
                $"[t]scale={tw}:{th}:flags=bicubic,setsar=1,format=yuvj420p[to]";
            var clipFile = Path.Combine(tmp.FullName, "clip.rgb");
            string[] args =
            [
                "-nostdin", "-hide_banner", "-v", "error", .. options.ConcurrentDecodeArgs(), "-i", FfmpegProcess.InputArg(media.Path), "-filter_complex", graph,
                "-map", "[co]", "-fps_mode", "passthrough", "-f", "rawvideo", clipFile,
                "-map", "[to]", "-fps_mode", "passthrough", "-q:v", "4", "-f", "image2", Path.Combine(tmp.FullName, "t%05d.jpg"),
            ];
            await using (var p = FfmpegProcess.Start(options.FfmpegPath, args, media.Path, options.DecodeTimeout(media.Duration), logger, ct))
                await p.WaitForSuccessAsync().ConfigureAwait(false);

            const int clipBytes = KeyframeImage.ClipSize * KeyframeImage.ClipSize * 3;
            var got = (int)(new FileInfo(clipFile).Length / clipBytes);
            got = Math.Min(got, Directory.GetFiles(tmp.FullName, "t*.jpg").Length);
            if (got == 0)
                throw new MediaException(MediaErrorKind.Corrupt, media.Path, "no keyframe could be decoded");
            if (got < indices.Count)
                logger?.LogWarning("{File}: {Got} of {Want} keyframes decoded; the rest use the last decoded frame",
                    Path.GetFileName(media.Path), got, indices.Count);

            await using var clip = File.OpenRead(clipFile);
            foreach (var k in wanted)
            {
                ct.ThrowIfCancellationRequested();
                // Frames come out in frame order; indices past the end of the stream fall back to the last one.
                var pos = Math.Min(indices.BinarySearch(k.Frame), got - 1);
                var rgb = new byte[clipBytes];
                clip.Seek((long)pos * clipBytes, SeekOrigin.Begin);
                await clip.ReadExactlyAsync(rgb, ct).ConfigureAwait(false);
                var jpeg = await File.ReadAllBytesAsync(Path.Combine(tmp.FullName, $"t{pos + 1:00000}.jpg"), ct).ConfigureAwait(false);
                yield return new KeyframeImage
                {
                    SegmentOrdinal = k.Segment,
                    Time = k.Time,
                    ClipRgb = rgb,
                    ThumbnailJpeg = jpeg,
                };
            }
        }
        finally
        {
            try { tmp.Delete(recursive: true); }
            catch (IOException e) { logger?.LogWarning("could not remove {Dir}: {Message}", tmp.FullName, e.Message); }
        }
    }
}
