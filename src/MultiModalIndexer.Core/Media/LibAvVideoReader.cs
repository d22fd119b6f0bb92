using System.Runtime.InteropServices;

namespace MultiModalIndexer.Media;

/// <summary>Receives each analysis frame: its timestamp (stream ticks) and planar YUV 4:4:4 at analysis size.</summary>
internal delegate void AnalysisFrameSink(long timestamp, ReadOnlySpan<byte> yuv444);

/// <summary>Why an in-process decode gave up; the caller decodes with the ffmpeg command instead.</summary>
internal sealed class InProcessDecodeException(string message) : Exception(message);

/// <summary>
/// One video stream decoded inside the process with libavcodec, scaled by libswscale exactly as the
/// ffmpeg command's `scale=W:H:flags=fast_bilinear,format=yuv444p` does (same library, same call),
/// with no process start, pipe or rawvideo copy. Used only for the frames the command would pass
/// 1:1 (the caller checks the timestamps); anything unusual throws <see cref="InProcessDecodeException"/>.
/// Not thread-safe: one reader per decoding thread.
/// </summary>
internal sealed unsafe class LibAvVideoReader : IDisposable
{
    private readonly LibAvHandle _format;
    private readonly LibAvHandle _codec;
    private readonly LibAvHandle _frame;
    private readonly LibAvHandle _packet;
    private LibAvHandle? _scaler;
    private (int W, int H, int Format) _scalerInput;
    private readonly nint _stream;
    private readonly int _streamIndex;
    private readonly int _w, _h;
    private readonly byte* _out;
    private bool _disposed;

    /// <summary>Seconds per timestamp tick of the stream.</summary>
    public double TimeBase { get; }

    private LibAvVideoReader(string path, int streamIndex, int width, int height, int outW, int outH, int threads, bool skipLoopFilter)
    {
        _streamIndex = streamIndex;
        _w = outW;
        _h = outH;
        nint fmt = 0;
        var r = LibAv.avformat_open_input(ref fmt, FfmpegProcess.InputArg(path), 0, 0);
        if (r < 0) throw Fail("open", r);
        _format = LibAvHandle.Own(LibAvHandle.Kind.FormatContext, fmt, "a format context");
        try
        {
            r = LibAv.avformat_find_stream_info(fmt, 0);
            if (r < 0) throw Fail("read stream info", r);
            var count = LibAv.Read<uint>(fmt, LibAv.FormatNbStreams);
            if (streamIndex < 0 || streamIndex >= count) throw new InProcessDecodeException($"stream {streamIndex} not found ({count} streams)");
            _stream = ((nint*)LibAv.Read<nint>(fmt, LibAv.FormatStreams))[streamIndex];
            var par = LibAv.Read<nint>(_stream, LibAv.StreamCodecpar);
            // The struct offsets are those of the 5.x headers; the probe's own answers confirm them here.
            if (par == 0 || LibAv.Read<int>(par, LibAv.ParType) != 0 || LibAv.Read<int>(par, LibAv.ParWidth) != width
                || LibAv.Read<int>(par, LibAv.ParHeight) != height)
                throw new InProcessDecodeException($"stream {streamIndex} is not the {width}x{height} video ffprobe reported");
            var tbNum = LibAv.Read<int>(_stream, LibAv.StreamTimeBase);
            var tbDen = LibAv.Read<int>(_stream, LibAv.StreamTimeBase + 4);
            if (tbNum <= 0 || tbDen <= 0) throw new InProcessDecodeException("the stream has no time base");
            TimeBase = (double)tbNum / tbDen;

            var decoder = LibAv.avcodec_find_decoder(LibAv.Read<int>(par, LibAv.ParCodecId));
            if (decoder == 0) throw new InProcessDecodeException("no decoder for the stream's codec");
            _codec = LibAvHandle.Own(LibAvHandle.Kind.CodecContext, LibAv.avcodec_alloc_context3(decoder), "a codec context");
            r = LibAv.avcodec_parameters_to_context(_codec.Ptr, par);
            if (r < 0) throw Fail("set up the decoder", r);
            // As the command sets them: -threads N (0 = auto) and -skip_loop_filter all.
            LibAv.av_opt_set_int(_codec.Ptr, "threads", threads, 0);
            if (skipLoopFilter) LibAv.av_opt_set(_codec.Ptr, "skip_loop_filter", "all", 0);
            LibAv.av_opt_set(_codec.Ptr, "pkt_timebase", $"{tbNum}/{tbDen}", 0);
            r = LibAv.avcodec_open2(_codec.Ptr, decoder, 0);
            if (r < 0) throw Fail("open the decoder", r);
            _frame = LibAvHandle.Own(LibAvHandle.Kind.Frame, LibAv.av_frame_alloc(), "a frame");
            _packet = LibAvHandle.Own(LibAvHandle.Kind.Packet, LibAv.av_packet_alloc(), "a packet");
            _out = (byte*)NativeMemory.AlignedAlloc((nuint)(3 * outW * outH), 64);
        }
        catch
        {
            _packet?.Dispose();
            _frame?.Dispose();
            _codec?.Dispose();
            _format.Dispose();
            throw;
        }
    }

    /// <summary>Opens the file's video stream <paramref name="streamIndex"/>, which ffprobe saw at <paramref name="width"/>x<paramref name="height"/>.</summary>
    public static LibAvVideoReader Open(string path, int streamIndex, int width, int height, int outW, int outH, int threads, bool skipLoopFilter) =>
        new(path, streamIndex, width, height, outW, outH, threads, skipLoopFilter);

    /// <summary>Keyframe timestamps from the container's index (MP4 stss, Matroska Cues, ...). May move the read position: decode after a seek only.</summary>
    public List<long> IndexedKeyframes()
    {
        // Matroska reads its Cues on the first seek, not on open: seek to the start once when the index looks empty.
        if (LibAv.avformat_index_get_entries_count(_stream) < 2) _ = LibAv.av_seek_frame(_format.Ptr, _streamIndex, long.MinValue + 1, LibAv.SeekBackward); // a failed seek leaves the index empty, which the caller handles
        var keys = new SortedSet<long>();
        var n = LibAv.avformat_index_get_entries_count(_stream);
        for (var i = 0; i < n; i++)
        {
            var e = LibAv.avformat_index_get_entry(_stream, i);
            if (e != 0 && (LibAv.Read<int>(e, LibAv.IndexEntryFlags) & 3 & LibAv.IndexKeyframe) != 0)
                keys.Add(LibAv.Read<long>(e, LibAv.IndexEntryTimestamp));
        }
        return [.. keys];
    }

    /// <summary>
    /// Decodes the frames with <paramref name="from"/> &lt;= timestamp &lt; <paramref name="until"/> (null: open),
    /// seeking to the keyframe <paramref name="from"/> first; hands each over scaled, in display order.
    /// </summary>
    public void Decode(long? from, long? until, AnalysisFrameSink sink, CancellationToken ct)
    {
        int r;
        if (from is { } f)
        {
            r = LibAv.av_seek_frame(_format.Ptr, _streamIndex, f, LibAv.SeekBackward);
            if (r < 0) throw Fail("seek", r);
        }
        var fmt = _format.Ptr;
        var codec = _codec.Ptr;
        var pkt = _packet.Ptr;
        var frame = _frame.Ptr;
        var first = true;
        var flushing = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (!flushing)
            {
                r = LibAv.av_read_frame(fmt, pkt);
                if (r == LibAv.AvErrorEof)
                {
                    flushing = true;
                    r = LibAv.avcodec_send_packet(codec, 0);
                }
                else if (r < 0)
                {
                    throw Fail("read", r);
                }
                else
                {
                    if (LibAv.Read<int>(pkt, LibAv.PacketStreamIndex) != _streamIndex)
                    {
                        LibAv.av_packet_unref(pkt);
                        continue;
                    }
                    r = LibAv.avcodec_send_packet(codec, pkt);
                    LibAv.av_packet_unref(pkt);
                }
                // The command would log a damaged packet and go on (its fps filter then fills the gap); leave that case to it.
                if (r < 0 && r != LibAv.AvErrorEagain) throw Fail("decode", r);
            }
            while ((r = LibAv.avcodec_receive_frame(codec, frame)) == 0)
            {
                try
                {
                    var ts = LibAv.Read<long>(frame, LibAv.FrameBestEffortTimestamp);
                    if (ts == LibAv.NoPts) throw new InProcessDecodeException("a frame has no timestamp");
                    if (from is { } start && ts < start) continue; // leading frames of an open GOP belong to the part before
                    if (first && from is { } s0 && ts != s0)
                        throw new InProcessDecodeException($"the seek to {s0} landed on {ts}, not on the keyframe");
                    first = false;
                    if (until is { } end && ts >= end) return;
                    sink(ts, Scale(frame));
                }
                finally
                {
                    LibAv.av_frame_unref(frame);
                }
            }
            if (r == LibAv.AvErrorEof) return;
            if (r != LibAv.AvErrorEagain) throw Fail("decode", r);
        }
    }

    private ReadOnlySpan<byte> Scale(nint frame)
    {
        var w = LibAv.Read<int>(frame, LibAv.FrameWidth);
        var h = LibAv.Read<int>(frame, LibAv.FrameHeight);
        var format = LibAv.Read<int>(frame, LibAv.FrameFormat);
        // Full-range input takes a range conversion whose set-up the filter graph decides; leave it to the command.
        if (LibAv.Read<int>(frame, LibAv.FrameColorRange) == LibAv.ColorRangeJpeg || format is >= 12 and <= 14)
            throw new InProcessDecodeException("full-range video");
        if (_scaler is null || _scalerInput != (w, h, format))
        {
            _scaler?.Dispose();
            _scaler = LibAvHandle.Own(LibAvHandle.Kind.Scaler,
                LibAv.sws_getContext(w, h, format, _w, _h, LibAv.PixFmtYuv444P, LibAv.SwsFastBilinear, 0, 0, 0), "a scaler");
            _scalerInput = (w, h, format);
        }
        var n = _w * _h;
        var dst = stackalloc nint[4] { (nint)_out, (nint)(_out + n), (nint)(_out + 2 * n), 0 };
        var dstStride = stackalloc int[4] { _w, _w, _w, 0 };
        var lines = LibAv.sws_scale(_scaler.Ptr, (nint*)(frame + LibAv.FrameData), (int*)(frame + LibAv.FrameLinesize), 0, h, dst, dstStride);
        if (lines != _h) throw new InProcessDecodeException($"the scaler gave {lines} lines, not {_h}");
        return new ReadOnlySpan<byte>(_out, 3 * n);
    }

    private static InProcessDecodeException Fail(string what, int code) => new($"could not {what}: {LibAv.ErrorText(code)}");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _scaler?.Dispose();
        _packet.Dispose();
        _frame.Dispose();
        _codec.Dispose();
        _format.Dispose();
        NativeMemory.AlignedFree(_out);
    }
}
