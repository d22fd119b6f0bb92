namespace MultiModalIndexer.Media;

/// <summary>Configuration section "Media" (env MMI__Media__...). Owned by the media stage.</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    public string FfmpegPath { get; set; } = "ffmpeg";
    public string FfprobePath { get; set; } = "ffprobe";
    /// <summary>ffprobe must answer within this many seconds.</summary>
    public double ProbeTimeoutSeconds { get; set; } = 30;
    /// <summary>A decode may take at most this many seconds plus this factor times the media duration.</summary>
    public double DecodeTimeoutSeconds { get; set; } = 60;
    public double DecodeTimeoutPerMediaSecond { get; set; } = 2;

    /// <summary>Segments shorter than this merge into a neighbour.</summary>
    public double MinSegmentSeconds { get; set; } = 1.0;
    /// <summary>Segments longer than this split evenly.</summary>
    public double MaxSegmentSeconds { get; set; } = 30.0;
    public int KeyframesPerSegment { get; set; } = 3;
    /// <summary>Keyframes of one segment whose 16×9 thumbnails differ by less than this (0..1) are near-duplicates; one is kept.</summary>
    public double KeyframeDuplicateDistance { get; set; } = 0.02;

    /// <summary>Long side of the grey frame OCR reads from a still image (never upscaled; video frames: Media:TextSampling:MaxWidth).</summary>
    public int OcrLongSide { get; set; } = 1280;
    /// <summary>Width of the JPEG thumbnail.</summary>
    public int ThumbnailWidth { get; set; } = 320;
    /// <summary>
    /// ffmpeg decoding threads (-threads) for the keyframe and text-frame decodes, which run beside each
    /// other and beside CLIP and OCR: the cores are already busy, and frame threads cost ~15 % more CPU
    /// per decode. 0 = ffmpeg's default (one per core).
    /// </summary>
    public int ConcurrentDecodeThreads { get; set; } = 1;
    /// <summary>Audio chunk length in seconds (16 kHz mono float).</summary>
    public double AudioChunkSeconds { get; set; } = 1.0;

    /// <summary>Shot detection thresholds and policy ("Media:Shots:...").</summary>
    public ShotDetectionOptions Shots { get; set; } = new();
    /// <summary>The grey decode, change gate and read cap of the on-screen text timeline.</summary>
    public TextSamplingOptions TextSampling { get; set; } = new();

    public TimeSpan DecodeTimeout(double mediaSeconds) =>
        TimeSpan.FromSeconds(DecodeTimeoutSeconds + DecodeTimeoutPerMediaSecond * Math.Max(0, mediaSeconds));

    /// <summary>The -threads arguments of a decode that runs beside others (empty for ffmpeg's default).</summary>
    internal string[] ConcurrentDecodeArgs() =>
        ConcurrentDecodeThreads > 0 ? ["-threads", ConcurrentDecodeThreads.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];

    public IEnumerable<string> Validate()
    {
        if (ProbeTimeoutSeconds <= 0) yield return "Media:ProbeTimeoutSeconds must be > 0.";
        if (DecodeTimeoutSeconds <= 0) yield return "Media:DecodeTimeoutSeconds must be > 0.";
        if (DecodeTimeoutPerMediaSecond < 0) yield return "Media:DecodeTimeoutPerMediaSecond must be >= 0.";
        if (MinSegmentSeconds <= 0) yield return "Media:MinSegmentSeconds must be > 0.";
        if (MaxSegmentSeconds <= MinSegmentSeconds) yield return "Media:MaxSegmentSeconds must be greater than Media:MinSegmentSeconds.";
        if (KeyframesPerSegment is < 1 or > 16) yield return "Media:KeyframesPerSegment must be between 1 and 16.";
        if (KeyframeDuplicateDistance is < 0 or > 1) yield return "Media:KeyframeDuplicateDistance must be between 0 and 1.";
        if (OcrLongSide is < 64 or > 8192) yield return "Media:OcrLongSide must be between 64 and 8192.";
        if (ThumbnailWidth is < 16 or > 4096) yield return "Media:ThumbnailWidth must be between 16 and 4096.";
        if (ConcurrentDecodeThreads is < 0 or > 64) yield return "Media:ConcurrentDecodeThreads must be between 0 (ffmpeg's default) and 64.";
        if (AudioChunkSeconds is < 0.05 or > 60) yield return "Media:AudioChunkSeconds must be between 0.05 and 60.";
        foreach (var m in Shots.Validate()) yield return m;
        foreach (var m in TextSampling.Validate()) yield return m;
    }
}

/// <summary>Shot boundary detection ("Media:Shots:..."); the defaults were tuned on generated edits and the real clips.</summary>
public sealed class ShotDetectionOptions
{
    /// <summary>Width of the analysis decode (ffmpeg scales; height follows the aspect ratio).</summary>
    public int AnalysisWidth { get; set; } = 160;
    /// <summary>Frames per second analysed at most (ffmpeg's fps filter drops the rest; also makes VFR constant).</summary>
    public double AnalysisMaxFps { get; set; } = 30;
    /// <summary>Skip the in-loop deblocking filter while decoding for analysis (faster; invisible at 160 px).</summary>
    public bool FastDecode { get; set; } = true;
    /// <summary>
    /// Decode for analysis inside the process with the FFmpeg 5.x libraries (libavcodec 59, as
    /// Debian 12's ffmpeg links) where they load and the video has a constant frame rate within
    /// AnalysisMaxFps; false = always an ffmpeg process. Gives the same frames; saves the process starts.
    /// </summary>
    public bool InProcessDecode { get; set; } = true;
    /// <summary>
    /// Decode for analysis in this many keyframe-aligned parts at once (one single-threaded ffmpeg
    /// each); 1 = one decode; 0 = one per core the detector has to itself, at most 4 (the indexer's
    /// composition divides the cores by Indexing:MaxConcurrentVideos). Used only where the parts give
    /// exactly the frames of one decode (constant frame rate, indexed container).
    /// </summary>
    public int DecodeParts { get; set; }
    /// <summary>
    /// libavcodec threads of each part of the in-process analysis decode (0 = its automatic count). Alone, a
    /// part left by its sibling then uses the freed core (bench media.shots: 1.5-3.0x against 1.1-1.4x with one
    /// thread), at about 25 % more CPU time; while indexing, the other stages and videos use that core anyway,
    /// and one thread measured 5 % less CPU for the whole pipeline (bench e2e.subtitled).
    /// </summary>
    public int PartDecodeThreads { get; set; } = 1;
    /// <summary>Each part of a split analysis decode covers at least this many seconds.</summary>
    public double MinDecodePartSeconds { get; set; } = 8;

    /// <summary>Hard cut: minimum motion-tolerant distance (0..1) between consecutive frames.</summary>
    public double CutDistance { get; set; } = 0.12;
    /// <summary>Hard cut: minimum PySceneDetect-style content delta (0..255).</summary>
    public double CutContent { get; set; } = 12;
    /// <summary>Hard cut: the change must be this many times the change of neighbouring frame pairs.</summary>
    public double CutRatio { get; set; } = 3.0;
    /// <summary>Neighbouring frame pairs each side for the ratio.</summary>
    public int CutWindow { get; set; } = 2;

    /// <summary>Drop one- or two-frame outliers (white flashes) before detection.</summary>
    public bool FlashGuard { get; set; } = true;
    public double FlashDistance { get; set; } = 0.12;
    /// <summary>Within three frames after a dropped flash a cut needs at least this distance.</summary>
    public double CutDistanceAfterFlash { get; set; } = 0.3;

    /// <summary>Detect dissolves (gradual changes without black).</summary>
    public bool DetectGradual { get; set; } = true;
    public double GradualDistance { get; set; } = 0.2;
    public double GradualRatio { get; set; } = 4.0;
    /// <summary>Length of the stability windows beside a dissolve window, as a fraction of its half-width.</summary>
    public double GradualSideFraction { get; set; } = 0.5;
    /// <summary>Minimum brightness-independent change (0..1) across a dissolve: a picture fading in or out of brightness is not one.</summary>
    /// <summary>Minimum fraction of the picture (16×9 cells) that must change across a dissolve.</summary>
    public double GradualMinCoverage { get; set; } = 0.3;
    public double GradualMinShapeChange { get; set; } = 0.05;
    /// <summary>A dissolve window touching black (± this many frames) is left to the fade rule.</summary>
    public int GradualDarkMargin { get; set; }
    public double[] GradualHalfWidthsSeconds { get; set; } = [0.2, 0.35, 0.5, 0.75, 1.0];
    /// <summary>A cut near a dissolve whose total change is this many times the cut's jump is part of the dissolve.</summary>
    public double DissolveOverCutFactor { get; set; } = 4.0;
    /// <summary>No other boundary within this many seconds of a dissolve.</summary>
    public double DissolveMergeSeconds { get; set; } = 1.0;

    /// <summary>Mean luma (0..255) below which a frame counts as black (fades through black).</summary>
    public double BlackLuma { get; set; } = 14;
    /// <summary>A black stretch longer than this is a shot of its own (two boundaries), else one boundary at its middle.</summary>
    public double MaxBlackHoldSeconds { get; set; } = 2.0;
    /// <summary>Luma change per frame (0..255) that still counts as the picture fading.</summary>
    public double FadeLumaStep { get; set; } = 0.3;
    /// <summary>Where a fade's boundary goes: "extent" (middle of darkening..brightening) or "dark" (middle of the black run).</summary>
    public string FadeMidpoint { get; set; } = "extent";
    /// <summary>Where a dissolve's boundary goes: "plateau" (centre of the window-distance plateau) or "halfway" (equal distance to both shots).</summary>
    public string DissolveMidpoint { get; set; } = "plateau";
    /// <summary>No two boundaries closer than this.</summary>
    public double MinSceneSeconds { get; set; } = 0.5;

    public IEnumerable<string> Validate()
    {
        if (AnalysisWidth is < 32 or > 640) yield return "Media:Shots:AnalysisWidth must be between 32 and 640.";
        if (AnalysisMaxFps is < 2 or > 120) yield return "Media:Shots:AnalysisMaxFps must be between 2 and 120.";
        if (DecodeParts is < 0 or > 16) yield return "Media:Shots:DecodeParts must be between 0 (one per core) and 16.";
        if (PartDecodeThreads is < 0 or > 16) yield return "Media:Shots:PartDecodeThreads must be between 0 (libavcodec's automatic count) and 16.";
        if (MinDecodePartSeconds is < 1 or > 3600) yield return "Media:Shots:MinDecodePartSeconds must be between 1 and 3600.";
        if (CutDistance is <= 0 or >= 1) yield return "Media:Shots:CutDistance must be in (0, 1).";
        if (CutRatio < 1) yield return "Media:Shots:CutRatio must be >= 1.";
        if (CutWindow is < 1 or > 10) yield return "Media:Shots:CutWindow must be between 1 and 10.";
        if (GradualDistance is <= 0 or >= 1) yield return "Media:Shots:GradualDistance must be in (0, 1).";
        if (GradualRatio < 1) yield return "Media:Shots:GradualRatio must be >= 1.";
        if (GradualHalfWidthsSeconds is null || GradualHalfWidthsSeconds.Length == 0 || GradualHalfWidthsSeconds.Any(w => w is <= 0 or > 5))
            yield return "Media:Shots:GradualHalfWidthsSeconds must list half-widths in (0, 5] seconds.";
        if (BlackLuma is < 0 or > 128) yield return "Media:Shots:BlackLuma must be between 0 and 128.";
        if (MinSceneSeconds < 0) yield return "Media:Shots:MinSceneSeconds must be >= 0.";
    }
}
