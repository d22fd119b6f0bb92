using System.Collections.Concurrent;
using MultiModalIndexer.Inference.Ocr.Tesseract;

namespace MultiModalIndexer.Inference.Ocr;

/// <summary>Configuration section "Ocr" (env MMI__Ocr__...).</summary>
public sealed class OcrOptions
{
    public const string Section = "Ocr";
    public bool Enabled { get; set; } = true;
    /// <summary>Tesseract language list joined by '+', e.g. "eng+chi_sim".</summary>
    public string Languages { get; set; } = "eng+chi_sim";
    /// <summary>Empty = Tesseract's default tessdata folder.</summary>
    public string TessdataDir { get; set; } = "";
    /// <summary>Lines below this Tesseract confidence (0–100) are dropped.</summary>
    public float MinConfidence { get; set; } = 50;
    /// <summary>Engines kept for concurrent callers (one per worker thread).</summary>
    public int MaxEngines { get; set; } = 2;
    /// <summary>At most this many candidate lines per polarity are read per frame (bounds time on busy frames).</summary>
    public int MaxLinesPerFrame { get; set; } = 16;

    public IEnumerable<string> Validate()
    {
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
        if (MaxLinesPerFrame is < 1 or > 200) yield return "Ocr:MaxLinesPerFrame must be between 1 and 200.";
    }
}

/// <summary>
/// Thread-safe front of per-thread Tesseract engines; never shares one engine across threads.
/// A caller borrows an idle engine (or creates one while fewer than MaxEngines exist), uses it
/// alone, and returns it; further callers wait. Engines live until the pool is disposed.
/// </summary>
public sealed class OcrEnginePool : IDisposable
{
    private readonly OcrOptions _options;
    private readonly ConcurrentBag<FrameOcrEngine> _idle = [];
    private readonly ConcurrentBag<FrameOcrEngine> _all = [];
    private readonly SemaphoreSlim _slots;
    private volatile bool _disposed;

    public OcrEnginePool(OcrOptions options)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new OcrException(string.Join(" ", problems));
        _options = options;
        _slots = new SemaphoreSlim(options.MaxEngines, options.MaxEngines);
    }

    public string ModelVersion => FrameOcrEngine.VersionString(_options);

    public OcrResult Recognize(GreyImage image) => Recognize(image, CancellationToken.None);

    public OcrResult Recognize(GreyImage image, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _slots.Wait(ct);
        FrameOcrEngine? engine = null;
        try
        {
            if (!_idle.TryTake(out engine))
            {
                engine = new FrameOcrEngine(_options);
                _all.Add(engine);
            }
            return engine.Recognize(image);
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
        _slots.Dispose();
    }
}
