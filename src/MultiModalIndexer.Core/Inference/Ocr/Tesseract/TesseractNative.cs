using System.Runtime.InteropServices;
using MultiModalIndexer.Inference.Native;

namespace MultiModalIndexer.Inference.Ocr.Tesseract;

/// <summary>
/// The subset of Tesseract 5's C API (capi.h) this project uses. Only pointers live here and in
/// <see cref="TesseractEngine"/>; callers see managed strings and records. BOOL in capi.h is int.
/// </summary>
internal static unsafe partial class TesseractNative
{
    static TesseractNative()
    {
        NativeLibraries.EnsureRegistered();
        // Tesseract first (its load sets OMP_THREAD_LIMIT before libgomp comes in), then quiet
        // Leptonica: it prints harmless "Error in boxClipToRectangle" lines to stderr for some
        // crops, while real failures reach us through Tesseract's return values.
        _ = TessVersion();
        _ = setMsgSeverity(LeptSeverityNone);
    }

    private const int LeptSeverityNone = 6; // environ.h: L_SEVERITY_NONE, print no messages

    [LibraryImport(NativeLibraries.Leptonica)]
    private static partial int setMsgSeverity(int newSeverity);

    /// <summary>Forces the static constructor (resolver registration) before the first P/Invoke.</summary>
    internal static void EnsureLoaded() { }

    internal const int PsmAuto = 3;
    internal const int PsmSingleBlock = 6;
    internal const int PsmSingleLine = 7;
    internal const int PsmSparseText = 11;
    internal const int PsmRawLine = 13;

    internal const int RilBlock = 0;
    internal const int RilTextLine = 2;
    internal const int RilWord = 3;

    internal const int OemLstmOnly = 1;
    internal const int OemDefault = 3;

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial IntPtr TessVersion();

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessDeleteText(IntPtr text);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial IntPtr TessBaseAPICreate();

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessBaseAPIDelete(IntPtr handle);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessBaseAPIEnd(IntPtr handle);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessBaseAPIClear(IntPtr handle);

    /// <summary>Returns 0 on success, -1 when the language data cannot be loaded.</summary>
    [LibraryImport(NativeLibraries.Tesseract, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int TessBaseAPIInit2(IntPtr handle, string? datapath, string language, int oem);

    [LibraryImport(NativeLibraries.Tesseract, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int TessBaseAPISetVariable(IntPtr handle, string name, string value);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessBaseAPISetPageSegMode(IntPtr handle, int mode);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessBaseAPISetImage(IntPtr handle, byte* imagedata, int width, int height, int bytesPerPixel, int bytesPerLine);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessBaseAPISetSourceResolution(IntPtr handle, int ppi);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial int TessBaseAPIRecognize(IntPtr handle, IntPtr monitor);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial IntPtr TessBaseAPIGetUTF8Text(IntPtr handle);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial IntPtr TessBaseAPIGetIterator(IntPtr handle);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial void TessResultIteratorDelete(IntPtr handle);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial int TessResultIteratorNext(IntPtr handle, int level);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial IntPtr TessResultIteratorGetUTF8Text(IntPtr handle, int level);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial float TessResultIteratorConfidence(IntPtr handle, int level);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial IntPtr TessResultIteratorGetPageIteratorConst(IntPtr handle);

    [LibraryImport(NativeLibraries.Tesseract)]
    internal static partial int TessPageIteratorBoundingBox(IntPtr handle, int level, out int left, out int top, out int right, out int bottom);

    /// <summary>Copies a Tesseract-owned UTF-8 string and frees it with TessDeleteText.</summary>
    internal static string TakeText(IntPtr text)
    {
        if (text == IntPtr.Zero) return "";
        try { return Marshal.PtrToStringUTF8(text) ?? ""; }
        finally { TessDeleteText(text); }
    }
}

/// <summary>Owns one TessBaseAPI: End + Delete on release.</summary>
internal sealed class TessBaseApiHandle : SafeHandle
{
    public TessBaseApiHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static TessBaseApiHandle Create()
    {
        TesseractNative.EnsureLoaded();
        var h = new TessBaseApiHandle();
        h.SetHandle(TesseractNative.TessBaseAPICreate());
        if (h.IsInvalid) throw new OcrException("TessBaseAPICreate returned null (out of memory?).");
        return h;
    }

    protected override bool ReleaseHandle()
    {
        TesseractNative.TessBaseAPIEnd(handle);
        TesseractNative.TessBaseAPIDelete(handle);
        return true;
    }
}

/// <summary>Owns one TessResultIterator (valid only until the next SetImage/Recognize on its API).</summary>
internal sealed class TessResultIteratorHandle : SafeHandle
{
    public TessResultIteratorHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static TessResultIteratorHandle? From(IntPtr p)
    {
        if (p == IntPtr.Zero) return null;
        var h = new TessResultIteratorHandle();
        h.SetHandle(p);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        TesseractNative.TessResultIteratorDelete(handle);
        return true;
    }
}
