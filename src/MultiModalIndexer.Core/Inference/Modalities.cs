using Microsoft.Extensions.Logging;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Speech;

namespace MultiModalIndexer.Inference;

/// <summary>
/// The optional modalities, each opened lazily on first use. A missing or broken model switches
/// its modality off with one clear log line instead of stopping the daemon; <see cref="OffReasons"/>
/// keeps the reasons for status pages and notes.
/// </summary>
public sealed class Modalities : IDisposable
{
    private readonly ClipOptions _clip;
    private readonly SpeechOptions _speech;
    private readonly OcrOptions _ocr;
    private readonly ILogger _logger;
    private readonly Lazy<IImageEncoder?> _image;
    private readonly Lazy<ITextEncoder?> _text;
    private readonly Lazy<ISpeechRecognizer?> _asr;
    private readonly Lazy<OcrEnginePool?> _ocrPool;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _off = new();

    public Modalities(ClipOptions clip, SpeechOptions speech, OcrOptions ocr, ILogger<Modalities>? logger = null)
    {
        _clip = clip;
        _speech = speech;
        _ocr = ocr;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _image = new(OpenImageEncoder, LazyThreadSafetyMode.ExecutionAndPublication);
        _text = new(OpenTextEncoder, LazyThreadSafetyMode.ExecutionAndPublication);
        _asr = new(OpenRecognizer, LazyThreadSafetyMode.ExecutionAndPublication);
        _ocrPool = new(OpenOcr, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ClipOptions ClipOptions => _clip;
    public OcrOptions OcrOptions => _ocr;
    public SpeechOptions SpeechOptions => _speech;
    public IImageEncoder? ImageEncoder => _image.Value;
    public ITextEncoder? TextEncoder => _text.Value;
    public ISpeechRecognizer? Recognizer => _asr.Value;
    public OcrEnginePool? Ocr => _ocrPool.Value;

    /// <summary>Modality → why it is off (only modalities opened so far).</summary>
    public IReadOnlyDictionary<string, string> OffReasons => _off;

    public static string VersionsKey(IReadOnlyDictionary<string, string> versions) =>
        string.Join(";", versions.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>The OCR engine's version, or null when it cannot be opened (never throws).</summary>
    public string? SafeOcrVersion()
    {
        try { return Ocr?.ModelVersion; }
        catch (Exception e) when (e is not OutOfMemoryException) { return null; }
    }

    private IImageEncoder? OpenImageEncoder()
    {
        if (!_clip.Enabled) return Off<IImageEncoder>("clip", "CLIP is switched off by configuration (Clip:Enabled=false): no vectors, hybrid search uses text only.");
        if (!File.Exists(_clip.ImageModel))
            return Off<IImageEncoder>("clip", $"CLIP is off: image model '{_clip.ImageModel}' not found. Put the ONNX export there (see models/models.json, `./mmi models fetch`) or set Clip:ImageModel; indexing continues without vectors.");
        try { return ClipEncoders.CreateImageEncoder(_clip); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Off<IImageEncoder>("clip", $"CLIP is off: image model '{_clip.ImageModel}' could not be opened: {e.Message}");
        }
    }

    private ITextEncoder? OpenTextEncoder()
    {
        if (!_clip.Enabled) return Off<ITextEncoder>("clip-text", "CLIP is switched off by configuration (Clip:Enabled=false): queries are not embedded.");
        foreach (var f in new[] { _clip.TextModel, _clip.Vocabulary })
            if (!File.Exists(f))
                return Off<ITextEncoder>("clip-text", $"CLIP text search is off: '{f}' not found. Put it there (see models/models.json, `./mmi models fetch`) or set Clip:TextModel/Clip:Vocabulary; searches use text (BM25) only.");
        try { return ClipEncoders.CreateTextEncoder(_clip); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Off<ITextEncoder>("clip-text", $"CLIP text search is off: '{_clip.TextModel}' could not be opened: {e.Message}");
        }
    }

    private ISpeechRecognizer? OpenRecognizer()
    {
        if (!_speech.Enabled) return Off<ISpeechRecognizer>("asr", "Speech recognition is switched off by configuration (Speech:Enabled=false).");
        try
        {
            var r = SpeechRecognizers.Create(_speech, _logger);
            if (r is null) _off["asr"] = "speech recognition is off (see the log line above for the missing model)";
            return r;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Off<ISpeechRecognizer>("asr", $"Speech recognition is off: the recognizer could not be opened: {e.Message}");
        }
    }

    private OcrEnginePool? OpenOcr()
    {
        if (!_ocr.Enabled) return Off<OcrEnginePool>("ocr", "OCR is switched off by configuration (Ocr:Enabled=false).");
        OcrEnginePool? pool = null;
        try
        {
            pool = new OcrEnginePool(_ocr, _logger);
            // One tiny recognition proves the engine (PP-OCR sessions or Tesseract's language data) loads here, not mid-run.
            pool.Recognize(new GreyImage(new byte[32 * 32], 32, 32));
            return pool;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            pool?.Dispose();
            return Off<OcrEnginePool>("ocr", $"OCR is off: the {_ocr.Engine} engine could not be started: {e.Message} (run ./mmi setup, or set Ocr:Engine/Ocr:Languages/Ocr:TessdataDir).");
        }
    }

    private T? Off<T>(string modality, string reason) where T : class
    {
        _off[modality] = reason;
        _logger.LogWarning("{Reason}", reason);
        return null;
    }

    public void Dispose()
    {
        if (_image.IsValueCreated) _image.Value?.Dispose();
        if (_text.IsValueCreated) _text.Value?.Dispose();
        if (_asr.IsValueCreated) _asr.Value?.Dispose();
        if (_ocrPool.IsValueCreated) _ocrPool.Value?.Dispose();
    }
}
