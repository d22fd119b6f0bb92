using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MultiModalIndexer.Tests.Fixtures;

/// <summary>One burned-in subtitle line of a generated clip.</summary>
public sealed record SubtitleLine(string Clip, string Text, double Start, double End, bool Chinese);

/// <summary>A generated subtitled clip and its subtitle lines.</summary>
public sealed record SubtitledClip(string Path, IReadOnlyList<SubtitleLine> Lines, double Duration);

/// <summary>
/// Subtitled clips of the kind real burned-in subtitles are: ffmpeg's <c>subtitles</c> filter over an SRT
/// whose lines change every 2.4-4 s independently of the cuts, white text with a black outline, no box,
/// bottom centre, over moving generated backgrounds (testsrc2, mandelbrot, life, cellauto) with hard cuts,
/// H.264 CRF 28 at 640x360, quiet pink-noise AAC audio (so a speech stage has audio to scan);
/// English with DejaVu Sans, Chinese with WenQuanYi Zen Hei. Deterministic per
/// seed; cached by name under the given folder (shared by the tests and the bench).
/// </summary>
public static class SubtitledClips
{
    public const string Version = "sub-v2";

    private static readonly string[] EnglishWords =
    [
        "harbor", "lantern", "velvet", "orbit", "meadow", "canyon", "copper", "silver", "thunder", "marble", "garden", "rocket",
        "forest", "winter", "summer", "violet", "amber", "falcon", "island", "river", "castle", "bridge", "window", "mirror",
        "candle", "shadow", "pocket", "ticket", "basket", "hammer", "ladder", "engine", "planet", "comet", "desert", "valley",
        "village", "market", "station", "captain", "doctor", "teacher", "farmer", "painter", "dancer", "singer", "sailor", "pilot",
        "yellow", "purple", "orange", "crimson", "golden", "frozen", "hidden", "broken", "gentle", "bright", "quiet", "rapid",
        "morning", "evening", "midnight", "holiday", "journey", "letter", "promise", "secret", "signal", "answer", "question", "reason",
        "coffee", "pepper", "honey", "butter", "cherry", "melon", "lemon", "ginger", "walnut", "cookie", "noodle", "pickle",
        "tiger", "rabbit", "monkey", "turtle", "parrot", "salmon", "spider", "beetle", "donkey", "kitten", "puppy", "pigeon",
        "museum", "library", "theater", "stadium", "temple", "airport", "harvest", "festival", "concert", "circus", "parade", "picnic",
    ];

    // Common Han characters (simplified), no repeats within a line's generator draw.
    private const string Han =
        "我们今天下午开会讨论新的计划明年春天公司准备去北京上海广州旅游学习工作生活城市发展经济文化历史音乐电影" +
        "朋友家庭孩子老师学生医生农民工人天气晴朗雨雪山水花草树木动物猫狗鸟鱼马牛羊书报纸电话电脑手机汽车火车飞机" +
        "早晨中午晚上星期月份时间地方问题办法意见希望成功失败快乐安静美丽重要简单困难容易开始结束";

    private static readonly string[] Backgrounds =
    [
        "testsrc2=s=640x360:r=25",
        "mandelbrot=s=640x360:r=25",
        "life=s=640x360:r=25:mold=10:ratio=0.12:seed=7:death_color=#203040:life_color=#c08040",
        "cellauto=s=640x360:r=25:rule=110:seed=7",
        "testsrc=s=640x360:r=25",
    ];

    /// <summary>The clip named <paramref name="name"/> in <paramref name="dir"/> (made when missing).</summary>
    public static SubtitledClip Make(string dir, string name, bool chinese, int seed, double seconds)
    {
        var rng = new Random(seed);
        var lines = new List<SubtitleLine>();
        var path = Path.Combine(dir, name);
        double t = 0.6 + rng.NextDouble();
        while (t < seconds - 2.5)
        {
            var dur = 2.4 + rng.NextDouble() * 1.6;
            var end = Math.Min(seconds - 0.2, t + dur);
            lines.Add(new SubtitleLine(path, chinese ? HanLine(rng) : EnglishLine(rng), Math.Round(t, 2), Math.Round(end, 2), chinese));
            // Mostly back to back, sometimes a short pause between lines.
            t = end + (rng.NextDouble() < 0.3 ? 0.3 + rng.NextDouble() * 0.7 : 0.04);
        }
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            Directory.CreateDirectory(dir);
            var srt = Path.Combine(dir, Path.GetFileNameWithoutExtension(name) + ".srt");
            File.WriteAllText(srt, Srt(lines), new UTF8Encoding(false));
            // Cuts every 3.5-7 s between moving backgrounds, independent of the subtitle times.
            var parts = new List<(string Src, double Dur)>();
            double c = 0;
            while (c < seconds)
            {
                var d = Math.Min(seconds - c, 3.5 + rng.NextDouble() * 3.5);
                if (seconds - c - d < 1) d = seconds - c;
                parts.Add((Backgrounds[rng.Next(Backgrounds.Length)], d));
                c += d;
            }
            var args = new List<string> { "-y", "-v", "error" };
            foreach (var (src, _) in parts)
                args.AddRange(["-f", "lavfi", "-i", src]);
            var secs = seconds.ToString("0.###", CultureInfo.InvariantCulture);
            args.AddRange(["-f", "lavfi", "-i", $"anoisesrc=color=pink:amplitude=0.03:sample_rate=16000:seed={seed}:d={secs}"]);
            var font = chinese ? "WenQuanYi Zen Hei" : "DejaVu Sans";
            var style = $"FontName={font},FontSize=20,PrimaryColour=&H00FFFFFF,OutlineColour=&H00000000,BorderStyle=1,Outline=1.5,Shadow=0,Alignment=2,MarginV=16";
            var graph = string.Concat(parts.Select((p, i) =>
                    $"[{i}:v]trim=duration={p.Dur.ToString("0.###", CultureInfo.InvariantCulture)},setpts=PTS-STARTPTS,format=yuv420p,setsar=1[p{i}];"))
                + string.Concat(parts.Select((_, i) => $"[p{i}]")) + $"concat=n={parts.Count}:v=1:a=0[bg];"
                + $"[bg]subtitles=filename='{srt}':force_style='{style}'[v]";
            var tmp = path + ".tmp.mp4";
            args.AddRange(["-filter_complex", graph, "-map", "[v]", "-map", $"{parts.Count}:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k", "-t", secs, tmp]);
            Run("ffmpeg", args);
            File.Move(tmp, path, overwrite: true);
        }
        return new SubtitledClip(path, lines, seconds);
    }

    /// <summary>The standard set: <paramref name="perLanguage"/> English and as many Chinese clips.</summary>
    public static IReadOnlyList<SubtitledClip> StandardSet(string dir, int perLanguage = 3, double seconds = 30)
    {
        var list = new List<SubtitledClip>();
        for (var i = 0; i < perLanguage; i++)
        {
            list.Add(Make(dir, $"{Version}-en-{i}.mp4", chinese: false, seed: 1000 + i, seconds));
            list.Add(Make(dir, $"{Version}-zh-{i}.mp4", chinese: true, seed: 2000 + i, seconds));
        }
        return list;
    }

    /// <summary>A query fragment of a line: 3-5 consecutive words, or 3-6 consecutive Han characters.</summary>
    public static string Fragment(SubtitleLine line, int seed)
    {
        var rng = new Random(seed);
        if (line.Chinese)
        {
            var n = Math.Min(line.Text.Length, 3 + rng.Next(4));
            return line.Text.Substring(rng.Next(line.Text.Length - n + 1), n);
        }
        var words = line.Text.Split(' ');
        var k = Math.Min(words.Length, 3 + rng.Next(3));
        return string.Join(' ', words.Skip(rng.Next(words.Length - k + 1)).Take(k));
    }

    private static string EnglishLine(Random rng)
    {
        var n = 5 + rng.Next(3);
        var words = new List<string>();
        while (words.Count < n)
        {
            var w = EnglishWords[rng.Next(EnglishWords.Length)];
            if (!words.Contains(w)) words.Add(w);
        }
        return string.Join(' ', words);
    }

    private static string HanLine(Random rng)
    {
        var n = 8 + rng.Next(4);
        var sb = new StringBuilder();
        while (sb.Length < n)
        {
            var ch = Han[rng.Next(Han.Length)];
            if (sb.ToString().IndexOf(ch) < 0) sb.Append(ch);
        }
        return sb.ToString();
    }

    private static string Srt(List<SubtitleLine> lines)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
            sb.Append(i + 1).Append('\n').Append(Ts(lines[i].Start)).Append(" --> ").Append(Ts(lines[i].End)).Append('\n')
                .Append(lines[i].Text).Append("\n\n");
        return sb.ToString();

        static string Ts(double s)
        {
            var ts = TimeSpan.FromSeconds(s);
            return FormattableString.Invariant($"{(int)ts.TotalHours:00}:{ts.Minutes:00}:{ts.Seconds:00},{ts.Milliseconds:000}");
        }
    }

    private static void Run(string tool, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(300_000)) { p.Kill(true); throw new TimeoutException($"{tool} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {err.Result}");
    }
}
