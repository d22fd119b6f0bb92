using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Indexing;

/// <summary>Progress of one file in flight (keyframes done / planned).</summary>
internal sealed class FileProgress(string path)
{
    public string Path { get; } = path;
    public int KeyframesPlanned;
    public int KeyframesDone;
    public double Fraction => KeyframesPlanned == 0 ? 0 : Math.Min(1, (double)KeyframesDone / KeyframesPlanned);
}

/// <summary>Shared per-run services of the pipeline (created by the indexer for one run).</summary>
internal sealed class PipelineContext
{
    public required MediaProbe Probe { get; init; }
    public required ShotDetector Shots { get; init; }
    public required KeyframeExtractor Keyframes { get; init; }
    public required AudioReader Audio { get; init; }
    public required ThumbnailStore Thumbnails { get; init; }
    public required PipelineStats Stats { get; init; }
    public required IReadOnlyDictionary<string, string> ModelVersions { get; init; }
    public ClipBatcher? Clip { get; init; }
    public OcrWorkers? Ocr { get; init; }
    public ISpeechRecognizer? Recognizer { get; init; }
    /// <summary>One transcription at a time: the recognizer's threads already use the cores.</summary>
    public SemaphoreSlim AsrGate { get; } = new(1, 1);
    public required ILogger Logger { get; init; }
}

/// <summary>
/// One video → its documents. Decodes the file exactly four times: ffprobe, one low-resolution
/// decode for shot detection, one decode that cuts every keyframe (CLIP input, grey OCR frame and
/// thumbnail at once), and one audio decode for speech, the last two running concurrently. Keyframes
/// go to the shared CLIP batcher and OCR workers through bounded queues.
/// </summary>
internal static class VideoPipeline
{
    /// <summary>Bumped when the document layout changes, so the ledger re-indexes.</summary>
    public const string Version = "pipeline-2"; // 2: copy-detection fingerprints

    public static async Task<(VideoDocument Video, IReadOnlyList<SegmentDocument> Segments, double Duration)> BuildAsync(
        PipelineContext ctx, string path, string storage, string videoId, FileProgress progress, Action<double> onDuration, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var media = await ctx.Probe.ProbeAsync(path, ct);
        ctx.Stats.Add("probe", sw.Elapsed);
        if (media.Video is null)
            throw new MediaException(MediaErrorKind.NoVideoStream, path,
                media.Audio is null ? "no video stream" : "audio-only media (no video stream); only videos are indexed");
        onDuration(media.Duration);

        sw.Restart();
        var analysis = await ctx.Shots.AnalyzeAsync(media, ct);
        ctx.Stats.Add("shots", sw.Elapsed);
        var segments = analysis.Segments.OrderBy(s => s.Start).ToList();
        if (segments.Count == 0)
            throw new MediaException(MediaErrorKind.Corrupt, path, "no segments: no decodable frames");
        progress.KeyframesPlanned = segments.Sum(s => Math.Max(1, s.KeyframeTimes.Count));

        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var visualTask = VisualAsync(ctx, media, segments, videoId, progress, failFast.Token);
        var speechTask = SpeechAsync(ctx, media, segments, failFast.Token);
        try
        {
            await Task.WhenAll(visualTask, speechTask);
        }
        catch
        {
            await failFast.CancelAsync(); // the other half stops too, then the first error surfaces
            try { await Task.WhenAll(visualTask, speechTask); } catch { /* reported below */ }
            throw;
        }
        var visual = await visualTask;
        var (transcripts, utterances) = await speechTask;

        var now = DateTimeOffset.UtcNow;
        var meta = new MediaMeta(media.Container, media.Duration, media.SizeBytes, media.Video.Width, media.Video.Height,
            media.Video.Fps, media.Video.Codec, media.Audio?.Codec, media.CreationTime);
        var fileName = Path.GetFileName(path);
        var title = Path.GetFileNameWithoutExtension(path);
        var docs = new List<SegmentDocument>(segments.Count);
        for (var i = 0; i < segments.Count; i++)
        {
            var seg = segments[i];
            var t = transcripts?[i];
            docs.Add(new SegmentDocument
            {
                Id = DocumentIds.SegmentId(videoId, seg.Ordinal),
                VideoId = videoId,
                Ordinal = seg.Ordinal,
                SourcePath = path,
                Storage = storage,
                FileName = fileName,
                Title = title,
                Start = seg.Start,
                End = seg.End,
                KeyframeTimes = seg.KeyframeTimes,
                ThumbnailRef = visual.ThumbnailRefs[i],
                Transcript = t?.Text ?? "",
                Utterances = t?.Utterances ?? [],
                OcrText = string.Join("\n", visual.OcrLines[i]),
                Vector = visual.Vectors[i],
                Language = MajorityLanguage(t?.Utterances ?? []),
                Media = meta,
                IndexedAt = now,
                ModelVersions = ctx.ModelVersions,
            });
        }
        var vectors = docs.Where(d => d.Vector is not null).Select(d => d.Vector!).ToList();
        var video = new VideoDocument
        {
            Id = videoId,
            SourcePath = path,
            Storage = storage,
            FileName = fileName,
            Title = title,
            Duration = media.Duration,
            Media = meta,
            SegmentCount = docs.Count,
            MeanVector = vectors.Count > 0 ? SegmentPooling.MeanPool(vectors) : null,
            Fingerprint = ctx.Shots.Fingerprints is { } fp
                ? new VideoFingerprint((float)fp.Fps, analysis.Fingerprint.Select(f => (float)f.Time).ToArray(), analysis.Fingerprint.Select(f => f.Hash).ToArray(),
                    analysis.Fingerprint.Select(f => f.Cropped).ToArray())
                : null,
            Transcript = string.Join(" ", utterances.Select(u => u.Text.Trim()).Where(s => s.Length > 0)),
            Language = MajorityLanguage(utterances),
            IndexedAt = now,
            ModelVersions = ctx.ModelVersions,
        };
        return (video, docs, media.Duration);
    }

    private sealed record VisualResult(float[]?[] Vectors, IReadOnlyList<string>[] OcrLines, string?[] ThumbnailRefs);

    private static async Task<VisualResult> VisualAsync(PipelineContext ctx, MediaInfo media, List<SegmentSpan> segments,
        string videoId, FileProgress progress, CancellationToken ct)
    {
        var index = new Dictionary<int, int>();
        for (var i = 0; i < segments.Count; i++) index[segments[i].Ordinal] = i;
        var clipTasks = new List<(int Seg, Task<float[]> Task)>();
        var ocrTasks = new List<(int Seg, double Time, Task<OcrResult> Task)>();
        var thumbs = new (double Distance, byte[]? Jpeg)[segments.Count];
        for (var i = 0; i < thumbs.Length; i++) thumbs[i] = (double.MaxValue, null);

        var sw = Stopwatch.StartNew();
        (byte[] Signature, Task<OcrResult> Task)? lastOcr = null;
        await foreach (var kf in ctx.Keyframes.ExtractAsync(media, segments, ct))
        {
            if (!index.TryGetValue(kf.SegmentOrdinal, out var s)) continue;
            // The thumbnail is the keyframe nearest the segment's middle.
            var mid = (segments[s].Start + segments[s].End) / 2;
            if (Math.Abs(kf.Time - mid) < thumbs[s].Distance) thumbs[s] = (Math.Abs(kf.Time - mid), kf.ThumbnailJpeg);
            if (ctx.Clip is not null) clipTasks.Add((s, Count(ctx.Clip.EncodeAsync(kf.ClipRgb, ct), progress)));
            if (ctx.Ocr is not null && kf.GreyWidth > 0 && kf.GreyHeight > 0 && kf.Grey.Length >= kf.GreyWidth * kf.GreyHeight)
            {
                // Static shots (title cards, slides, talking heads) repeat the same picture in keyframe after
                // keyframe: a frame practically identical to the previous one reuses its OCR result.
                var signature = FrameSignature.Of(kf.Grey, kf.GreyWidth, kf.GreyHeight);
                if (lastOcr is { } last && FrameSignature.Same(last.Signature, signature))
                {
                    ocrTasks.Add((s, kf.Time, last.Task));
                    ctx.Stats.Add("ocr_reused", TimeSpan.Zero);
                }
                else
                {
                    var task = ctx.Ocr.RecognizeAsync(new GreyImage(kf.Grey, kf.GreyWidth, kf.GreyHeight), ct);
                    ocrTasks.Add((s, kf.Time, task));
                    lastOcr = (signature, task);
                }
            }
            if (ctx.Clip is null) Interlocked.Increment(ref progress.KeyframesDone);
        }
        ctx.Stats.Add("keyframes", sw.Elapsed);
        await Task.WhenAll(clipTasks.Select(t => (Task)t.Task).Concat(ocrTasks.Select(t => t.Task)));

        var vectors = new float[]?[segments.Count];
        if (ctx.Clip is not null)
            foreach (var g in clipTasks.GroupBy(t => t.Seg))
                vectors[g.Key] = SegmentPooling.MeanPool(g.Select(t => t.Task.Result).ToList());

        var ocrLines = new IReadOnlyList<string>[segments.Count];
        if (ctx.Ocr is not null)
        {
            var perSegment = Enumerable.Range(0, segments.Count)
                .Select(i => (IReadOnlyList<OcrResult>)ocrTasks.Where(t => t.Seg == i).OrderBy(t => t.Time).Select(t => t.Task.Result).ToList())
                .ToList();
            var dedup = OcrDeduplicator.DeduplicateSegments(perSegment);
            for (var i = 0; i < segments.Count; i++) ocrLines[i] = i < dedup.Count ? dedup[i] : [];
        }
        else
            for (var i = 0; i < segments.Count; i++) ocrLines[i] = [];

        var refs = new string?[segments.Count];
        for (var i = 0; i < segments.Count; i++)
            if (thumbs[i].Jpeg is { Length: > 0 } jpeg)
                refs[i] = await ctx.Thumbnails.WriteAsync(videoId, segments[i].Ordinal, jpeg, ct);
        return new VisualResult(vectors, ocrLines, refs);
    }

    private static async Task<float[]> Count(Task<float[]> task, FileProgress progress)
    {
        var r = await task;
        Interlocked.Increment(ref progress.KeyframesDone);
        return r;
    }

    private static async Task<(IReadOnlyList<SegmentTranscript>? PerSegment, IReadOnlyList<Utterance> All)> SpeechAsync(
        PipelineContext ctx, MediaInfo media, List<SegmentSpan> segments, CancellationToken ct)
    {
        if (ctx.Recognizer is null || media.Audio is null) return (null, []);
        await ctx.AsrGate.WaitAsync(ct);
        var sw = Stopwatch.StartNew();
        try
        {
            var utterances = new List<Utterance>();
            await foreach (var u in ctx.Recognizer.TranscribeAsync(ctx.Audio.ReadPcm16kMonoAsync(media.Path, ct), ct))
                utterances.Add(u);
            var aligned = TranscriptAligner.Align(utterances, segments);
            // The aligner answers per segment; index by ordinal so a missing entry cannot shift the rest.
            var byOrdinal = aligned.ToDictionary(a => a.Ordinal);
            var perSegment = segments.Select(s => byOrdinal.GetValueOrDefault(s.Ordinal) ?? new SegmentTranscript(s.Ordinal, "", [])).ToList();
            return (perSegment, utterances);
        }
        catch (MediaException e)
        {
            // Unreadable audio in a readable video: keep the pictures, say why the words are missing.
            ctx.Logger.LogWarning("{File}: audio could not be decoded ({Reason}); indexed without a transcript.", Path.GetFileName(media.Path), e.Reason);
            return (null, []);
        }
        finally
        {
            ctx.Stats.Add("asr", sw.Elapsed);
            ctx.AsrGate.Release();
        }
    }

    private static string? MajorityLanguage(IEnumerable<Utterance> utterances) =>
        utterances.Where(u => !string.IsNullOrEmpty(u.Language))
            .GroupBy(u => u.Language!)
            .OrderByDescending(g => g.Sum(u => u.End - u.Start))
            .Select(g => g.Key)
            .FirstOrDefault();
}

/// <summary>
/// A 32×32 block-mean thumbnail of a grey frame. Two frames are "the same" for OCR when no block
/// differs by more than a few grey levels, which video noise and compression stay under while any
/// caption change (a text line appearing, moving or changing) moves several blocks by far more.
/// </summary>
internal static class FrameSignature
{
    private const int Grid = 32;

    public static byte[] Of(byte[] grey, int width, int height)
    {
        var sig = new byte[Grid * Grid];
        for (var by = 0; by < Grid; by++)
        {
            int y0 = by * height / Grid, y1 = Math.Max(y0 + 1, (by + 1) * height / Grid);
            for (var bx = 0; bx < Grid; bx++)
            {
                int x0 = bx * width / Grid, x1 = Math.Max(x0 + 1, (bx + 1) * width / Grid);
                long sum = 0;
                var n = 0;
                for (var y = y0; y < y1 && y < height; y++)
                {
                    var row = y * width;
                    for (var x = x0; x < x1 && x < width; x++) { sum += grey[row + x]; n++; }
                }
                sig[by * Grid + bx] = (byte)(n == 0 ? 0 : sum / n);
            }
        }
        return sig;
    }

    public static bool Same(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if (Math.Abs(a[i] - b[i]) > 6) return false;
        return true;
    }
}
