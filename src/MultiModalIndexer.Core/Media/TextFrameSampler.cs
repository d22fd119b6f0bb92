using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>
/// Where on-screen text is looked for ("Media:TextSampling:..."): a low-cost grey decode of the whole
/// video at <see cref="Fps"/>, a change gate against the last frame that was read, and a cap on reads.
/// </summary>
public sealed class TextSamplingOptions
{
    /// <summary>Grey frames per second decoded for the text timeline (subtitles change every 2-4 s).</summary>
    public double Fps { get; set; } = 3;
    /// <summary>Frames wider than this are scaled down to it (captions at 640-960 px stay readable).</summary>
    public int MaxWidth { get; set; } = 960;
    /// <summary>Gate grid: the frame is cut into this many columns and rows of cells.</summary>
    public int GridColumns { get; set; } = 16;
    public int GridRows { get; set; } = 12;
    /// <summary>A cell changed when its mean strong-edge density moved by more than this (0-1).</summary>
    public double CellEdgeChange { get; set; } = 0.04;
    /// <summary>A cell changed when its mean grey level moved by more than this many levels.</summary>
    public double CellMeanChange { get; set; } = 12;
    /// <summary>Grey-level step between neighbours that counts as a strong (text-like) edge.</summary>
    public int EdgeStep { get; set; } = 60;
    /// <summary>Read again when at least this many cells changed since the last read.</summary>
    public int MinChangedCells { get; set; } = 1;
    /// <summary>At most this many OCR reads per second of media (moving backgrounds change every frame).</summary>
    public double MaxOcrPerMediaSecond { get; set; } = 1.0;
    /// <summary>Always read again after this many seconds, changed or not (a caption fading in slowly).</summary>
    public double MaxSecondsBetweenReads { get; set; } = 10;
    /// <summary>A line missing from reads for longer than this has left the screen (one missed read is forgiven).</summary>
    public double LineGapSeconds { get; set; } = 1.5;
    /// <summary>Grey frames decoded ahead of OCR (bounded queue between decode and OCR).</summary>
    public int QueueFrames { get; set; } = 4;

    public IEnumerable<string> Validate()
    {
        if (!double.IsFinite(Fps) || Fps is < 0.5 or > 30) yield return "Media:TextSampling:Fps must be between 0.5 and 30 (2-4 suits subtitles).";
        if (MaxWidth is < 160 or > 4096) yield return "Media:TextSampling:MaxWidth must be between 160 and 4096.";
        if (GridColumns is < 1 or > 128 || GridRows is < 1 or > 128) yield return "Media:TextSampling:GridColumns and GridRows must be between 1 and 128.";
        if (CellEdgeChange is <= 0 or > 1) yield return "Media:TextSampling:CellEdgeChange must be in (0, 1].";
        if (CellMeanChange is <= 0 or > 255) yield return "Media:TextSampling:CellMeanChange must be in (0, 255].";
        if (EdgeStep is < 1 or > 255) yield return "Media:TextSampling:EdgeStep must be between 1 and 255.";
        if (MinChangedCells < 1) yield return "Media:TextSampling:MinChangedCells must be at least 1.";
        if (!double.IsFinite(MaxOcrPerMediaSecond) || MaxOcrPerMediaSecond is <= 0 or > 30)
            yield return "Media:TextSampling:MaxOcrPerMediaSecond must be in (0, 30].";
        if (!double.IsFinite(MaxSecondsBetweenReads) || MaxSecondsBetweenReads <= 0) yield return "Media:TextSampling:MaxSecondsBetweenReads must be > 0.";
        if (!double.IsFinite(LineGapSeconds) || LineGapSeconds < 0) yield return "Media:TextSampling:LineGapSeconds must be >= 0.";
        if (QueueFrames is < 1 or > 256) yield return "Media:TextSampling:QueueFrames must be between 1 and 256.";
    }
}

/// <summary>One decoded grey frame of the text timeline.</summary>
public sealed record GreyFrame(double Time, byte[] Pixels, int Width, int Height);

/// <summary>
/// Decodes a video once more, cheaply, for on-screen text: grey, at <see cref="TextSamplingOptions.Fps"/>,
/// no wider than <see cref="TextSamplingOptions.MaxWidth"/>, streamed through ffmpeg's stdout (the pipe
/// bounds how far decode runs ahead of the reader). Frame n is at n / fps seconds.
/// </summary>
public sealed class TextFrameSampler(MediaOptions options, ILogger? logger = null)
{
    public TextSamplingOptions Settings => options.TextSampling;

    public async IAsyncEnumerable<GreyFrame> SampleAsync(MediaInfo media, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var v = media.Video ?? throw new MediaException(MediaErrorKind.NoVideoStream, media.Path, "has no video stream to read text from");
        var s = options.TextSampling;
        var (w, h) = (Math.Max(1, v.DisplayWidth), Math.Max(1, v.DisplayHeight));
        if (w > s.MaxWidth) (w, h) = (s.MaxWidth, Math.Max(1, (int)Math.Round(h * (double)s.MaxWidth / w)));
        w &= ~1; h &= ~1;
        w = Math.Max(2, w); h = Math.Max(2, h);
        var fps = s.Fps.ToString("0.######", CultureInfo.InvariantCulture);
        string[] args =
        [
            "-nostdin", "-hide_banner", "-v", "error", .. options.ConcurrentDecodeArgs(), "-i", FfmpegProcess.InputArg(media.Path),
            "-map", $"0:{v.Index}", "-an", "-sn", "-dn",
            "-vf", $"fps={fps},scale={w}:{h}:flags=area,setsar=1,format=gray",
            "-f", "rawvideo", "-",
        ];
        var frameBytes = w * h;
        var n = 0;
        await using var p = FfmpegProcess.Start(options.FfmpegPath, args, media.Path, options.DecodeTimeout(media.Duration), logger, ct);
        var held = new System.Diagnostics.Stopwatch();
        while (true)
        {
            var buf = new byte[frameBytes];
            int got;
            try
            {
                got = await p.StdOut.ReadAtLeastAsync(buf, frameBytes, throwOnEndOfStream: false, p.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                p.ThrowIfCancelledOrTimedOut();
                throw;
            }
            if (got < frameBytes) break;
            held.Restart();
            yield return new GreyFrame(n++ / s.Fps, buf, w, h);
            // The consumer held ffmpeg back (OCR queue full): that time is not ffmpeg's, so not its timeout's.
            p.ExtendTimeout(held.Elapsed);
        }
        await p.WaitForSuccessAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// Decides which sampled frames are worth an OCR read: a frame is read when some grid cell's strong-edge
/// density or mean grey level moved past its threshold since the last <em>read</em> frame (so a slow drift
/// still adds up), no more often than <see cref="TextSamplingOptions.MaxOcrPerMediaSecond"/>, and at
/// least every <see cref="TextSamplingOptions.MaxSecondsBetweenReads"/>. Text appearing or changing moves
/// the edge density of the cells it covers by far more than compression noise does.
/// </summary>
public sealed class TextChangeGate(TextSamplingOptions options)
{
    private float[]? _lastRead;
    private double _lastReadTime = double.NegativeInfinity;
    private double? _firstChange;

    /// <summary>Time of the first frame that differed from the last read one (null when none has yet).</summary>
    public double? FirstChangeSinceRead => _firstChange;

    /// <summary>Whether the last frame offered had changed since the last read (meaningful when not read).</summary>
    public bool LastChanged { get; private set; }

    /// <summary>True when <paramref name="frame"/> should be read now; it then becomes the reference.</summary>
    public bool Offer(GreyFrame frame)
    {
        var sig = Signature(frame);
        var changed = _lastRead is null || Changed(_lastRead, sig);
        LastChanged = changed;
        if (changed) _firstChange ??= frame.Time;
        var due = frame.Time - _lastReadTime >= options.MaxSecondsBetweenReads;
        var allowed = frame.Time - _lastReadTime >= 1.0 / options.MaxOcrPerMediaSecond - 1e-6;
        if (!((changed && allowed) || due)) return false;
        _lastRead = sig;
        _lastReadTime = frame.Time;
        return true;
    }

    /// <summary>Call after a read was taken: the change that triggered it is accounted for.</summary>
    public void ClearChange() => _firstChange = null;

    private bool Changed(float[] a, float[] b)
    {
        var cells = options.GridColumns * options.GridRows;
        var changed = 0;
        for (var i = 0; i < cells; i++)
            if (Math.Abs(a[i] - b[i]) > options.CellEdgeChange || Math.Abs(a[cells + i] - b[cells + i]) > options.CellMeanChange)
                if (++changed >= options.MinChangedCells) return true;
        return false;
    }

    /// <summary>Per cell: the share of pixels with a strong horizontal or vertical step, then the mean grey level.</summary>
    internal float[] Signature(GreyFrame f)
    {
        int cols = options.GridColumns, rows = options.GridRows, cells = cols * rows, step = options.EdgeStep;
        var edges = new int[cells];
        var sums = new long[cells];
        var counts = new int[cells];
        var px = f.Pixels;
        for (var y = 0; y < f.Height; y++)
        {
            var cy = Math.Min(rows - 1, y * rows / f.Height) * cols;
            var row = y * f.Width;
            var below = y + 1 < f.Height ? row + f.Width : row;
            for (var x = 0; x < f.Width; x++)
            {
                var c = cy + Math.Min(cols - 1, x * cols / f.Width);
                int p = px[row + x];
                sums[c] += p;
                counts[c]++;
                var right = x + 1 < f.Width ? px[row + x + 1] : p;
                if (Math.Abs(p - right) >= step || Math.Abs(p - px[below + x]) >= step) edges[c]++;
            }
        }
        var sig = new float[cells * 2];
        for (var i = 0; i < cells; i++)
        {
            var n = Math.Max(1, counts[i]);
            sig[i] = edges[i] / (float)n;
            sig[cells + i] = sums[i] / (float)n;
        }
        return sig;
    }
}
