namespace MultiModalIndexer.Media;

/// <summary>What ffprobe says about one file, typed.</summary>
public sealed record MediaInfo(
    string Path,
    string Container,
    double Duration,
    long SizeBytes,
    VideoStreamInfo? Video,
    AudioStreamInfo? Audio,
    DateTimeOffset? CreationTime)
{
    /// <summary>The container's start timestamp (seconds); ffmpeg's -ss counts from here.</summary>
    public double StartTime { get; init; }
}

public sealed record VideoStreamInfo(
    int Index,
    string Codec,
    int Width,
    int Height,
    double Fps,
    bool VariableFrameRate,
    int Rotation,
    long? FrameCount)
{
    /// <summary>Timestamp of the stream's first frame (seconds, absolute, as ffprobe's packets report them).</summary>
    public double StartTime { get; init; }

    /// <summary>Width of a pixel over its height (ffprobe's sample_aspect_ratio); 1 for square pixels.</summary>
    public double PixelAspect { get; init; } = 1;

    /// <summary>
    /// The frame size with square pixels, as a player shows it: anamorphic video (PAL/NTSC DVD, some
    /// camcorders and broadcasts) is stretched to its display aspect for CLIP, OCR and thumbnails.
    /// Rotation 90/270 already swapped Width and Height, so then the stretched axis is the height.
    /// </summary>
    public int DisplayWidth => Anamorphic && Rotation is not (90 or 270) ? Math.Max(1, (int)Math.Round(Width * PixelAspect)) : Width;

    /// <inheritdoc cref="DisplayWidth"/>
    public int DisplayHeight => Anamorphic && Rotation is 90 or 270 ? Math.Max(1, (int)Math.Round(Height * PixelAspect)) : Height;

    private bool Anamorphic => PixelAspect > 0 && Math.Abs(PixelAspect - 1) > 1e-3;
}

public sealed record AudioStreamInfo(int Index, string Codec, int SampleRate, int Channels);

/// <summary>Why a file could not be read as media. One typed error with a one-line reason.</summary>
public enum MediaErrorKind
{
    NotFound,
    Empty,
    NotMedia,
    Corrupt,
    NoVideoStream,
    NoAudioStream,
    Timeout,
    ToolMissing,
    ToolFailed,
}

public sealed class MediaException(MediaErrorKind kind, string path, string reason, Exception? inner = null)
    : Exception($"{System.IO.Path.GetFileName(path)}: {reason}", inner)
{
    public MediaErrorKind Kind { get; } = kind;
    public string MediaPath { get; } = path;
    public string Reason { get; } = reason;
}

/// <summary>One searchable unit of a video: a time span with its keyframe times.</summary>
public sealed record SegmentSpan(int Ordinal, double Start, double End, IReadOnlyList<double> KeyframeTimes)
{
    public double Duration => End - Start;
}

/// <summary>Result of shot detection plus the segment policy: `./mmi shots --json` prints this.</summary>
public sealed record ShotAnalysis(double Duration, IReadOnlyList<double> Cuts, IReadOnlyList<SegmentSpan> Segments)
{
    /// <summary>Copy-detection hashes sampled from the same decode (empty when fingerprinting is off).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<FrameHash> Fingerprint { get; init; } = [];
}

/// <summary>One copy-detection sample: a frame's time, its <see cref="PerceptualHash"/>, that of its central part, and its colour layout.</summary>
public readonly record struct FrameHash(double Time, ulong Hash, ulong Cropped, ulong Chroma);

/// <summary>
/// Which analysis frames are hashed for copy detection: the first of every 1/<see cref="Fps"/> s
/// slot, counted by frame index so split decodes pick exactly the frames a whole decode would.
/// </summary>
public sealed record FrameHashSampling(double Fps, double MinContrast)
{
    public bool Takes(long frameIndex, double analysisFps) =>
        frameIndex == 0 || analysisFps <= Fps
        || Math.Floor(frameIndex * Fps / analysisFps) != Math.Floor((frameIndex - 1) * Fps / analysisFps);
}

/// <summary>
/// Everything later stages need from one keyframe, cut in ffmpeg so no image library is needed:
/// the exact CLIP input and a JPEG thumbnail (on-screen text is read from the text timeline's own frames, see TextFrameSampler).
/// </summary>
public sealed class KeyframeImage
{
    public const int ClipSize = 224;

    public required int SegmentOrdinal { get; init; }
    public required double Time { get; init; }

    /// <summary>224×224×3 RGB bytes: shorter side to 224 (bicubic), centre crop.</summary>
    public required byte[] ClipRgb { get; init; }

    /// <summary>JPEG thumbnail bytes.</summary>
    public required byte[] ThumbnailJpeg { get; init; }
}
