using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Ocr.PaddleOcr;
using MultiModalIndexer.Inference.Ocr.Tesseract;

namespace MultiModalIndexer.Inference.Ocr;

/// <summary>Configuration section "Ocr" (env MMI__Ocr__...).</summary>
public sealed class OcrOptions
{
    public const string Section = "Ocr";
    public const string PpOcr = "ppocr";
    public const string Tesseract = "tesseract";
    public bool Enabled { get; set; } = true;
    /// <summary>"ppocr" (PP-OCRv4 detector + recogniser, the default) or "tesseract" (plain Tesseract, for page-like media).
    /// ppocr falls back to tesseract, with one log line, when its model files are missing.</summary>
    public string Engine { get; set; } = PpOcr;
    /// <summary>Tesseract language list joined by '+', e.g. "eng+chi_sim".</summary>
    public string Languages { get; set; } = "eng+chi_sim";
    /// <summary>Empty = Tesseract's default tessdata folder.</summary>
    public string TessdataDir { get; set; } = "";
    /// <summary>Tesseract lines below this confidence (0–100) are dropped.</summary>
    public float MinConfidence { get; set; } = 50;
    /// <summary>Engines kept for concurrent callers (one per worker thread).</summary>
    public int MaxEngines { get; set; } = 2;

    // PP-OCR (Engine=ppocr). Paths are relative to models/ unless rooted.
    public string DetModel { get; set; } = "ppocr/ch_PP-OCRv4_det_infer.onnx";
    public string RecModel { get; set; } = "ppocr/ch_PP-OCRv4_rec_infer.onnx";
    public string RecKeys { get; set; } = "ppocr/ppocr_keys_v1.txt";
    /// <summary>ONNX Runtime intra-op threads per PP-OCR model (per engine call); parallelism comes from MaxEngines.</summary>
    public int IntraOpThreads { get; set; } = 1;
    /// <summary>Frames whose long side is below this are enlarged (Lanczos, at most 4×) before PP-OCR: small glyphs lose word
    /// spaces (a 320×180 title card). Detection cost grows with the area, so the default leaves the text sampler's
    /// 640-960 px frames alone.</summary>
    public int MinLongSide { get; set; } = 640;
    /// <summary>Detector input: the long side is scaled down to at most this (PaddleOCR's det_limit_side_len, 960 there); sides round
    /// to multiples of 32. 1280 keeps 720p keyframes at full size: at 960, 26-28 px captions over busy backgrounds were lost.</summary>
    public int DetMaxSide { get; set; } = 1280;
    /// <summary>Probability above which a detector map pixel is text (PaddleOCR det_db_thresh).</summary>
    public double DetThreshold { get; set; } = 0.3;
    /// <summary>Boxes whose mean probability is below this are dropped (det_db_box_thresh).</summary>
    public double DetBoxThreshold { get; set; } = 0.6;
    /// <summary>How far a box grows: area × ratio ÷ perimeter. PaddleOCR's 1.5 glues English words with this model
    /// ("WAREHOUSEINVENTORY"); 2.5 keeps the spaces.</summary>
    public double DetUnclipRatio { get; set; } = 2.5;
    /// <summary>Boxes with a shorter side (detector pixels) are dropped (PaddleOCR min_size).</summary>
    public int DetMinBoxSide { get; set; } = 3;
    /// <summary>At most this many connected components are examined per frame (max_candidates).</summary>
    public int DetMaxCandidates { get; set; } = 1000;
    /// <summary>Text boxes per recogniser run (rec_batch_num).</summary>
    public int RecBatchSize { get; set; } = 6;
    /// <summary>Widest recogniser strip in pixels (48 high); longer lines are squeezed to it, bounding memory.</summary>
    public int RecMaxWidth { get; set; } = 2400;
    /// <summary>Readings whose mean character probability is below this are dropped (drop_score).</summary>
    public double RecMinScore { get; set; } = 0.5;
    /// <summary>
    /// A box less than this many times as wide as tall that reads as nothing or unsurely may be stacked
    /// lines the detector joined (a two-line title whose lines touch): it is read again cut into 2 to
    /// <see cref="RecSplitMaxLines"/> equal strips, which win when they read better; 0 = never.
    /// </summary>
    public double RecSplitMaxAspect { get; set; } = 3;
    /// <summary>Most stacked lines a box is cut into when it is read again (see <see cref="RecSplitMaxAspect"/>).</summary>
    public int RecSplitMaxLines { get; set; } = 3;
    /// <summary>
    /// Recogniser batches are padded to their widest strip, but to at least this many pixels. PaddleOCR
    /// pads every strip to 320 (its rec_image_shape); measured here, 96 reads the same on every caption
    /// and real-frame set and spends about a quarter less recogniser time on short boxes (numbers, words).
    /// </summary>
    public int RecMinWidth { get; set; } = 96;

    /// <summary>
    /// Unsure PP-OCR readings (mean character probability below 0.95) are read once more with the box's top and bottom
    /// edges moved in by this fraction of its height, and the surer reading is kept (unless it has fewer characters); 0 = never
    /// read again. Measured on the real frames: any inset from 0.03 to 0.1 fixes "Big Byck"; 0.05 also "byKar" (recall 63/68),
    /// for about 40 ms per frame with unsure text (the GoldenEye screens) and none on frames whose readings are sure.
    /// </summary>
    public double RecRetryInset { get; set; } = 0.05;

    /// <summary>Split words the recogniser glued (<see cref="OcrTextCleaner.SplitGluedWords"/>): "byKarl" → "by Karl".</summary>
    public bool SplitGluedWords { get; set; } = true;

    /// <summary>Repair O/0 mix-ups inside a word (<see cref="OcrTextCleaner.FixZeroOh"/>): "RO0M" → "ROOM", "1O5O" → "1050".</summary>
    public bool FixZeroOh { get; set; } = true;

    /// <summary>Folder relative model paths are resolved against; null = the product's models/ folder.</summary>
    public string? ModelsDirectory { get; set; }

    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(ModelsDirectory ?? ProjectPaths.ModelsDir, path));

    public bool IsPpOcr => string.Equals(Engine, PpOcr, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!string.Equals(Engine, PpOcr, StringComparison.OrdinalIgnoreCase) && !string.Equals(Engine, Tesseract, StringComparison.OrdinalIgnoreCase))
            yield return $"Ocr:Engine '{Engine}' is unknown: use 'ppocr' (PP-OCRv4, default) or 'tesseract'.";
        if (string.IsNullOrWhiteSpace(Languages)) yield return "Ocr:Languages must name at least one Tesseract language, e.g. eng+chi_sim.";
        else if (Languages.Split('+').Any(l => l.Length == 0 || l.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_'))))
            yield return $"Ocr:Languages '{Languages}' must be Tesseract language codes joined by '+', e.g. eng+chi_sim.";
        if (!string.IsNullOrEmpty(TessdataDir) && !Directory.Exists(TessdataDir))
            yield return $"Ocr:TessdataDir '{TessdataDir}' does not exist; leave it empty for Tesseract's default.";
        else if (!string.IsNullOrWhiteSpace(Languages) && !string.IsNullOrEmpty(TessdataDir))
            foreach (var l in Languages.Split('+', StringSplitOptions.RemoveEmptyEntries))
                if (!File.Exists(Path.Combine(TessdataDir, l + ".traineddata")))
                    yield return $"Ocr:TessdataDir has no {l}.traineddata; install it or remove '{l}' from Ocr:Languages.";
        if (MinConfidence is < 0 or > 100) yield return "Ocr:MinConfidence must be between 0 and 100.";
        if (MaxEngines is < 1 or > 64) yield return "Ocr:MaxEngines must be between 1 and 64.";
        if (string.IsNullOrWhiteSpace(DetModel)) yield return "Ocr:DetModel is empty; set it to the PP-OCR detector .onnx (ppocr/ch_PP-OCRv4_det_infer.onnx).";
        if (string.IsNullOrWhiteSpace(RecModel)) yield return "Ocr:RecModel is empty; set it to the PP-OCR recogniser .onnx (ppocr/ch_PP-OCRv4_rec_infer.onnx).";
        if (string.IsNullOrWhiteSpace(RecKeys)) yield return "Ocr:RecKeys is empty; set it to the recogniser's keys file (ppocr/ppocr_keys_v1.txt).";
        if (IntraOpThreads is < 1 or > 64) yield return "Ocr:IntraOpThreads must be between 1 and 64.";
        if (MinLongSide is < 0 or > 4096) yield return "Ocr:MinLongSide must be between 0 (never enlarge) and 4096 pixels.";
        if (DetMaxSide is < 64 or > 4096) yield return "Ocr:DetMaxSide must be between 64 and 4096 pixels (1280 default; PaddleOCR uses 960).";
        if (DetThreshold is <= 0 or >= 1) yield return "Ocr:DetThreshold must be between 0 and 1 exclusive (0.3 default).";
        if (DetBoxThreshold is <= 0 or >= 1) yield return "Ocr:DetBoxThreshold must be between 0 and 1 exclusive (0.6 default).";
        if (DetUnclipRatio is < 0.5 or > 5) yield return "Ocr:DetUnclipRatio must be between 0.5 and 5 (2.5 default; 1.5 glues English words).";
        if (DetMinBoxSide is < 1 or > 100) yield return "Ocr:DetMinBoxSide must be between 1 and 100 detector pixels.";
        if (!double.IsFinite(RecSplitMaxAspect) || RecSplitMaxAspect is < 0 or > 20) yield return "Ocr:RecSplitMaxAspect must be between 0 and 20 (0 = never re-read a box as stacked lines).";
        if (!double.IsFinite(RecRetryInset) || RecRetryInset is < 0 or > 0.25) yield return "Ocr:RecRetryInset must be between 0 (never read an unsure box again) and 0.25 of the box height (0.05 default).";
        if (RecSplitMaxLines is < 2 or > 8) yield return "Ocr:RecSplitMaxLines must be between 2 and 8.";
        if (RecMinWidth < 16 || RecMinWidth > RecMaxWidth) yield return "Ocr:RecMinWidth must be between 16 and Ocr:RecMaxWidth pixels (PaddleOCR's own is 320).";
        if (DetMaxCandidates is < 1 or > 100_000) yield return "Ocr:DetMaxCandidates must be between 1 and 100000.";
        if (RecBatchSize is < 1 or > 64) yield return "Ocr:RecBatchSize must be between 1 and 64.";
        if (RecMaxWidth is < 320 or > 8192) yield return "Ocr:RecMaxWidth must be between 320 and 8192 pixels.";
        if (RecMinScore is < 0 or >= 1) yield return "Ocr:RecMinScore must be in [0, 1) (0.5 default).";
    }
}

/// <summary>
/// Thread-safe front of per-thread OCR engines (<see cref="OcrOptions.Engine"/>: PP-OCR, or plain
/// Tesseract); never shares one engine across threads. A caller borrows an idle engine (or creates one
/// while fewer than MaxEngines exist), uses it alone, and returns it; further callers wait. PP-OCR
/// engines share one pair of ORT sessions. Engines live until the pool is disposed.
/// </summary>
public sealed class OcrEnginePool : IDisposable
{
    private readonly OcrOptions _options;
    private readonly PaddleOcrModels? _paddle;
    private readonly ConcurrentBag<IOcrEngine> _idle = [];
    private readonly ConcurrentBag<IOcrEngine> _all = [];
    private readonly SemaphoreSlim _slots;
    private volatile bool _disposed;

    public OcrEnginePool(OcrOptions options, ILogger? logger = null)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new OcrException(string.Join(" ", problems));
        _options = options;
        if (options.IsPpOcr)
        {
            var missing = PaddleOcrModels.MissingFiles(options);
            if (missing.Count == 0) _paddle = PaddleOcrModels.Open(options);
            else
                (logger ?? NullLogger.Instance).LogWarning(
                    "OCR falls back to plain Tesseract ({Languages}): the PP-OCR model files are missing ({Missing}); run ./mmi setup or point Ocr:DetModel/RecModel/RecKeys at them.",
                    options.Languages, string.Join(", ", missing));
        }
        EngineName = _paddle is null ? OcrOptions.Tesseract : OcrOptions.PpOcr;
        ModelVersion = _paddle is null ? TesseractOcrEngine.VersionString(options) : $"{_paddle.Version}:{PaddleOcrEngine.PipelineVersion}";
        _slots = new SemaphoreSlim(options.MaxEngines, options.MaxEngines);
    }

    /// <summary>The engine actually running: "ppocr", or "tesseract" (configured, or the fallback).</summary>
    public string EngineName { get; }

    public string ModelVersion { get; }

    public OcrResult Recognize(GreyImage image) => Recognize(image, CancellationToken.None);

    public OcrResult Recognize(GreyImage image, CancellationToken ct) => Recognize(image, null, ct);

    /// <summary>
    /// A second look at a picture that has not changed since <paramref name="previous"/> was read from it
    /// (PP-OCR reads the same boxes again without detecting; Tesseract reads the whole image).
    /// </summary>
    public OcrResult Reread(GreyImage image, OcrResult previous, CancellationToken ct) => Recognize(image, previous, ct);

    private OcrResult Recognize(GreyImage image, OcrResult? previous, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _slots.Wait(ct);
        IOcrEngine? engine = null;
        try
        {
            if (!_idle.TryTake(out engine))
            {
                engine = _paddle is null ? new TesseractOcrEngine(_options) : new PaddleOcrEngine(_paddle, _options);
                _all.Add(engine);
            }
            return engine is PaddleOcrEngine p ? (previous is null ? p.Recognize(image, ct) : p.Reread(image, previous, ct)) : engine.Recognize(image);
        }
        finally
        {
            if (engine is not null) _idle.Add(engine);
            _slots.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Wait for borrowers to hand their engines back before freeing native state under them.
        for (var i = 0; i < _options.MaxEngines; i++) _slots.Wait();
        foreach (var e in _all) e.Dispose();
        _paddle?.Dispose();
        _slots.Dispose();
    }
}
