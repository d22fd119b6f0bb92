using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Timeline;
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
    /// <summary>The grey decode the OCR timeline reads (set whenever <see cref="Ocr"/> is).</summary>
    public TextFrameSampler? TextFrames { get; init; }
    public ISpeechRecognizer? Recognizer { get; init; }
    /// <summary>One transcription at a time: the recognizer's threads already use the cores.</summary>
    public SemaphoreSlim AsrGate { get; } = new(1, 1);
    public required ILogger Logger { get; init; }
}

/// <summary>
/// One video → its documents. Decodes the file five times: ffprobe, one low-resolution decode for shot
/// detection, one decode that cuts every keyframe (CLIP input and thumbnail), one grey decode at a few
/// frames per second for on-screen text (read where it changes, see <see cref="TextChangeGate"/>), and
/// one audio decode for speech, the last three running concurrently. Keyframes go to the shared CLIP
/// batcher and text frames to the OCR workers through bounded queues.
/// </summary>
internal static class VideoPipeline
{
    /// <summary>Bumped when the document layout changes, so the ledger re-indexes.</summary>
    public const string Version = "pipeline-3"; // 2: timed OCR lines; 3: copy-detection fingerprints

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
        var textTask = TextTimelineAsync(ctx, media, segments, failFast.Token);
        var speechTask = SpeechAsync(ctx, media, segments, failFast.Token);
        try
        {
            await Task.WhenAll(visualTask, textTask, speechTask);
        }
        catch
        {
            await failFast.CancelAsync(); // the other parts stop too, then the first error surfaces
            try { await Task.WhenAll(visualTask, textTask, speechTask); } catch { /* reported below */ }
            throw;
        }
        var visual = await visualTask;
        var ocrLines = await textTask;
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
                OcrText = string.Join("\n", ocrLines[i].Select(l => l.Text)),
                OcrLines = ocrLines[i],
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
                    analysis.Fingerprint.Select(f => f.Cropped).ToArray(), analysis.Fingerprint.Select(f => f.Chroma).ToArray())
                : null,
            Transcript = string.Join(" ", utterances.Select(u => u.Text.Trim()).Where(s => s.Length > 0)),
            Language = MajorityLanguage(utterances),
            IndexedAt = now,
            ModelVersions = ctx.ModelVersions,
        };
        return (video, docs, media.Duration);
    }

    private sealed record VisualResult(float[]?[] Vectors, string?[] ThumbnailRefs);

    private static async Task<VisualResult> VisualAsync(PipelineContext ctx, MediaInfo media, List<SegmentSpan> segments,
        string videoId, FileProgress progress, CancellationToken ct)
    {
        var index = new Dictionary<int, int>();
        for (var i = 0; i < segments.Count; i++) index[segments[i].Ordinal] = i;
        var clipTasks = new List<(int Seg, Task<float[]> Task)>();
        var thumbs = new (double Distance, byte[]? Jpeg)[segments.Count];
        for (var i = 0; i < thumbs.Length; i++) thumbs[i] = (double.MaxValue, null);

        var sw = Stopwatch.StartNew();
        await foreach (var kf in ctx.Keyframes.ExtractAsync(media, segments, ct))
        {
            if (!index.TryGetValue(kf.SegmentOrdinal, out var s)) continue;
            // The thumbnail is the keyframe nearest the segment's middle.
            var mid = (segments[s].Start + segments[s].End) / 2;
            if (Math.Abs(kf.Time - mid) < thumbs[s].Distance) thumbs[s] = (Math.Abs(kf.Time - mid), kf.ThumbnailJpeg);
            if (ctx.Clip is not null) clipTasks.Add((s, Count(ctx.Clip.EncodeAsync(kf.ClipRgb, ct), progress)));
            if (ctx.Clip is null) Interlocked.Increment(ref progress.KeyframesDone);
        }
        ctx.Stats.Add("keyframes", sw.Elapsed);
        await Task.WhenAll(clipTasks.Select(t => t.Task));

        var vectors = new float[]?[segments.Count];
        if (ctx.Clip is not null)
            foreach (var g in clipTasks.GroupBy(t => t.Seg))
                vectors[g.Key] = SegmentPooling.MeanPool(g.Select(t => t.Task.Result).ToList());

        var refs = new string?[segments.Count];
        for (var i = 0; i < segments.Count; i++)
            if (thumbs[i].Jpeg is { Length: > 0 } jpeg)
                refs[i] = await ctx.Thumbnails.WriteAsync(videoId, segments[i].Ordinal, jpeg, ct);
        return new VisualResult(vectors, refs);
    }

    /// <summary>
    /// The on-screen text of the whole video as timed lines, per segment: grey frames at a few fps, read
    /// by OCR where the change gate says the picture changed (each distinct text read about once), lines
    /// tracked over time, and each line given to the segment where it first appears (a caption still on
    /// screen after a cut is not repeated in the next segment; see <see cref="OcrDeduplicator"/>).
    /// </summary>
    private static async Task<IReadOnlyList<TimedText>[]> TextTimelineAsync(PipelineContext ctx, MediaInfo media,
        List<SegmentSpan> segments, CancellationToken ct)
    {
        var perSegment = new IReadOnlyList<TimedText>[segments.Count];
        for (var i = 0; i < perSegment.Length; i++) perSegment[i] = [];
        if (ctx.Ocr is null || ctx.TextFrames is null) return perSegment;
        var settings = ctx.TextFrames.Settings;
        var gate = new TextChangeGate(settings);
        var tracker = new OcrLineTracker(settings.LineGapSeconds);
        // Decode → OCR → tracker: reads in flight are bounded, and the tracker takes them in time order.
        var reads = Channel.CreateBounded<(double Time, double Appeared, Task<OcrResult>? Read)>(
            new BoundedChannelOptions(settings.QueueFrames) { SingleReader = true, SingleWriter = true });
        var sw = Stopwatch.StartNew();
        // A failed read stops the decode too (the writer would otherwise wait on a full queue forever).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var consumer = Task.Run(async () =>
        {
            try
            {
                await foreach (var r in reads.Reader.ReadAllAsync(stop.Token))
                    if (r.Read is null) tracker.AddUnchanged(r.Time);
                    else tracker.AddRead(r.Time, r.Appeared, (await r.Read).Lines);
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }, CancellationToken.None);
        try
        {
            long frames = 0, read = 0;
            Task<OcrResult>? last = null;
            await foreach (var f in ctx.TextFrames.SampleAsync(media, stop.Token))
            {
                frames++;
                if (gate.Offer(f))
                {
                    // A second look at an unchanged picture reads the boxes its first read found again; it is
                    // not worth an OCR when that read found nothing, or only lines it was sure of.
                    var previous = gate.IsConfirmation && last is { IsCompletedSuccessfully: true } ? last.Result : null;
                    if (previous is not null && previous.Lines.All(l => l.Confidence >= settings.ConfirmBelowConfidence))
                    {
                        await reads.Writer.WriteAsync((f.Time, f.Time, null), stop.Token); // the picture stands as it was
                        continue;
                    }
                    var appeared = gate.FirstChangeSinceRead ?? f.Time;
                    gate.ClearChange();
                    if (gate.OnlyLeft && last is not null)
                    {
                        // Only steady edges left: when they left away from every line the last read found, those
                        // lines stand as they were (the read is ≥ 1 s of media old, so this seldom waits).
                        var before = await last;
                        if (before.Lines.Count > 0 && before.Lines.All(l => l.Box is { } b && !gate.LeftWithin(b.Left, b.Top, b.Right, b.Bottom)))
                        {
                            await reads.Writer.WriteAsync((f.Time, appeared, last), stop.Token);
                            continue;
                        }
                        gate.ReadWholeFrame();
                    }
                    read++;
                    var task = ctx.Ocr.RecognizeAsync(new GreyImage(f.Pixels, f.Width, f.Height), previous, stop.Token);
                    last = task;
                    await reads.Writer.WriteAsync((f.Time, appeared, task), stop.Token);
                }
                else if (!gate.LastChanged)
                    await reads.Writer.WriteAsync((f.Time, f.Time, null), stop.Token);
            }
            ctx.Stats.Add("text_frames", TimeSpan.Zero, (int)frames);
            ctx.Stats.Add("ocr_reads", TimeSpan.Zero, (int)read);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the consumer's error is the one to report, below
        }
        finally
        {
            reads.Writer.TryComplete();
        }
        await consumer;
        ctx.Stats.Add("text_timeline", sw.Elapsed);

        var lists = segments.Select(_ => new List<TimedText>()).ToArray();
        foreach (var line in tracker.Finish(media.Duration))
        {
            // The segment where the line first appears: the last one starting at or before it.
            var s = segments.FindLastIndex(g => g.Start <= line.Start + 1e-6);
            lists[Math.Max(0, s)].Add(new TimedText(line.Text, Math.Round(line.Start, 3), Math.Round(line.End, 3)));
        }
        for (var i = 0; i < lists.Length; i++) perSegment[i] = lists[i];
        return perSegment;
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
