using MultiModalIndexer.Inference.Ocr.Preprocessing;
using MultiModalIndexer.Inference.Ocr.Tesseract;

namespace MultiModalIndexer.Inference.Ocr;

/// <summary>
/// OCR of one video frame or image with one Tesseract engine (not thread-safe; pool it).
/// Pipeline: flat frames skipped → per polarity a local-contrast text mask → glyph components
/// chained into candidate lines → each line cropped as dark-on-white, upscaled to ~40 px glyphs and
/// read with PSM 7 (single line); doubtful lines again from grey, brightest-level and flat-level
/// crops; pieces of one row that the background cut apart again as one line → overlapping readings
/// of the same place merged by confidence → text cleanup and confidence threshold. Document-like pages (many dark-on-light lines) are read
/// as a whole page with PSM 3 instead, which keeps reading order and is what Tesseract is tuned for.
/// </summary>
public sealed class FrameOcrEngine : IOcrEngine
{
    internal const string PipelineVersion = "frame-v4";
    private readonly OcrOptions _options;
    private readonly TesseractEngine _tess;
    /// <summary>
    /// The CJK languages alone, or null when there is no CJK language. Tesseract's first language
    /// steers a line: eng-first reads a Chinese caption as Latin junk, chi_sim-first glues English
    /// words together, and even chi_sim+eng reads a short or broken Han line as Latin ("议室开会" as
    /// "MATA") where chi_sim alone gets it. Lines not clearly English are read both ways, best
    /// confidence wins; the configured order still reads the English ones.
    /// </summary>
    private readonly TesseractEngine? _cjkFirst;
    /// <summary>
    /// CJK first, then the other languages: the second opinion on a line the CJK engine read as
    /// Latin only. chi_sim alone misreads Latin glyphs a chi_sim+eng order reads right
    /// (compressed "QUIET MEADOW" as "QUIET MEADOVW").
    /// </summary>
    private readonly TesseractEngine? _cjkMixed;
    /// <summary>The CJK-first order won the last contested line; try it first next time.</summary>
    private bool _cjkLikely;

    /// <summary>How far below the white threshold a pixel touching a stroke core still counts in a compressed frame.</summary>
    private const int WeakLevels = 12;

    private static readonly string[] CjkLanguages = ["chi_sim", "chi_tra", "jpn", "kor", "chi_sim_vert", "chi_tra_vert", "jpn_vert", "kor_vert"];

    public FrameOcrEngine(OcrOptions options)
    {
        _options = options;
        _tess = new TesseractEngine(options.Languages, options.TessdataDir);
        try
        {
            var langs = options.Languages.Split('+', StringSplitOptions.RemoveEmptyEntries);
            var cjk = langs.Where(l => CjkLanguages.Contains(l)).ToList();
            if (cjk.Count > 0 && !CjkLanguages.Contains(langs[0]))
            {
                _cjkFirst = new TesseractEngine(string.Join('+', cjk), options.TessdataDir);
                _cjkMixed = new TesseractEngine(string.Join('+', cjk.Concat(langs.Except(cjk))), options.TessdataDir);
            }
        }
        catch
        {
            _cjkMixed?.Dispose();
            _cjkFirst?.Dispose();
            _tess.Dispose();
            throw;
        }
    }

    public string ModelVersion => VersionString(_options);

    internal static string VersionString(OcrOptions o) => $"tesseract-{TesseractEngine.Version}:{o.Languages}:{PipelineVersion}";


    public OcrResult Recognize(GreyImage image)
    {
        var (px, w, h) = (image.Pixels, image.Width, image.Height);
        if (px is null || w <= 0 || h <= 0) return OcrResult.Empty;
        if ((long)w * h > px.Length) throw new ArgumentException($"Grey image says {w}×{h} but has {px.Length} bytes.", nameof(image));
        if (w < 8 || h < 8 || IsFlat(px, w, h)) return OcrResult.Empty;

        var prep = System.Diagnostics.Stopwatch.StartNew();
        var integral = TextRegionDetector.Integral(px, w, h);
        var radius = Math.Clamp(Math.Max(w, h) / 40, 8, 48);
        var minGlyph = Math.Max(6, Math.Min(w, h) / 90);

        // Candidate lines from three masks, ranked together so a busy background cannot crowd out a caption.
        var masks = new List<(MaskKind Kind, TextPolarity Polarity, byte[] Mask)>();
        var localMax = TextRegionDetector.LocalMax(px, w, h, TextRegionDetector.LocalMaxRadius(w, h));
        var hist = TextRegionDetector.Histogram(px);
        var brightest = TextRegionDetector.BrightestLevel(hist, w, h);
        // A compressed frame (its white spread by ringing and blocking) gets masks that grow stroke
        // cores into their blurred surroundings and close one-pixel breaks, and a masked-grey re-read;
        // a lossless one keeps the exact-level masks that separate a caption from a light bar beside it.
        var compressed = TextRegionDetector.TopLevelSpread(hist, w, h, brightest);
        var weak = compressed ? WeakLevels : 0;
        if (TextRegionDetector.WhiteMask(px, w, h, integral, radius, localMax: localMax, brightest: brightest, hysteresis: weak, hist: hist) is { } white) masks.Add((MaskKind.White, TextPolarity.LightOnDark, white));
        // A small caption brighter than the 0.1 % level gets a white mask of its own level too.
        if (TextRegionDetector.CaptionSpike(hist, w, h, brightest) is { } spike &&
            TextRegionDetector.WhiteMask(px, w, h, integral, radius, localMax: localMax, brightest: spike, hysteresis: weak, hist: hist) is { } spikeMask)
            masks.Add((MaskKind.White, TextPolarity.LightOnDark, spikeMask));
        // Looser white for thin anti-aliased strokes (small CJK) whose cores never reach the brightest level.
        if (TextRegionDetector.WhiteMask(px, w, h, integral, radius, 24, 14, localMax, brightest) is { } loose) masks.Add((MaskKind.White, TextPolarity.LightOnDark, loose));
        masks.Add((MaskKind.LightContrast, TextPolarity.LightOnDark, TextRegionDetector.ContrastMask(px, w, h, integral, TextPolarity.LightOnDark, radius)));
        masks.Add((MaskKind.DarkContrast, TextPolarity.DarkOnLight, TextRegionDetector.ContrastMask(px, w, h, integral, TextPolarity.DarkOnLight, radius)));
        var regions = new List<(TextRegion Region, byte[] Mask)>();
        var pageLike = false;
        var maxStroke = Math.Max(6, Math.Min(w, h) / 40);
        foreach (var (kind, polarity, mask) in masks)
        {
            TextRegionDetector.KeepThinStrokes(mask, w, h, maxStroke);
            var comps = TextRegionDetector.Components(compressed && kind == MaskKind.White ? TextRegionDetector.Close3(mask, w, h) : mask, w, h);
            var found = TextRegionDetector.Lines(comps, w, h, polarity, minGlyph, 200);
            if (kind == MaskKind.DarkContrast) pageLike = LooksLikePage(found, w, h);
            foreach (var r in found.Take(_options.MaxLinesPerFrame))
                regions.Add((r with { Mask = kind }, mask));
        }

        PreprocessMs += prep.Elapsed.TotalMilliseconds;
        var candidates = new List<Candidate>();
        var read = new List<TextRegion>();
        var seenCrops = new HashSet<int>();
        var calls = 0;
        var pending = regions.OrderByDescending(r => r.Region.Score).ToList();
        var texted = new List<TextRegion>();
        var textedMasks = new List<byte[]>();
        while (pending.Count > 0 && calls < _options.MaxLinesPerFrame)
        {
            // A line that read as text may be one piece of a caption a background object cut in two:
            // the rest of its row goes before lower-scored texture, or the call budget runs out first.
            var next = texted.Count == 0 ? 0 : Math.Max(0, pending.FindIndex(p => SameRow(texted, p.Region)));
            var (region, mask) = pending[next];
            pending.RemoveAt(next);
            // A place already read with confidence need not be read again from another mask.
            if (read.Any(done => Overlap(done, region) >= 0.5)) continue;
            // Once the frame has a confident line, a few loose blobs, or a line scoring far below it, are
            // background texture rather than another caption, unless they continue a read line's row
            // (a caption split in two where a word touched the background).
            if (read.Count > 0 && (region.GlyphCount <= 3 || region.Score < read.Max(r => r.Score) * 0.15) && !SameRow(read, region)) continue;
            calls++;
            var got = ReadLine(px, mask, w, h, region, seenCrops, compressed);
            candidates.AddRange(got);
            if (got.Count > 0 && got.Max(c => c.Confidence) >= _options.MinConfidence) { texted.Add(region); textedMasks.Add(mask); }
            if (got.Count > 0 && got.Max(c => c.Confidence) >= 75) read.Add(region);
        }
        foreach (var joined in ReadJoinedPieces(px, w, h, texted, textedMasks))
        {
            // The whole row reads with its context but averages in the glyphs the object hid, so it
            // scores below its pieces; it replaces them when it is still confident enough to report
            // and holds at least as much text.
            var pieces = candidates.Where(c => Inside(c, joined)).ToList();
            if (joined.Confidence >= _options.MinConfidence && TextLength(joined.Text) >= pieces.Sum(c => TextLength(c.Text)))
                candidates.RemoveAll(c => Inside(c, joined));
            candidates.Add(joined);
        }

        var lineResult = Assemble(Merge(candidates));
        if (!pageLike) return lineResult;
        // A scanned page or slide: Tesseract's own layout analysis (PSM 3) reads it in order and in
        // context; keep it when it is at least as confident and as complete as the per-line reading.
        var page = ReadPage(px, w, h);
        var pageConf = page.Lines.Count == 0 ? -1 : page.Lines.Average(l => l.Confidence);
        var lineConf = lineResult.Lines.Count == 0 ? -1 : lineResult.Lines.Average(l => l.Confidence);
        return pageConf >= lineConf && page.Text.Length >= lineResult.Text.Length * 0.8 ? page : lineResult;
    }

    /// <summary>
    /// Pieces of one caption that a background object (a strap, a pole) cut apart each read without
    /// their neighbours' context: each row of texted pieces (same row, gaps under three glyphs) is read
    /// once more as one flat-level line, whatever the call budget, since such rows are few.
    /// </summary>
    private List<Candidate> ReadJoinedPieces(byte[] px, int w, int h, List<TextRegion> texted, List<byte[]> masks)
    {
        var result = new List<Candidate>();
        var used = new bool[texted.Count];
        for (var i = 0; i < texted.Count; i++)
        {
            if (used[i]) continue;
            var joined = texted[i];
            var pieces = 1;
            for (var j = i + 1; j < texted.Count; j++)
            {
                var p = texted[j];
                var gap = Math.Max(p.Left - joined.Right, joined.Left - p.Right);
                if (used[j] || !SameRow([joined], p) || gap > Math.Max(joined.GlyphHeight, p.GlyphHeight) * 3 || gap < 0 && Overlap(joined, p) > 0.3) continue;
                used[j] = true;
                pieces++;
                joined = joined with
                {
                    Left = Math.Min(joined.Left, p.Left),
                    Top = Math.Min(joined.Top, p.Top),
                    Right = Math.Max(joined.Right, p.Right),
                    Bottom = Math.Max(joined.Bottom, p.Bottom),
                    GlyphCount = joined.GlyphCount + p.GlyphCount,
                };
            }
            if (pieces < 2 || LineCrop.FromLevel(px, masks[i], w, h, joined) is not { } crop) continue;
            result.AddRange(ReadCrop(crop, joined, null).Lines);
        }
        return result;
    }

    /// <summary>Most of <paramref name="c"/>'s box lies within <paramref name="outer"/>'s.</summary>
    private static bool Inside(Candidate c, Candidate outer)
    {
        var iw = Math.Min(c.Right, outer.Right) - Math.Max(c.Left, outer.Left);
        var ih = Math.Min(c.Bottom, outer.Bottom) - Math.Max(c.Top, outer.Top);
        return iw > 0 && ih > 0 && iw * (long)ih * 10 >= (long)(c.Right - c.Left) * (c.Bottom - c.Top) * 8;
    }

    private static int TextLength(string s) => s.Count(c => !char.IsWhiteSpace(c));

    /// <summary>A scanned page or slide: many dark-on-light lines stacked over much of the image.</summary>
    private static bool LooksLikePage(List<TextRegion> lines, int w, int h)
    {
        if (lines.Count < 6) return false;
        var covered = lines.Sum(l => (long)l.Width * l.Height);
        return covered > (long)w * h / 12;
    }

    private OcrResult ReadPage(byte[] px, int w, int h)
    {
        var found = _tess.RecognizeLines(px, w, h, w, TesseractNative.PsmAuto);
        var lines = new List<OcrLine>();
        foreach (var l in found)
        {
            var text = OcrTextCleaner.CleanLine(l.Text);
            if (text.Length == 0 || l.Confidence < _options.MinConfidence) continue;
            lines.Add(new OcrLine(text, l.Confidence));
        }
        return lines.Count == 0 ? OcrResult.Empty : new OcrResult(string.Join('\n', lines.Select(l => l.Text)), lines);
    }

    private readonly record struct Candidate(string Text, float Confidence, int Left, int Top, int Right, int Bottom);

    /// <summary>
    /// Reads one candidate line. First from the clean mask crop (busy backgrounds removed); when that
    /// is not clearly good, also from the contrast-stretched grey crop (keeps anti-aliasing, which
    /// helps small glyphs and scanned pages) with the language order that won, and keeps the more
    /// confident reading.
    /// </summary>
    private List<Candidate> ReadLine(byte[] px, byte[] mask, int w, int h, TextRegion region, HashSet<int> seenCrops, bool compressed)
    {
        var crop = LineCrop.FromMask(mask, w, h, region);
        // Two masks often agree on a line pixel for pixel: the same crop reads the same, read it once.
        var hash = new HashCode();
        hash.AddBytes(crop.Pixels);
        hash.Add(crop.Width);
        if (!seenCrops.Add(hash.ToHashCode())) return [];
        var (best, winner) = ReadCrop(crop, region, null);
        // Below 30 the crop is background texture, not text a cleaner crop would rescue.
        // Few blobs read poorly are background texture; only lines with several glyphs earn re-reads.
        if (Confidence(best) is < 80 and >= 30 && (region.GlyphCount >= 4 || Confidence(best) >= 50))
        {
            if (compressed)
            {
                var (masked, mw) = ReadCrop(LineCrop.FromMaskedGrey(px, mask, w, h, region), region, null);
                if (Confidence(masked) > Confidence(best)) (best, winner) = (masked, mw);
            }
            var (grey, _) = ReadCrop(LineCrop.FromGrey(px, mask, w, h, region), region, winner);
            if (Confidence(grey) > Confidence(best)) best = grey;
            if (region.Polarity == TextPolarity.LightOnDark && region.GlyphCount >= 6 && Confidence(best) < 80)
            {
                var (top, _) = ReadCrop(LineCrop.FromTopLevel(px, w, h, region), region, winner);
                if (Confidence(top) > Confidence(best)) best = top;
            }
            if (Confidence(best) < 80 && LineCrop.FromLevel(px, mask, w, h, region) is { } levelCrop)
            {
                var (level, _) = ReadCrop(levelCrop, region, null);
                if (Confidence(level) > Confidence(best)) best = level;
            }
        }
        return best;
    }

    private static float Confidence(List<Candidate> c) => c.Count == 0 ? -1 : c.Average(x => x.Confidence);

    /// <summary>
    /// Reads a crop with the language order most likely to win (the one that won the last line:
    /// captions of a frame, and of a video, keep their language), and with the other order only
    /// when the first reading is not clearly right. <paramref name="only"/> forces one engine.
    /// </summary>
    private (List<Candidate> Lines, TesseractEngine Winner) ReadCrop((byte[] Pixels, int Width, int Height, double Scale) crop, TextRegion region, TesseractEngine? only)
    {
        var (pixels, cw, ch, scale) = crop;
        var (l, t, _, _) = LineCrop.PaddedBox(region);
        var first = only ?? (_cjkLikely && _cjkFirst is not null ? _cjkFirst : _tess);
        var read = Recognize(first, pixels, cw, ch);
        var winner = first;
        // Nothing at all found is texture or noise for either order; only a reading in doubt gets a second one.
        if (only is null && _cjkFirst is not null && read.Count > 0 && !ClearlyRight(read, first == _cjkFirst))
        {
            var other = first == _tess ? _cjkFirst : _tess;
            var alt = Recognize(other, pixels, cw, ch);
            // CJK-first must beat Latin-first clearly: on English it glues words but can score alike.
            var (cjkRead, engRead) = first == _cjkFirst ? (read, alt) : (alt, read);
            var cjkEngine = _cjkFirst;
            if (_cjkMixed is not null && !cjkRead.Any(x => x.Text.Any(OcrTextCleaner.IsCjk)))
            {
                cjkRead = Recognize(_cjkMixed, pixels, cw, ch);
                cjkEngine = _cjkMixed;
            }
            var cjkWins = MeanConfidence(cjkRead) > MeanConfidence(engRead) + 2;
            (read, winner) = cjkWins ? (cjkRead, cjkEngine) : (engRead, _tess);
            if (MeanConfidence(read) >= 60) _cjkLikely = cjkWins;
        }
        var result = new List<Candidate>();
        foreach (var line in read)
        {
            var text = OcrTextCleaner.CleanLine(line.Text);
            if (text.Length == 0) continue;
            result.Add(new Candidate(text, line.Confidence,
                l + (int)(line.Left / scale), t + (int)(line.Top / scale), l + (int)(line.Right / scale), t + (int)(line.Bottom / scale)));
        }
        return (result, winner);
    }

    private List<TessLine> Recognize(TesseractEngine engine, byte[] pixels, int cw, int ch)
    {
        TesseractCalls++;
        return engine.RecognizeLines(pixels, cw, ch, cw, TesseractNative.PsmSingleLine);
    }

    /// <summary>Time spent finding candidate lines (masks, components) so far, for the bench.</summary>
    internal double PreprocessMs { get; private set; }

    /// <summary>Tesseract calls made so far (the bench reports calls per frame).</summary>
    internal long TesseractCalls { get; private set; }

    /// <summary>A confident reading in the script the engine's first language expects needs no second opinion.</summary>
    private static bool ClearlyRight(List<TessLine> read, bool cjkFirst) =>
        read.Count > 0 && read.All(l => l.Confidence >= 80) &&
        (cjkFirst ? read.Any(l => l.Text.Any(OcrTextCleaner.IsCjk)) : !read.Any(l => l.Text.Any(OcrTextCleaner.IsCjk)));

    /// <summary>On the same text row as a read line: vertically overlapping it with a similar glyph height.</summary>
    private static bool SameRow(List<TextRegion> read, TextRegion r) => read.Any(d =>
    {
        var ov = Math.Min(d.Bottom, r.Bottom) - Math.Max(d.Top, r.Top);
        return ov >= Math.Min(d.Height, r.Height) * 0.6 && Math.Abs(d.GlyphHeight - r.GlyphHeight) <= Math.Max(d.GlyphHeight, r.GlyphHeight) * 0.3;
    });

    /// <summary>Intersection over the smaller box.</summary>
    private static double Overlap(TextRegion a, TextRegion b)
    {
        var iw = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);
        var ih = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
        if (iw <= 0 || ih <= 0) return 0;
        return iw * (double)ih / Math.Max(1, Math.Min(a.Width * a.Height, b.Width * b.Height));
    }

    private static float MeanConfidence(List<TessLine> read) => read.Count == 0 ? -1 : read.Average(l => l.Confidence);

    /// <summary>Readings of the same place (from both polarities) keep only the most confident one.</summary>
    private static List<Candidate> Merge(List<Candidate> cands)
    {
        var kept = new List<Candidate>();
        foreach (var c in cands.OrderByDescending(c => c.Confidence))
        {
            var dup = kept.Any(k =>
            {
                var iw = Math.Min(k.Right, c.Right) - Math.Max(k.Left, c.Left);
                var ih = Math.Min(k.Bottom, c.Bottom) - Math.Max(k.Top, c.Top);
                if (iw <= 0 || ih <= 0) return false;
                var inter = (long)iw * ih;
                var minArea = Math.Min((long)(k.Right - k.Left) * (k.Bottom - k.Top), (long)(c.Right - c.Left) * (c.Bottom - c.Top));
                return inter >= minArea / 2;
            });
            if (!dup) kept.Add(c);
        }
        return kept;
    }

    private OcrResult Assemble(List<Candidate> cands)
    {
        var lines = cands.Where(c => c.Confidence >= _options.MinConfidence)
            .OrderBy(c => c.Top / 8).ThenBy(c => c.Left)
            .Select(c => new OcrLine(c.Text, c.Confidence)).ToList();
        return lines.Count == 0 ? OcrResult.Empty : new OcrResult(string.Join('\n', lines.Select(l => l.Text)), lines);
    }

    /// <summary>Blank or near-uniform frames (fades, flat colour) cannot hold text; skip Tesseract.</summary>
    private static bool IsFlat(byte[] px, int w, int h)
    {
        int min = 255, max = 0;
        var n = w * h;
        for (var i = 0; i < n; i++)
        {
            int v = px[i];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return max - min < 24;
    }

    /// <summary>Plain Tesseract on the whole frame with its default page segmentation: the baseline peer.</summary>
    internal string PlainTesseract(GreyImage image) =>
        _tess.RecognizeText(image.Pixels, image.Width, image.Height, TesseractNative.PsmAuto);

    public void Dispose()
    {
        _tess.Dispose();
        _cjkMixed?.Dispose();
        _cjkFirst?.Dispose();
    }
}
