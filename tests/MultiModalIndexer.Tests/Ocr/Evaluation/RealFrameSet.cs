using System.Globalization;
using MultiModalIndexer.Inference.Ocr.Imaging;

namespace MultiModalIndexer.Inference.Ocr.Evaluation;

/// <summary>A frame of a real clip in ../shared/media, with the text a viewer reads on it ("" = none).</summary>
internal sealed record RealFrameSpec(string File, double Seconds, string Text)
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(File)}@{Seconds:0.#}");
}

/// <summary>
/// Real frames of ../shared/media (video frames at chosen times, photos) with ground truth written from
/// the media README and by looking at the frames; decoded to grey at the keyframe OCR size (long side
/// 1280, Media:OcrLongSide) and cached as PNG. vsr_test2's captions are Russian: PP-OCR's Chinese/English
/// model has no Cyrillic classes, so those frames are not in the text set.
/// </summary>
internal static class RealFrameSet
{
    private const string Goldeneye = "goldeneye-vfr-drop3.mp4";
    private const string Copyright = "Copyright © 2013 Brandon Castellano www.bcastell.com";
    // The screen's UI labels that are whole in the frame ("SEND" and "ENTER" above them are cut off by the frame edge).
    private const string GoldeneyeUi = "FORUM PREFS B/BOARD NATALYA OFFLINE LUKE OFFLINE MESSAGE PREFS";

    public static IReadOnlyList<RealFrameSpec> WithText { get; } =
    [
        new("video/big_buck_bunny_0_30.webm", 22, "THE PEACH OPEN MOVIE PROJECT PRESENTS"),
        new("video/big_buck_bunny_0_30.webm", 27, "Big Buck BUNNY"),
        new("video/testvideo.mp4", 2, Copyright),
        new("video/testvideo.mp4", 10, Copyright),
        new("video/testvideo.mp4", 20, Copyright),
        new("video/" + Goldeneye, 2.5, "Send Spike Spike Sent " + GoldeneyeUi),
        new("video/" + Goldeneye, 3.5, "Send Spike " + GoldeneyeUi),
        new("video/manifesto.mp4", 5, "Audible Socialism Manifesto of the Communist Party by Karl Marx & Friedrich Engels"),
    ];

    /// <summary>Nature shots and photos with nothing written on them: any OCR text here is junk.</summary>
    public static IReadOnlyList<RealFrameSpec> TextFree { get; } =
    [
        // Not 20-30 s: the intro card ("The Peach Open Movie Project presents") and the title; not issue-195 (a BBC FOUR logo).
        .. new[] { 1.0, 4, 7, 10, 13, 16, 19 }.Select(t => new RealFrameSpec("video/big_buck_bunny_0_30.webm", t, "")),
        .. new[] { "chelsea.png", "coffee.png", "horse.png", "hubble_deep_field.jpg", "ihc.png", "camera.png" }
            .Select(f => new RealFrameSpec("images/skimage/" + f, 0, "")),
    ];

    public static async Task<GreyImage> RenderAsync(string mediaDir, RealFrameSpec spec, string cacheDir, CancellationToken ct = default)
    {
        Directory.CreateDirectory(cacheDir);
        var png = Path.Combine(cacheDir, $"real-{spec.Name}.png");
        if (!System.IO.File.Exists(png))
        {
            var src = Path.Combine(mediaDir, spec.File);
            var seek = spec.Seconds > 0 ? new[] { "-ss", spec.Seconds.ToString("0.###", CultureInfo.InvariantCulture) } : [];
            await CaptionFrameGenerator.RunFfmpegAsync(["-hide_banner", "-loglevel", "error", "-nostdin", .. seek, "-i", src,
                "-vf", "scale='min(1280,iw)':-2:flags=area,setsar=1", "-frames:v", "1", "-y", png], ct);
        }
        return await StillImageDecoder.ReadGreyAsync(png, 1280, ct);
    }
}
