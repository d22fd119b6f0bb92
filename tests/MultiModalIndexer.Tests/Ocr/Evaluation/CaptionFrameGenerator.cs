using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Inference.Ocr.Evaluation;

/// <summary>Background of a generated caption frame.</summary>
internal enum CaptionBackground { Photo, TestSrc2, Mandelbrot, Life, Flat }

/// <summary>How the caption is drawn: bare text, text with a dark outline, on a dark box, or with a drop shadow.</summary>
internal enum CaptionStyle { Plain, Outline, Box, Shadow }

/// <summary>One generated frame: background, caption and its look.</summary>
internal sealed record CaptionFrameSpec(
    string Text,
    CaptionBackground Background,
    CaptionStyle Style,
    int FontSize,
    string Y,
    string X = "(w-tw)/2",
    string? PhotoPath = null,
    string FontColor = "white",
    string FlatColor = "0x204060",
    bool Chinese = false,
    int Width = 1280,
    int Height = 720)
{
    public string Name => $"{Background}-{Style}-{FontSize}-{(Chinese ? "zh" : "en")}";
}

/// <summary>
/// Builds caption frames like burned-in video subtitles with ffmpeg drawtext (DejaVu for English,
/// WenQuanYi Zen Hei for Chinese) over photos, moving test patterns and flat colour, as 8-bit grey.
/// Frames are cached by content hash so repeated test/bench runs do not re-run ffmpeg.
/// </summary>
internal static class CaptionFrameGenerator
{
    public const string LatinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    public const string CjkFont = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

    /// <summary>The standard evaluation set: 16 frames, half English half Chinese, every background and style.</summary>
    public static IReadOnlyList<CaptionFrameSpec> StandardSet(string imagesDir)
    {
        string Photo(string rel) => Path.Combine(imagesDir, rel);
        var photos = new[]
        {
            Photo("darknet/dog.jpg"), Photo("skimage/astronaut.png"), Photo("darknet/kite.jpg"), Photo("skimage/coffee.png"),
            Photo("darknet/giraffe.jpg"), Photo("darknet/horses.jpg"), Photo("skimage/chelsea.png"), Photo("darknet/scream.jpg"),
        };
        var en = new[]
        {
            "The quick brown fox jumps over the lazy dog",
            "Welcome to the annual science conference",
            "Breaking news: heavy rain expected tonight",
            "Chapter three begins at the old harbour",
            "Please remember to save your work often",
            "Our team won the championship final",
            "Temperatures will drop below zero on Monday",
            "Thank you for watching and see you soon",
        };
        var zh = new[]
        {
            "今天天气很好我们去公园散步",
            "欢迎收看本期科技新闻节目",
            "这是一个用于测试的视频字幕",
            "人工智能正在改变我们的生活",
            "请大家注意安全遵守交通规则",
            "明天上午九点在会议室开会",
            "北京的秋天是最美丽的季节",
            "谢谢观看我们下次再见",
        };
        var list = new List<CaptionFrameSpec>();
        var backgrounds = new[] { CaptionBackground.Photo, CaptionBackground.TestSrc2, CaptionBackground.Photo, CaptionBackground.Mandelbrot,
            CaptionBackground.Photo, CaptionBackground.Life, CaptionBackground.Photo, CaptionBackground.Flat };
        var styles = new[] { CaptionStyle.Plain, CaptionStyle.Outline, CaptionStyle.Box };
        var sizes = new[] { 28, 36, 48, 64, 32, 40, 56, 30 };
        var ys = new[] { "h-th-40", "40", "h-th-80", "(h-th)/2", "h-th-30", "60", "h-th-60", "h*0.7" };
        for (var i = 0; i < 8; i++)
        {
            var bg = backgrounds[i];
            list.Add(new CaptionFrameSpec(en[i], bg, styles[i % 3], sizes[i], ys[i],
                X: i % 4 == 1 ? "60" : "(w-tw)/2", PhotoPath: bg == CaptionBackground.Photo ? photos[i] : null));
            var bz = backgrounds[(i + 3) % 8];
            list.Add(new CaptionFrameSpec(zh[i], bz, styles[(i + 1) % 3], sizes[(i + 3) % 8], ys[(i + 2) % 8],
                PhotoPath: bz == CaptionBackground.Photo ? photos[(i + 4) % 8] : null, Chinese: true, FlatColor: "0x603020"));
        }
        return list;
    }

    /// <summary>
    /// A second, held-out set for judging whether a change generalises: other photos, texts, sizes
    /// (24–64 px), positions and a drop-shadow style, none of them tuned on. Not what the recall test
    /// asserts; report it separately.
    /// </summary>
    public static IReadOnlyList<CaptionFrameSpec> ExtendedSet(string imagesDir)
    {
        string Photo(string rel) => Path.Combine(imagesDir, rel);
        var photos = new[]
        {
            Photo("darknet/eagle.jpg"), Photo("skimage/camera.png"), Photo("darknet/person.jpg"), Photo("skimage/coins.png"),
            Photo("skimage/grass.png"), Photo("skimage/motorcycle_left.png"), Photo("skimage/rocket.jpg"), Photo("skimage/gravel.png"),
        };
        var en = new[]
        {
            "Traffic is moving slowly on the northern bridge",
            "Scientists discovered a new species of frog",
            "The market closed higher for the third day",
            "Tickets are available from the front desk",
            "Snow will cover the mountains by Friday night",
            "Visit our website for more information",
            "The museum reopens next spring after repairs",
            "Players gathered early before the big match",
        };
        var zh = new[]
        {
            "春节期间火车票非常紧张",
            "记者从现场发回最新报道",
            "这座城市有着悠久的历史",
            "科学家发现了一种新的植物",
            "下周将有一场大雨降临",
            "感谢各位观众朋友的支持",
            "学校明天开始放暑假",
            "电影将于下个月正式上映",
        };
        var backgrounds = new[] { CaptionBackground.Photo, CaptionBackground.Photo, CaptionBackground.TestSrc2, CaptionBackground.Photo,
            CaptionBackground.Life, CaptionBackground.Photo, CaptionBackground.Mandelbrot, CaptionBackground.Flat };
        var styles = new[] { CaptionStyle.Shadow, CaptionStyle.Plain, CaptionStyle.Box, CaptionStyle.Outline };
        var sizes = new[] { 24, 44, 34, 60, 26, 38, 52, 30 };
        var ys = new[] { "h-th-50", "h-th-20", "80", "h-th-100", "(h-th)/3", "h-th-45", "20", "h*0.8" };
        var xs = new[] { "(w-tw)/2", "40", "(w-tw)/2", "w-tw-40" };
        var list = new List<CaptionFrameSpec>();
        for (var i = 0; i < 8; i++)
        {
            var bg = backgrounds[i];
            list.Add(new CaptionFrameSpec(en[i], bg, styles[i % 4], sizes[i], ys[i], X: xs[i % 4],
                PhotoPath: bg == CaptionBackground.Photo ? photos[i] : null, FlatColor: "0x406080"));
            var bz = backgrounds[(i + 5) % 8];
            list.Add(new CaptionFrameSpec(zh[i], bz, styles[(i + 2) % 4], sizes[(i + 5) % 8], ys[(i + 3) % 8], X: xs[(i + 1) % 4],
                PhotoPath: bz == CaptionBackground.Photo ? photos[(i + 3) % 8] : null, Chinese: true, FlatColor: "0x305030"));
        }
        return list;
    }

    public static async Task<GreyImage> RenderAsync(CaptionFrameSpec spec, string cacheDir, CancellationToken ct = default)
    {
        Directory.CreateDirectory(cacheDir);
        // The render version is part of the key: v2 seeds the "life" pattern, which was random per render.
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("v2:" + spec)))[..16];
        var cached = Path.Combine(cacheDir, $"{spec.Name}-{key}.gray");
        var size = spec.Width * spec.Height;
        if (File.Exists(cached) && new FileInfo(cached).Length == size)
            return new GreyImage(await File.ReadAllBytesAsync(cached, ct), spec.Width, spec.Height);

        var textFile = Path.Combine(cacheDir, $"{key}.txt");
        await File.WriteAllTextAsync(textFile, spec.Text, new UTF8Encoding(false), ct);
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin" };
        var (w, h) = (spec.Width, spec.Height);
        string scale = $"scale={w}:{h}";
        switch (spec.Background)
        {
            case CaptionBackground.Photo:
                args.AddRange(["-i", spec.PhotoPath ?? throw new ArgumentException("Photo background needs PhotoPath.")]);
                break;
            case CaptionBackground.TestSrc2:
                args.AddRange(["-f", "lavfi", "-i", $"testsrc2=s={w}x{h}:r=25", "-ss", "1.3"]);
                break;
            case CaptionBackground.Mandelbrot:
                args.AddRange(["-f", "lavfi", "-i", $"mandelbrot=s={w}x{h}:r=25", "-ss", "2"]);
                break;
            case CaptionBackground.Life:
                args.AddRange(["-f", "lavfi", "-i", $"life=s={w / 4}x{h / 4}:r=25:mold=10:ratio=0.3:seed=7:life_color=#e0e0e0:death_color=#303050", "-ss", "1"]);
                scale = $"scale={w}:{h}:flags=neighbor";
                break;
            case CaptionBackground.Flat:
                args.AddRange(["-f", "lavfi", "-i", $"color=c={spec.FlatColor}:s={w}x{h}:r=25"]);
                break;
        }
        var font = spec.Chinese ? CjkFont : LatinFont;
        var style = spec.Style switch
        {
            CaptionStyle.Outline => ":borderw=3:bordercolor=black",
            CaptionStyle.Box => ":box=1:boxcolor=black@0.65:boxborderw=12",
            CaptionStyle.Shadow => ":shadowcolor=black@0.8:shadowx=3:shadowy=3",
            _ => "",
        };
        var draw = string.Create(CultureInfo.InvariantCulture,
            $"drawtext=fontfile={font}:textfile={textFile}:fontsize={spec.FontSize}:fontcolor={spec.FontColor}:x={spec.X}:y={spec.Y}{style}");
        args.AddRange(["-vf", $"{scale},setsar=1,{draw}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"]);
        var bytes = await RunFfmpegAsync(args, ct);
        if (bytes.Length != size) throw new InvalidOperationException($"ffmpeg made {bytes.Length} bytes for {spec.Name}, expected {size}.");
        await File.WriteAllBytesAsync(cached, bytes, ct);
        File.Delete(textFile);
        return new GreyImage(bytes, w, h);
    }

    /// <summary>
    /// The same frame as OCR sees it in a user's video: the generated grey frame encoded with libx264
    /// (yuv420p, CRF <paramref name="crf"/>, preset medium) as a one-frame clip, so an I-frame, and
    /// decoded back to grey the way KeyframeExtractor does (area scale to the OCR size, format=gray).
    /// The caption keeps its own level (235 over the lavfi sources, 255 over photos), so ringing can
    /// overshoot it as it does for off-white captions. An I-frame is the mildest frame type at a given
    /// CRF (P/B frames sit a few QP higher), so CRF 28 stands in for the P-frames of a CRF 23 video.
    /// One encoder thread keeps the bitstream, and so the test, deterministic.
    /// </summary>
    public static async Task<GreyImage> RenderCompressedAsync(CaptionFrameSpec spec, string cacheDir, int crf, CancellationToken ct = default)
    {
        var frame = await RenderAsync(spec, cacheDir, ct);
        var (w, h) = (frame.Width, frame.Height);
        var key = Convert.ToHexString(SHA256.HashData(frame.Pixels))[..16];
        var name = string.Create(CultureInfo.InvariantCulture, $"{spec.Name}-{key}-crf{crf}");
        var cached = Path.Combine(cacheDir, name + ".gray");
        if (File.Exists(cached) && new FileInfo(cached).Length == w * h)
            return new GreyImage(await File.ReadAllBytesAsync(cached, ct), w, h);

        var raw = Path.Combine(cacheDir, name + ".raw");
        var h264 = Path.Combine(cacheDir, name + ".h264");
        byte[] bytes;
        try
        {
            await File.WriteAllBytesAsync(raw, frame.Pixels, ct);
            var stream = await RunFfmpegAsync(["-hide_banner", "-loglevel", "error", "-nostdin", "-f", "rawvideo", "-pix_fmt", "gray",
                "-s", $"{w}x{h}", "-i", raw, "-vf", "format=yuv420p", "-c:v", "libx264", "-preset", "medium",
                "-crf", crf.ToString(CultureInfo.InvariantCulture), "-threads", "1", "-f", "h264", "-"], ct);
            await File.WriteAllBytesAsync(h264, stream, ct);
            bytes = await RunFfmpegAsync(["-hide_banner", "-loglevel", "error", "-nostdin", "-i", h264,
                "-vf", $"scale={w}:{h}:flags=area,setsar=1,format=gray", "-frames:v", "1", "-f", "rawvideo", "-"], ct);
        }
        finally
        {
            File.Delete(raw);
            File.Delete(h264);
        }
        if (bytes.Length != w * h) throw new InvalidOperationException($"ffmpeg decoded {bytes.Length} bytes for {name}, expected {w * h}.");
        await File.WriteAllBytesAsync(cached, bytes, ct);
        return new GreyImage(bytes, w, h);
    }

    /// <summary>Generated frames go through the media stage's one ffmpeg runner (timeout, kill on cancel, typed errors).</summary>
    internal static Task<byte[]> RunFfmpegAsync(IEnumerable<string> args, CancellationToken ct) =>
        FfmpegProcess.RunToBytesAsync("ffmpeg", args, "generated caption frame", TimeSpan.FromSeconds(60), logger: null, ct);
}
