using MultiModalIndexer.Media;
using MultiModalIndexer.Tests.Common;
using static MultiModalIndexer.Tests.Media.MediaFixtures;
using static MultiModalIndexer.Tests.Media.MediaIoTests;

namespace MultiModalIndexer.Tests.Media;

/// <summary>Every bad input gives correct results or one MediaException with a one-line reason; never a hang or a leaked ffmpeg.</summary>
[Collection("media")]
public sealed class BadInputTests
{
    private readonly MediaOptions _o = new();

    /// <summary>Runs the whole media path; returns the error if one was thrown (only MediaException is allowed).</summary>
    private async Task<MediaException?> FullPathAsync(string path)
    {
        try
        {
            var info = await new MediaProbe(_o).ProbeAsync(path);
            if (info.Video is not null)
            {
                var shots = await new ShotDetector(_o).AnalyzeAsync(info);
                Assert.NotEmpty(shots.Segments);
                var frames = await ToListAsync(new KeyframeExtractor(_o).ExtractAsync(info, shots.Segments));
                Assert.Equal(shots.Segments.Sum(s => s.KeyframeTimes.Count), frames.Count);
            }
            if (info.Audio is not null) Assert.NotEmpty(await ToListAsync(new AudioReader(_o).ReadPcm16kMonoAsync(path)));
            return null;
        }
        catch (MediaException e)
        {
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            return e;
        }
        finally
        {
            await AssertNoChildToolsAsync();
        }
    }

    private static string Scratch(string name) => Path.Combine(TestPaths.NewScratchDir("bad"), name);

    [Fact]
    public async Task ZeroByteFile_Empty()
    {
        var p = Scratch("zero.mp4");
        await File.WriteAllBytesAsync(p, []);
        Assert.Equal(MediaErrorKind.Empty, (await FullPathAsync(p))!.Kind);
    }

    [Fact]
    public async Task MissingFileAndBrokenSymlink_NotFound()
    {
        Assert.Equal(MediaErrorKind.NotFound, (await FullPathAsync(Scratch("missing.mp4")))!.Kind);
        var link = Scratch("broken.mp4");
        File.CreateSymbolicLink(link, "/nonexistent/target.mp4");
        Assert.Equal(MediaErrorKind.NotFound, (await FullPathAsync(link))!.Kind);
    }

    [Fact]
    public async Task RandomBytes_OneMediaException()
    {
        var p = Scratch("random.mp4");
        var bytes = new byte[200_000];
        new Random(42).NextBytes(bytes);
        await File.WriteAllBytesAsync(p, bytes);
        Assert.NotNull(await FullPathAsync(p));
    }

    [Fact]
    public async Task TextFileAndPngWithVideoExtension_NotMedia()
    {
        var text = Scratch("notes.mp4");
        await File.WriteAllTextAsync(text, "this is a text file, not a video\n");
        Assert.Equal(MediaErrorKind.NotMedia, (await FullPathAsync(text))!.Kind);
        var png = Scratch("picture.mkv");
        File.Copy(TestPaths.SharedFile("media", "images", "skimage", "astronaut.png"), png);
        Assert.Equal(MediaErrorKind.NotMedia, (await FullPathAsync(png))!.Kind);
    }

    [Fact]
    public async Task TruncatedAndCorruptedMp4_CorrectOrOneError()
    {
        var good = await File.ReadAllBytesAsync(await KnownEditAsync());
        var truncated = Scratch("truncated.mp4");
        await File.WriteAllBytesAsync(truncated, good[..(good.Length * 2 / 5)]);
        var e = await FullPathAsync(truncated);
        Assert.NotNull(e); // moov is at the end: nothing to read
        var corrupted = Scratch("corrupted.mp4");
        var bad = (byte[])good.Clone();
        new Random(7).NextBytes(bad.AsSpan(bad.Length / 4, bad.Length / 4));
        await File.WriteAllBytesAsync(corrupted, bad);
        await FullPathAsync(corrupted); // either decodes what it can or one MediaException
    }

    [Fact]
    public async Task AudioOnly_ProbesAndReadsAudio_ShotsSayNoVideo()
    {
        var p = await LavfiAsync("audio_only.m4a", "sine=f=300:d=3", "-c:a", "aac");
        Assert.Null(await FullPathAsync(p));
        var info = await new MediaProbe(_o).ProbeAsync(p);
        Assert.Null(info.Video);
        Assert.NotNull(info.Audio);
        var e = await Assert.ThrowsAsync<MediaException>(() => new ShotDetector(_o).AnalyzeAsync(info));
        Assert.Equal(MediaErrorKind.NoVideoStream, e.Kind);
    }

    [Fact]
    public async Task TinyClipAndTinyFrame_OneSegment()
    {
        var short02 = await LavfiAsync("short_0.2s.mp4", "testsrc2=s=320x180:r=25:d=0.2", "-c:v", "libx264", "-preset", "ultrafast");
        Assert.Null(await FullPathAsync(short02));
        var (info, shots) = await AnalyzeAsync(short02);
        Assert.InRange(info.Duration, 0.1, 0.3);
        Assert.Empty(shots.Cuts);
        Assert.Single(shots.Segments);

        var tiny = await LavfiAsync("tiny_18x10.mp4", "testsrc2=s=18x10:r=25:d=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p");
        Assert.Null(await FullPathAsync(tiny));
        var (ti, ts) = await AnalyzeAsync(tiny);
        var kf = await ToListAsync(new KeyframeExtractor(_o).ExtractAsync(ti, ts.Segments));
        Assert.Equal(224 * 224 * 3, kf[0].ClipRgb.Length);
        var text = await ToListAsync(new TextFrameSampler(_o).SampleAsync(ti));
        Assert.Equal((18, 10), (text[0].Width, text[0].Height));
    }

    [Fact]
    public async Task FourKFrame_TextFramesCappedAtMaxWidth()
    {
        var p = await LavfiAsync("uhd_4k.mp4", "testsrc2=s=3840x2160:r=5:d=1", "-c:v", "libx264", "-preset", "ultrafast");
        var (info, shots) = await AnalyzeAsync(p);
        Assert.Equal((3840, 2160), (info.Video!.Width, info.Video.Height));
        var kf = await ToListAsync(new KeyframeExtractor(_o).ExtractAsync(info, shots.Segments));
        Assert.Equal(224 * 224 * 3, kf[0].ClipRgb.Length);
        var text = await ToListAsync(new TextFrameSampler(_o).SampleAsync(info));
        Assert.Equal((960, 540), (text[0].Width, text[0].Height));
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task TenMinutesAt1Fps_SplitIntoSegmentsOfAtMost30s()
    {
        var p = await LavfiAsync("ten_min_1fps.mp4", "color=c=#406080:s=160x90:r=1:d=600", "-c:v", "libx264", "-preset", "ultrafast");
        var (info, shots) = await AnalyzeAsync(p);
        Assert.InRange(info.Duration, 599, 601);
        Assert.Empty(shots.Cuts);
        Assert.Equal(20, shots.Segments.Count);
        Assert.All(shots.Segments, s => Assert.InRange(s.Duration, 29.9, 30.1));
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task NamesWithSpacesNonAsciiAndSymlinks_Work()
    {
        var dir = TestPaths.NewScratchDir("names");
        var odd = Path.Combine(dir, "-my clip: 视频 ünïcødé #1.mp4");
        File.Copy(Video("autocut_test001.mp4"), odd);
        var (_, shots) = await AnalyzeAsync(odd);
        AssertCutNear(shots.Cuts, 5.09, 0.25);
        var link = Path.Combine(dir, "link to clip.mp4");
        File.CreateSymbolicLink(link, odd);
        var info = await new MediaProbe(_o).ProbeAsync(link);
        Assert.Equal(new FileInfo(odd).Length, info.SizeBytes);
        Assert.Null(await FullPathAsync(link));
    }

    [Fact]
    public async Task Timeout_KillsFfmpeg_TypedError()
    {
        var p = await LavfiAsync("ten_min_1fps.mp4", "color=c=#406080:s=160x90:r=1:d=600", "-c:v", "libx264", "-preset", "ultrafast");
        var info = await new MediaProbe(_o).ProbeAsync(p);
        var o = new MediaOptions { DecodeTimeoutSeconds = 0.001, DecodeTimeoutPerMediaSecond = 0 };
        var e = await Assert.ThrowsAsync<MediaException>(() => new ShotDetector(o).AnalyzeAsync(info));
        Assert.Equal(MediaErrorKind.Timeout, e.Kind);
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task Cancellation_KillsFfmpeg()
    {
        var info = await new MediaProbe(_o).ProbeAsync(Video("big_buck_bunny_0_30.webm"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ShotDetector(_o).AnalyzeAsync(info, cts.Token));
        using var cts2 = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await ToListAsync(new AudioReader(_o).ReadPcm16kMonoAsync(Video("big_buck_bunny_0_30.webm"), cts2.Token)));
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public void Options_DefaultsValid_BadValuesExplained()
    {
        Assert.Empty(new MediaOptions().Validate());
        var bad = new MediaOptions { MaxSegmentSeconds = 0.5, ConcurrentDecodeThreads = -1, Shots = { CutRatio = 0 } };
        var msgs = bad.Validate().ToList();
        Assert.Contains(msgs, m => m.Contains("MaxSegmentSeconds"));
        Assert.Contains(msgs, m => m.Contains("CutRatio"));
        Assert.Contains(msgs, m => m.Contains("Media:ConcurrentDecodeThreads"));
    }
}
