using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Ocr.Tesseract;

/// <summary>A recognised text line with its box in the input image's pixels.</summary>
internal readonly record struct TessLine(string Text, float Confidence, int Left, int Top, int Right, int Bottom);

/// <summary>
/// One initialised TessBaseAPI. Not thread-safe (Tesseract keeps per-page state in the API object):
/// one instance per worker thread, reused across images because Init (loading chi_sim) costs far
/// more than a page.
/// </summary>
internal sealed class TesseractEngine : IDisposable
{
    private readonly TessBaseApiHandle _api;
    private int _psm = -1;

    public string Languages { get; }
    public static string Version
    {
        get
        {
            TesseractNative.EnsureLoaded();
            return Marshal.PtrToStringUTF8(TesseractNative.TessVersion()) ?? "unknown";
        }
    }

    public TesseractEngine(string languages, string? tessdataDir)
    {
        Languages = languages;
        _api = TessBaseApiHandle.Create();
        try
        {
            var dataPath = string.IsNullOrWhiteSpace(tessdataDir) ? null : tessdataDir;
            if (TesseractNative.TessBaseAPIInit2(_api.DangerousGetHandle(), dataPath, languages, TesseractNative.OemLstmOnly) != 0)
                throw new OcrException(
                    $"Tesseract could not load languages '{languages}' from {dataPath ?? "its default tessdata folder"}. " +
                    "Install the traineddata (Debian tesseract-ocr-eng / tesseract-ocr-chi-sim) or set Ocr:TessdataDir.");
            // Video frames: no dictionary-driven inversion guessing per word, we handle polarity ourselves.
            SetVariable("tessedit_do_invert", "0");
            // Keep inter-word spaces as single spaces (no padding to preserve layout).
            SetVariable("preserve_interword_spaces", "0");
            // Tesseract prints "Empty page!!" and resolution guesses to stderr; not useful in a daemon log.
            SetVariable("debug_file", "/dev/null");
        }
        catch
        {
            _api.Dispose();
            throw;
        }
    }

    public void SetVariable(string name, string value)
    {
        if (TesseractNative.TessBaseAPISetVariable(_api.DangerousGetHandle(), name, value) == 0)
            throw new OcrException($"Tesseract rejected variable {name}={value}.");
    }

    /// <summary>Recognises an 8-bit grey image and returns its text lines (RIL_TEXTLINE) with boxes.</summary>
    public unsafe List<TessLine> RecognizeLines(ReadOnlySpan<byte> pixels, int width, int height, int stride, int pageSegMode, int ppi = 300)
    {
        ObjectDisposedException.ThrowIf(_api.IsClosed, this);
        if (width <= 0 || height <= 0) return [];
        if (pixels.Length < (long)stride * (height - 1) + width) throw new ArgumentException("Pixel buffer is smaller than width/height/stride say.");
        var api = _api.DangerousGetHandle();
        var lines = new List<TessLine>();
        if (_psm != pageSegMode)
        {
            TesseractNative.TessBaseAPISetPageSegMode(api, pageSegMode);
            _psm = pageSegMode;
        }
        fixed (byte* p = pixels)
        {
            // Tesseract copies the pixels into its own Pix here, so the pin only needs to last for this call.
            TesseractNative.TessBaseAPISetImage(api, p, width, height, 1, stride);
        }
        try
        {
            TesseractNative.TessBaseAPISetSourceResolution(api, ppi);
            if (TesseractNative.TessBaseAPIRecognize(api, IntPtr.Zero) != 0) return lines;
            using var it = TessResultIteratorHandle.From(TesseractNative.TessBaseAPIGetIterator(api));
            if (it is null) return lines;
            var h = it.DangerousGetHandle();
            var page = TesseractNative.TessResultIteratorGetPageIteratorConst(h);
            do
            {
                var text = TesseractNative.TakeText(TesseractNative.TessResultIteratorGetUTF8Text(h, TesseractNative.RilTextLine));
                if (string.IsNullOrWhiteSpace(text)) continue;
                var conf = TesseractNative.TessResultIteratorConfidence(h, TesseractNative.RilTextLine);
                TesseractNative.TessPageIteratorBoundingBox(page, TesseractNative.RilTextLine, out var l, out var t, out var r, out var b);
                lines.Add(new TessLine(text.Trim(), conf, l, t, r, b));
            } while (TesseractNative.TessResultIteratorNext(h, TesseractNative.RilTextLine) != 0);
            return lines;
        }
        finally
        {
            // Drop the page copy and results now rather than holding a frame-sized Pix until the next call.
            TesseractNative.TessBaseAPIClear(api);
        }
    }

    /// <summary>Whole-page text (TessBaseAPIGetUTF8Text) with Tesseract's own layout; the plain baseline.</summary>
    public unsafe string RecognizeText(ReadOnlySpan<byte> pixels, int width, int height, int pageSegMode)
    {
        ObjectDisposedException.ThrowIf(_api.IsClosed, this);
        if (width <= 0 || height <= 0) return "";
        var api = _api.DangerousGetHandle();
        TesseractNative.TessBaseAPISetPageSegMode(api, pageSegMode);
        _psm = pageSegMode;
        fixed (byte* p = pixels) TesseractNative.TessBaseAPISetImage(api, p, width, height, 1, width);
        try
        {
            return TesseractNative.TakeText(TesseractNative.TessBaseAPIGetUTF8Text(api));
        }
        finally
        {
            TesseractNative.TessBaseAPIClear(api);
        }
    }

    public void Dispose() => _api.Dispose();
}
