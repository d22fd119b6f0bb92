using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>
/// Where on-screen text is looked for ("Media:TextSampling:..."): a low-cost grey decode of the whole
/// video at <see cref="Fps"/>, a change gate on steady edges against the last frame that was read
/// (<see cref="TextChangeGate"/>), and a cap on reads.
/// </summary>
public sealed class TextSamplingOptions
{
    /// <summary>Grey frames per second decoded for the text timeline (subtitles change every 2-4 s).</summary>
    public double Fps { get; set; } = 3;
    /// <summary>Frames wider than this are scaled down to it (captions at 640-960 px stay readable).</summary>
    public int MaxWidth { get; set; } = 960;
    /// <summary>
    /// Frames no other frame refers to are not decoded (ffmpeg -skip_frame noref): text stands for seconds,
    /// so a sample taken from a neighbouring frame (a few frames, ~0.1 s, off) reads the same. Measured on
    /// H.264 640x360 with B-frames: 30 % less decode CPU. Streams whose frames are all references are unaffected.
    /// </summary>
    public bool SkipNonReferenceFrames { get; set; } = true;
    /// <summary>Gate grid: the frame is cut into this many columns and rows of cells.</summary>
    public int GridColumns { get; set; } = 16;
    public int GridRows { get; set; } = 12;
    /// <summary>A cell changed when more than this share of its pixels became, or stopped being, steady edges (0-1).</summary>
    public double CellEdgeChange { get; set; } = 0.04;
    /// <summary>
    /// A strong edge is steady when it is on the same pixel in this many consecutive samples (text stands
    /// still; moving pictures seldom do). 3 at 3 fps: text is confirmed within 0.67 s of appearing.
    /// </summary>
    public int StableFrames { get; set; } = 3;
    /// <summary>
    /// A pixel stands still while its grey level moves by no more than this over those samples (compression
    /// noise moves a static caption's strokes a few levels; a moving edge moves them by far more).
    /// </summary>
    public int SteadyLevels { get; set; } = 32;
    /// <summary>
    /// ...and those pixels are more than this share of the cell's steady edges: text that comes or goes
    /// changes most of its cell's steady edges, while a moving background that by chance stood still for a
    /// moment beside a caption changes a few.
    /// </summary>
    public double CellSteadyShare { get; set; } = 0.5;
    /// <summary>Grey-level step between neighbours that counts as a strong (text-like) edge.</summary>
    public int EdgeStep { get; set; } = 60;
    /// <summary>Read again when at least this many cells changed since the last read.</summary>
    public int MinChangedCells { get; set; } = 1;
    /// <summary>At most this many OCR reads per second of media (a clock or a counter changes every frame).</summary>
    public double MaxOcrPerMediaSecond { get; set; } = 1.0;
    /// <summary>
    /// What a change brought is read a second time this many seconds later, if nothing changed since and
    /// the first read found text (0 = once).
    /// </summary>
    public double ConfirmReadSeconds { get; set; } = 1.0;
    /// <summary>
    /// ...unless every line of the first read was at least this sure (0-100, the recogniser's mean
    /// character probability): slips measured here read at 93-98, while 99-100 were right.
    /// </summary>
    public double ConfirmBelowConfidence { get; set; } = 99;
    /// <summary>Always read again after this many seconds, changed or not (text that never stands still, like a ticker).</summary>
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
        if (StableFrames is < 1 or > 30) yield return "Media:TextSampling:StableFrames must be between 1 and 30.";
        if (!double.IsFinite(CellSteadyShare) || CellSteadyShare is < 0 or >= 1) yield return "Media:TextSampling:CellSteadyShare must be in [0, 1).";
        if (SteadyLevels is < 0 or > 255) yield return "Media:TextSampling:SteadyLevels must be between 0 and 255.";
        if (EdgeStep is < 1 or > 255) yield return "Media:TextSampling:EdgeStep must be between 1 and 255.";
        if (MinChangedCells < 1) yield return "Media:TextSampling:MinChangedCells must be at least 1.";
        if (!double.IsFinite(MaxOcrPerMediaSecond) || MaxOcrPerMediaSecond is <= 0 or > 30)
            yield return "Media:TextSampling:MaxOcrPerMediaSecond must be in (0, 30].";
        if (!double.IsFinite(MaxSecondsBetweenReads) || MaxSecondsBetweenReads <= 0) yield return "Media:TextSampling:MaxSecondsBetweenReads must be > 0.";
        if (!double.IsFinite(ConfirmReadSeconds) || ConfirmReadSeconds < 0) yield return "Media:TextSampling:ConfirmReadSeconds must be >= 0 (0 reads new text once).";
        if (!double.IsFinite(ConfirmBelowConfidence) || ConfirmBelowConfidence is < 0 or > 101) yield return "Media:TextSampling:ConfirmBelowConfidence must be between 0 and 101 (101 = always look again).";
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
            "-nostdin", "-hide_banner", "-v", "error", .. options.ConcurrentDecodeArgs(), .. (s.SkipNonReferenceFrames ? ["-skip_frame", "noref"] : Array.Empty<string>()),
            "-i", FfmpegProcess.InputArg(media.Path),
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
/// Decides which sampled frames are worth an OCR read. On-screen text stands still while it is shown,
/// so the gate watches <em>steady</em> edges: strong grey-level steps whose pixels and neighbours keep
/// their grey level over the last <see cref="TextSamplingOptions.StableFrames"/> samples. Moving pictures
/// (camera motion, animation, noise) rarely leave an edge standing that long, and the outline of a caption
/// over a moving background flickers, so neither triggers reads; the strokes of a caption, a title or a
/// slide do. A frame is read when, in some grid cell, more than <see cref="TextSamplingOptions.CellEdgeChange"/>
/// of the pixels became steady edges that the last read frame did not have (text appeared or changed),
/// or, once a replacement has had time to settle, after steady edges the last read saw are gone (text
/// left or was replaced). A read asked for only because edges left, with nothing new standing (<see cref="OnlyLeft"/>),
/// need not be made when no line of the last read stood where they left (<see cref="LeftWithin"/>): a cut behind a
/// standing caption. A read a change asked for gets a second look <see cref="TextSamplingOptions.ConfirmReadSeconds"/>
/// later (<see cref="IsConfirmation"/>). No more often than <see cref="TextSamplingOptions.MaxOcrPerMediaSecond"/>,
/// and at least every <see cref="TextSamplingOptions.MaxSecondsBetweenReads"/> (text that never stands
/// still, like a ticker).
/// </summary>
public sealed class TextChangeGate(TextSamplingOptions options)
{
    // Per-frame work is a few passes over the grey frame into buffers kept across frames (a 640x360
    // frame is 230 KB: allocating masks per frame would land every one on the large-object heap).
    private readonly Queue<(byte[] Pixels, byte[] Edges)> _recent = new();
    /// <summary>The last read frame's pixels (null until the first read).</summary>
    private byte[]? _readPixels;
    private byte[] _readEdges = [];
    /// <summary>Steady edges of the previous frame that the last read frame also had.</summary>
    private byte[] _steadyRead = [];
    private bool _hasSteadyRead;
    private byte[] _steady = [];
    private int[] _cellOf = [];
    private int[] _cellPixels = [], _counts = [], _totals = [];
    private int _width, _height;
    private double _lastReadTime = double.NegativeInfinity;
    private double? _firstChange;
    /// <summary>When the pending change is to be read (null: none pending).</summary>
    private double? _readAt;
    /// <summary>Text the last read saw has left since: lines are not extended until the next read.</summary>
    private bool _dirty;
    /// <summary>A read a change asked for is due a second look after <see cref="TextSamplingOptions.ConfirmReadSeconds"/>.</summary>
    private bool _confirm;
    /// <summary>New steady edges were seen since the last read.</summary>
    private bool _newSinceRead;

    /// <summary>Cells where steady edges of the last read left since it (<see cref="Gone"/>), and those of the read before the current one.</summary>
    private bool[] _leftCells = [], _leftAtRead = [];

    /// <summary>
    /// Whether the read asked for is only because steady edges the last read saw have left, with nothing new
    /// standing since. The last read's lines that lie outside the cells where edges left (<see cref="LeftWithin"/>)
    /// are still shown, so a caller may carry them over instead of reading; the reference for what is new is
    /// then only what the two frames share, so text that came meanwhile asks for a read once it stands. A
    /// caller that reads the frame after all says so with <see cref="ReadWholeFrame"/>.
    /// </summary>
    public bool OnlyLeft { get; private set; }

    /// <summary>Whether steady edges left, between the last two reads, in a cell the pixel box (right and bottom exclusive) touches.</summary>
    public bool LeftWithin(int left, int top, int right, int bottom)
    {
        if (_width == 0) return false;
        int cols = options.GridColumns, rows = options.GridRows;
        int c0 = Math.Clamp(left * cols / _width, 0, cols - 1), c1 = Math.Clamp((right - 1) * cols / _width, 0, cols - 1);
        int r0 = Math.Clamp(top * rows / _height, 0, rows - 1), r1 = Math.Clamp((bottom - 1) * rows / _height, 0, rows - 1);
        for (var r = r0; r <= r1; r++)
            for (var c = c0; c <= c1; c++)
                if (_leftAtRead[r * cols + c]) return true;
        return false;
    }

    /// <summary>
    /// The caller read the whole frame of an <see cref="OnlyLeft"/> read after all: it is the reference for
    /// what is new, as after any other read, and what it found gets its second look.
    /// </summary>
    public void ReadWholeFrame()
    {
        TakeReference(whole: true);
        _confirm = options.ConfirmReadSeconds > 0;
    }

    /// <summary>
    /// The latest frame becomes the reference for what is new (it was read whole), or the reference keeps only
    /// the edges this frame shares with it (it was not).
    /// </summary>
    private void TakeReference(bool whole)
    {
        var edges = _recent.Last().Edges;
        if (whole)
        {
            Array.Copy(edges, _readEdges, edges.Length);
            if (HasSteady) Array.Copy(_steady, _steadyRead, _steady.Length);
            return;
        }
        for (var i = 0; i < edges.Length; i++) _readEdges[i] &= edges[i];
        if (HasSteady) for (var i = 0; i < _steady.Length; i++) _steadyRead[i] = (byte)(_steady[i] & _readEdges[i]);
    }

    /// <summary>Whether enough samples are in for steady edges (<see cref="_steady"/> is the latest frame's).</summary>
    private bool HasSteady => _recent.Count == options.StableFrames;

    /// <summary>Earliest time the change awaiting a read can have begun (null when none is pending).</summary>
    public double? FirstChangeSinceRead => _firstChange;

    /// <summary>Whether the picture's text may differ from the last read one (meaningful when not read).</summary>
    public bool LastChanged { get; private set; }

    /// <summary>
    /// Whether the last read asked for is the second look at what the previous read found (nothing changed
    /// since): a caller may skip it when that read found no text.
    /// </summary>
    public bool IsConfirmation { get; private set; }

    /// <summary>True when <paramref name="frame"/> should be read now; it then becomes the reference.</summary>
    public bool Offer(GreyFrame frame)
    {
        if (frame.Width != _width || frame.Height != _height) Reset(frame.Width, frame.Height);
        (IsConfirmation, OnlyLeft) = (false, false);
        var reuse = _recent.Count == options.StableFrames ? _recent.Dequeue().Edges : new byte[frame.Pixels.Length];
        var edges = Edges(frame, reuse);
        _recent.Enqueue((frame.Pixels, edges));
        var hasSteady = HasSteady;
        if (hasSteady) Steady();

        var settle = (options.StableFrames - 1) / options.Fps;
        if (_readPixels is null) (_firstChange, _readAt) = (frame.Time, frame.Time);
        else
        {
            if (_hasSteadyRead && Gone(frame.Pixels, edges))
            {
                // Text left or was replaced: lines stop being extended now, and the read waits until a
                // replacement has stood still (the first frames of a new caption are often the encoder's
                // blurry ones). With nothing new by then, that read sees what is left.
                (_dirty, _confirm) = (true, false);
                _firstChange ??= frame.Time;
                _readAt ??= frame.Time + settle - 1e-6;
            }
            if (hasSteady && NewAndTrack())
            {
                _newSinceRead = true;
                _firstChange ??= Math.Max(_lastReadTime, frame.Time - settle);
                _readAt = frame.Time;
            }
            _hasSteadyRead = hasSteady;
        }
        var confirming = false;
        if (_confirm && _readAt is null && !_dirty && frame.Time - _lastReadTime >= options.ConfirmReadSeconds - 1e-6)
        {
            // What a change brought gets a second look while it is still shown: one reading of a compressed
            // caption is often off by a letter or two, and the tracker keeps the reading seen most.
            (_confirm, confirming) = (false, true);
            _readAt = frame.Time;
        }
        LastChanged = _dirty || _firstChange is not null;

        var wanted = _readAt is { } at && frame.Time >= at;
        var due = frame.Time - _lastReadTime >= options.MaxSecondsBetweenReads;
        var allowed = frame.Time - _lastReadTime >= 1.0 / options.MaxOcrPerMediaSecond - 1e-6;
        if (confirming && !due)
        {
            // The reference stays the read being confirmed: the caller may skip this one (that read found
            // no text), and text that has begun to appear since must still count as new.
            _readAt = null;
            IsConfirmation = true;
            return true;
        }
        if (!((wanted && allowed) || due)) return false;
        // A read a change asked for is confirmed later; a routine read is not.
        OnlyLeft = wanted && !due && !_newSinceRead && _readPixels is not null;
        _confirm = wanted && !OnlyLeft && options.ConfirmReadSeconds > 0;
        _newSinceRead = false;
        (_leftAtRead, _leftCells) = (_leftCells, _leftAtRead);
        Array.Clear(_leftCells);
        _readPixels = frame.Pixels;
        // What an only-left read may leave unread is not taken into the reference: edges that came since (a
        // replacement not yet standing) stay new and ask for a read once they stand.
        TakeReference(whole: !OnlyLeft);
        _hasSteadyRead = hasSteady;
        (_readAt, _dirty) = (null, false);
        _lastReadTime = frame.Time;
        return true;
    }

    /// <summary>Call after a read was taken: the change that triggered it is accounted for.</summary>
    public void ClearChange() => _firstChange = null;

    private void Reset(int w, int h)
    {
        (_width, _height) = (w, h);
        _recent.Clear();
        var n = w * h;
        (_readPixels, _hasSteadyRead) = (null, false);
        (_readEdges, _steadyRead, _steady) = (new byte[n], new byte[n], new byte[n]);
        int cols = options.GridColumns, rows = options.GridRows;
        (_leftCells, _leftAtRead) = (new bool[cols * rows], new bool[cols * rows]);
        (_readAt, _dirty, _confirm, _newSinceRead) = (null, false, false, false);
        _cellOf = new int[n];
        (_cellPixels, _counts, _totals) = (new int[cols * rows], new int[cols * rows], new int[cols * rows]);
        for (var y = 0; y < h; y++)
        {
            var cy = Math.Min(rows - 1, y * rows / h) * cols;
            for (var x = 0; x < w; x++)
            {
                var c = cy + Math.Min(cols - 1, x * cols / w);
                _cellOf[y * w + x] = c;
                _cellPixels[c]++;
            }
        }
    }

    /// <summary>
    /// Whether enough steady edges of the last read are gone: no longer an edge, or their grey level moved.
    /// </summary>
    private bool Gone(byte[] px, byte[] edges)
    {
        Array.Clear(_counts);
        Array.Clear(_totals);
        var tol = options.SteadyLevels;
        var read = _readPixels!;
        for (var i = 0; i < px.Length; i++)
        {
            if (_steadyRead[i] == 0) continue;
            var c = _cellOf[i];
            _totals[c]++;
            if (edges[i] == 0 || Math.Abs(px[i] - read[i]) > tol) _counts[c]++;
        }
        var gone = CellsOver();
        for (var c = 0; c < _counts.Length; c++) _leftCells[c] |= CellOver(c);
        return gone;
    }

    /// <summary>
    /// Whether enough steady edges are new (the last read frame did not have them); then keeps the
    /// steady edges it did have, for the next frame's <see cref="Gone"/>.
    /// </summary>
    private bool NewAndTrack()
    {
        Array.Clear(_counts);
        Array.Clear(_totals);
        for (var i = 0; i < _steady.Length; i++)
        {
            var s = _steady[i];
            _steadyRead[i] = (byte)(s & _readEdges[i]);
            if (s == 0) continue;
            var c = _cellOf[i];
            _totals[c]++;
            if (_readEdges[i] == 0) _counts[c]++;
        }
        return CellsOver();
    }

    /// <summary>
    /// True when at least <see cref="TextSamplingOptions.MinChangedCells"/> cells have more than
    /// <see cref="TextSamplingOptions.CellEdgeChange"/> of their pixels changed, and these are more than
    /// <see cref="TextSamplingOptions.CellSteadyShare"/> of the cell's steady edges they are part of.
    /// </summary>
    private bool CellsOver()
    {
        var cells = 0;
        for (var c = 0; c < _counts.Length; c++)
            if (CellOver(c) && ++cells >= options.MinChangedCells) return true;
        return false;
    }

    private bool CellOver(int c) => _counts[c] > options.CellEdgeChange * _cellPixels[c] && _counts[c] > options.CellSteadyShare * _totals[c];

    /// <summary>Into <see cref="_steady"/>: edges in every recent sample whose pixel and right and lower neighbours kept their grey level.</summary>
    private void Steady()
    {
        int w = _width, h = _height;
        var recent = _recent.ToArray();
        var pixels = recent.Select(r => r.Pixels).ToArray();
        var edges = recent.Select(r => r.Edges).ToArray();
        var last = edges[^1];
        for (var y = 0; y < h; y++)
        {
            var row = y * w;
            var below = y + 1 < h ? w : 0;
            for (var x = 0; x < w; x++)
            {
                var i = row + x;
                _steady[i] = 0;
                // Most pixels are no edge: decided by one look, the grey levels only where it is one.
                if (last[i] == 0) continue;
                var all = true;
                foreach (var e in edges)
                    if (e[i] == 0) { all = false; break; }
                if (all && Still(pixels, i) && (x + 1 == w || Still(pixels, i + 1)) && Still(pixels, i + below)) _steady[i] = 1;
            }
        }
    }

    private bool Still(byte[][] pixels, int i)
    {
        int lo = 255, hi = 0;
        foreach (var px in pixels)
        {
            int v = px[i];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        return hi - lo <= options.SteadyLevels;
    }

    /// <summary>1 where the pixel differs from its right or lower neighbour by at least <see cref="TextSamplingOptions.EdgeStep"/>.</summary>
    private byte[] Edges(GreyFrame f, byte[] into)
    {
        var step = options.EdgeStep;
        var px = f.Pixels;
        var e = into;
        for (var y = 0; y < f.Height; y++)
        {
            var row = y * f.Width;
            var below = y + 1 < f.Height ? row + f.Width : row;
            for (var x = 0; x < f.Width; x++)
            {
                int p = px[row + x];
                var right = x + 1 < f.Width ? px[row + x + 1] : p;
                e[row + x] = Math.Abs(p - right) >= step || Math.Abs(p - px[below + x]) >= step ? (byte)1 : (byte)0;
            }
        }
        return e;
    }
}
