using System.Runtime.InteropServices;

namespace MultiModalIndexer.Common;

/// <summary>
/// Debian's libtesseract and libavcodec both link libgomp, whose idle OpenMP threads spin: with one
/// OCR engine per worker that costs ~2.5x CPU for nothing on 2 cores. libgomp reads OMP_THREAD_LIMIT
/// once, when it loads, and .NET's Environment.SetEnvironmentVariable does not reach native code, so
/// whichever of them loads first sets it through libc beforehand. A value the user set wins.
/// </summary>
internal static partial class OpenMp
{
    public static void LimitThreadsBeforeLoading()
    {
        if (Environment.GetEnvironmentVariable("OMP_THREAD_LIMIT") is { Length: > 0 }) return;
        _ = setenv("OMP_THREAD_LIMIT", "1", 0);
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
