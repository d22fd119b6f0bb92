using System.Runtime.InteropServices;

namespace MultiModalIndexer.Media;

/// <summary>
/// The few libavformat/libavcodec/libswscale calls of the in-process analysis decode, against the
/// FFmpeg 5.x libraries (libavformat 59, libavcodec 59, libavutil 57, libswscale 6: Debian 12's, the
/// ones the ffmpeg command of ./mmi setup links). Struct fields are read at the offsets of those
/// versions' headers (checked with offsetof against the -dev headers); <see cref="Available"/> is
/// false for any other major version, and the caller then runs the ffmpeg command instead.
/// </summary>
internal static unsafe partial class LibAv
{
    private const string Format = "libavformat.so.59", Codec = "libavcodec.so.59", Util = "libavutil.so.57", Scale = "libswscale.so.6";

    // Offsets in the 5.x structs (x86-64 and other LP64 targets).
    internal const int FormatNbStreams = 44, FormatStreams = 48;
    internal const int StreamTimeBase = 16, StreamCodecpar = 208;
    internal const int ParType = 0, ParCodecId = 4, ParWidth = 56, ParHeight = 60;
    internal const int PacketStreamIndex = 36;
    internal const int FrameData = 0, FrameLinesize = 64, FrameWidth = 104, FrameHeight = 108, FrameFormat = 116,
        FrameColorRange = 320, FrameBestEffortTimestamp = 344;
    internal const int IndexEntryTimestamp = 8, IndexEntryFlags = 16;

    internal const long NoPts = long.MinValue;
    internal const int AvErrorEof = -0x20464F45; // FFERRTAG('E','O','F',' ')
    internal const int AvErrorEagain = -11;
    internal const int SeekBackward = 1;
    internal const int IndexKeyframe = 1;
    internal const int SwsFastBilinear = 1;
    internal const int PixFmtYuv444P = 5;
    internal const int ColorRangeJpeg = 2;
    internal const int LogQuiet = -8;

    private static readonly Lazy<bool> Loaded = new(Probe);

    /// <summary>Whether the 5.x libraries load here (checked once per process).</summary>
    public static bool Available => Loaded.Value;

    private static bool Probe()
    {
        try
        {
            // Also maps the four libraries, so the first video pays no more than the loader's work once.
            var ok = avformat_version() >> 16 == 59 && avcodec_version() >> 16 == 59 && avutil_version() >> 16 == 57 && swscale_version() >> 16 == 6;
            // Problems reach the caller as return codes; the library's own printing would go to our stderr.
            if (ok) av_log_set_level(LogQuiet);
            return ok;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    public static string ErrorText(int code)
    {
        var buf = stackalloc byte[256];
        return av_strerror(code, buf, 256) == 0 ? Marshal.PtrToStringUTF8((nint)buf) ?? $"error {code}" : $"error {code}";
    }

    internal static T Read<T>(nint p, int offset) where T : unmanaged => *(T*)(p + offset);

    [LibraryImport(Format)] internal static partial uint avformat_version();
    [LibraryImport(Codec)] internal static partial uint avcodec_version();
    [LibraryImport(Util)] internal static partial uint avutil_version();
    [LibraryImport(Scale)] internal static partial uint swscale_version();

    [LibraryImport(Util)] internal static partial void av_log_set_level(int level);
    [LibraryImport(Util)] internal static partial int av_strerror(int errnum, byte* buf, nuint size);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] internal static partial int av_opt_set(nint obj, string name, string val, int searchFlags);
    [LibraryImport(Util, StringMarshalling = StringMarshalling.Utf8)] internal static partial int av_opt_set_int(nint obj, string name, long val, int searchFlags);
    [LibraryImport(Util)] internal static partial nint av_frame_alloc();
    [LibraryImport(Util)] internal static partial void av_frame_free(ref nint frame);
    [LibraryImport(Util)] internal static partial void av_frame_unref(nint frame);

    [LibraryImport(Format, StringMarshalling = StringMarshalling.Utf8)] internal static partial int avformat_open_input(ref nint ctx, string url, nint fmt, nint options);
    [LibraryImport(Format)] internal static partial int avformat_find_stream_info(nint ctx, nint options);
    [LibraryImport(Format)] internal static partial void avformat_close_input(ref nint ctx);
    [LibraryImport(Format)] internal static partial int av_read_frame(nint ctx, nint packet);
    [LibraryImport(Format)] internal static partial int av_seek_frame(nint ctx, int streamIndex, long timestamp, int flags);
    [LibraryImport(Format)] internal static partial int avformat_index_get_entries_count(nint stream);
    [LibraryImport(Format)] internal static partial nint avformat_index_get_entry(nint stream, int idx);

    [LibraryImport(Codec)] internal static partial nint avcodec_find_decoder(int id);
    [LibraryImport(Codec)] internal static partial nint avcodec_alloc_context3(nint codec);
    [LibraryImport(Codec)] internal static partial void avcodec_free_context(ref nint ctx);
    [LibraryImport(Codec)] internal static partial int avcodec_parameters_to_context(nint ctx, nint par);
    [LibraryImport(Codec)] internal static partial int avcodec_open2(nint ctx, nint codec, nint options);
    [LibraryImport(Codec)] internal static partial int avcodec_send_packet(nint ctx, nint packet);
    [LibraryImport(Codec)] internal static partial int avcodec_receive_frame(nint ctx, nint frame);
    [LibraryImport(Codec)] internal static partial nint av_packet_alloc();
    [LibraryImport(Codec)] internal static partial void av_packet_free(ref nint packet);
    [LibraryImport(Codec)] internal static partial void av_packet_unref(nint packet);

    [LibraryImport(Scale)] internal static partial nint sws_getContext(int srcW, int srcH, int srcFormat, int dstW, int dstH, int dstFormat, int flags, nint srcFilter, nint dstFilter, nint param);
    [LibraryImport(Scale)] internal static partial void sws_freeContext(nint ctx);
    [LibraryImport(Scale)] internal static partial int sws_scale(nint ctx, nint* srcSlice, int* srcStride, int srcSliceY, int srcSliceH, nint* dst, int* dstStride);
    [LibraryImport(Scale)] internal static partial nint sws_getCoefficients(int colorspace);
    [LibraryImport(Scale)] internal static partial int sws_setColorspaceDetails(nint ctx, nint invTable, int srcRange, nint table, int dstRange, int brightness, int contrast, int saturation);
}

/// <summary>Owns one libav object; each kind frees with its own function, also on error paths.</summary>
internal sealed class LibAvHandle : SafeHandle
{
    private readonly Kind _kind;

    internal enum Kind { FormatContext, CodecContext, Frame, Packet, Scaler }

    private LibAvHandle(Kind kind, nint native) : base(IntPtr.Zero, ownsHandle: true)
    {
        _kind = kind;
        SetHandle(native);
    }

    public static LibAvHandle Own(Kind kind, nint native, string what) =>
        native == IntPtr.Zero ? throw new InvalidOperationException($"libav could not allocate {what}") : new LibAvHandle(kind, native);

    public nint Ptr => handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        var p = handle;
        switch (_kind)
        {
            case Kind.FormatContext: LibAv.avformat_close_input(ref p); break;
            case Kind.CodecContext: LibAv.avcodec_free_context(ref p); break;
            case Kind.Frame: LibAv.av_frame_free(ref p); break;
            case Kind.Packet: LibAv.av_packet_free(ref p); break;
            case Kind.Scaler: LibAv.sws_freeContext(p); break;
        }
        return true;
    }
}
