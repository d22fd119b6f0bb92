namespace MultiModalIndexer.Crawl;

/// <summary>
/// Which files under a root are candidates. Only video containers are indexed: a segment needs
/// frames (keyframes, CLIP, OCR), so audio files (.mp3/.wav/...) and images beside the videos are
/// ignored, not failed; an audio-only file WITH a video extension is probed and listed as failed
/// ("no video stream"), so a bad-media folder shows it with its reason.
/// </summary>
public static class MediaExtensions
{
    public static readonly IReadOnlyList<string> DefaultVideo =
        [".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".mpg", ".mpeg", ".ts", ".wmv", ".flv", ".3gp", ".ogv"];

    public static HashSet<string> ToSet(IEnumerable<string> extensions) =>
        new(extensions.Select(e => e.StartsWith('.') ? e : "." + e), StringComparer.OrdinalIgnoreCase);
}
