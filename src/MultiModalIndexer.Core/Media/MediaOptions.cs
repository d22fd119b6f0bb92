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

    public IEnumerable<string> Validate()
    {
        if (ProbeTimeoutSeconds <= 0) yield return "Media:ProbeTimeoutSeconds must be > 0.";
        if (DecodeTimeoutSeconds <= 0) yield return "Media:DecodeTimeoutSeconds must be > 0.";
        if (MinSegmentSeconds <= 0) yield return "Media:MinSegmentSeconds must be > 0.";
        if (MaxSegmentSeconds <= MinSegmentSeconds) yield return "Media:MaxSegmentSeconds must be greater than Media:MinSegmentSeconds.";
        if (KeyframesPerSegment is < 1 or > 16) yield return "Media:KeyframesPerSegment must be between 1 and 16.";
    }
}
