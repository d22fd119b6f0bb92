using MultiModalIndexer.Media;
using MultiModalIndexer.Tests.Common;
using static MultiModalIndexer.Tests.Media.MediaFixtures;

namespace MultiModalIndexer.Tests.Media;

[Collection("media")]
public sealed class MediaIoTests
{
    private readonly MediaOptions _o = new();

    [Fact]
    public async Task Probe_RealClip_TypedInfo()
    {
        var info = await new MediaProbe(_o).ProbeAsync(Video("big_buck_bunny_0_30.webm"));
        Assert.Contains("webm", info.Container);
        Assert.InRange(info.Duration, 29.5, 30.5);
        Assert.Equal((1280, 720, "vp8"), (info.Video!.Width, info.Video.Height, info.Video.Codec));
        Assert.Equal(24, info.Video.Fps, 2);
        Assert.False(info.Video.VariableFrameRate);
        Assert.Equal("vorbis", info.Audio!.Codec);
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task Probe_RotationMetadata_SizeSwapped_AndFramesComeOutRotated()
    {
        var src = await LavfiAsync("rot_src.mp4", "testsrc2=s=320x240:r=25:d=2", "-c:v", "libx264", "-preset", "ultrafast");
        var path = Path.Combine(Dir, "rotated.mp4");
        if (!File.Exists(path))
            await RunAsync("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", src, "-c", "copy", "-metadata:s:v:0", "rotate=90", path]);
        var info = await new MediaProbe(_o).ProbeAsync(path);
        Assert.Contains(info.Video!.Rotation, new[] { 90, 270 });
        Assert.Equal((240, 320), (info.Video.Width, info.Video.Height));
        // The frames OCR reads come out upright, in the rotated shape.
        var frames = await ToListAsync(new TextFrameSampler(_o).SampleAsync(info));
        Assert.Equal((240, 320), (frames[0].Width, frames[0].Height));
        Assert.Equal(240 * 320, frames[0].Pixels.Length);
    }

    [Fact]
    public async Task Keyframes_OneDecode_ClipInputAndJpegForEachKeyframe()
    {
        var (info, shots) = await AnalyzeAsync(await KnownEditAsync());
        var frames = await ToListAsync(new KeyframeExtractor(_o).ExtractAsync(info, shots.Segments));
        Assert.Equal(shots.Segments.Sum(s => s.KeyframeTimes.Count), frames.Count);
        foreach (var f in frames)
        {
            Assert.Equal(224 * 224 * 3, f.ClipRgb.Length);
            Assert.True(f.ThumbnailJpeg.Length > 100 && f.ThumbnailJpeg[0] == 0xFF && f.ThumbnailJpeg[1] == 0xD8);
        }
        // The last segment is a flat blue card: its CLIP input is blue-dominant; the first (testsrc2) is not flat.
        var last = frames.Last(f => f.SegmentOrdinal == shots.Segments[^1].Ordinal).ClipRgb;
        Assert.True(last[224 * 3 * 5 + 2] > last[224 * 3 * 5] + 40, "expected a blue pixel in the colour card");
        var first = frames.First().ClipRgb;
        Assert.True(first.Distinct().Count() > 50);
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task Keyframes_AnamorphicSource_StretchedToItsDisplayShape()
    {
        // 320x180 stored with 2:1 pixels = 640x180 on screen; the left 30 % of the picture is red.
        var path = await LavfiAsync("anamorphic2.mp4", "color=c=red:s=96x180:r=25:d=2[l];color=c=blue:s=224x180:r=25:d=2[r];[l][r]hstack,setsar=2,format=yuv420p",
            "-c:v", "libx264", "-preset", "veryfast");
        var info = await new MediaProbe(_o).ProbeAsync(path);
        Assert.Equal(2.0, info.Video!.PixelAspect, 3);
        Assert.Equal((640, 180), (info.Video.DisplayWidth, info.Video.DisplayHeight));
        var frames = await ToListAsync(new KeyframeExtractor(_o).ExtractAsync(info, [new SegmentSpan(0, 0, 2, [1.0])]));
        var f = Assert.Single(frames);
        var text = await ToListAsync(new TextFrameSampler(_o).SampleAsync(info));
        Assert.Equal((640, 180), (text[0].Width, text[0].Height));
        // CLIP: 640x180 -> 796x224, centre crop from x=286: the red part (x < 239) is outside it. Read
        // with square pixels instead (398x224, crop from x=87), the crop's first 32 columns would be red.
        var row = 112 * 224 * 3;
        Assert.True(f.ClipRgb[row + 5 * 3 + 2] > 200 && f.ClipRgb[row + 5 * 3] < 60, "column 5 of the CLIP input should be blue");
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task Audio_16kMonoFloat_StreamedInChunks()
    {
        var chunks = await ToListAsync(new AudioReader(_o).ReadPcm16kMonoAsync(await KnownEditAsync()));
        Assert.True(chunks.Count >= 13, $"{chunks.Count} chunks");
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(16000, c.Length));
        var total = chunks.Sum(c => c.Length);
        Assert.InRange(total, 13.5 * 16000, 14.5 * 16000);
        var rms = Math.Sqrt(chunks[3].Average(s => (double)s * s));
        Assert.InRange(rms, 0.05, 1.0); // a 440 Hz sine, not silence
        var jfk = await ToListAsync(new AudioReader(_o).ReadPcm16kMonoAsync(TestPaths.SharedFile("media", "audio", "jfk.wav")));
        Assert.InRange(jfk.Sum(c => c.Length), 10.5 * 16000, 11.5 * 16000);
    }

    [Fact]
    public async Task Audio_VideoWithoutAudio_NoAudioStream()
    {
        var e = await Assert.ThrowsAsync<MediaException>(async () =>
            await ToListAsync(new AudioReader(_o).ReadPcm16kMonoAsync(Video("testvideo.mp4"))));
        Assert.Equal(MediaErrorKind.NoAudioStream, e.Kind);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(3)]
    public async Task StillImage_ExifOrientation_TurnedUpright(int orientation)
    {
        // 64x32 stored: red left half, blue right half. EXIF 6 = turn 90 degrees clockwise to view, so
        // upright it is 32x64 with red on top; 8 (counter-clockwise) puts blue on top; 3 (180) blue left.
        var plain = await LavfiAsync("halves.jpg", "color=c=red:s=32x32[l];color=c=blue:s=32x32[r];[l][r]hstack,format=yuvj420p", "-frames:v", "1");
        var path = Path.Combine(TestPaths.NewScratchDir("exif"), $"o{orientation}.jpg");
        await File.WriteAllBytesAsync(path, WithExifOrientation(await File.ReadAllBytesAsync(plain), orientation));
        var reader = new StillImageReader(_o);
        var (grey, w, h) = await reader.ReadGreyAsync(path);
        Assert.Equal(orientation is 6 or 8 ? (32, 64) : (64, 32), (w, h));
        var rgb = await reader.ReadClipRgbAsync(path);
        bool Red(int x, int y) => rgb[(y * 224 + x) * 3] > 200 && rgb[(y * 224 + x) * 3 + 2] < 60;
        bool Blue(int x, int y) => rgb[(y * 224 + x) * 3 + 2] > 200 && rgb[(y * 224 + x) * 3] < 60;
        switch (orientation)
        {
            case 1: Assert.True(Red(20, 112) && Blue(200, 112)); break;
            case 3: Assert.True(Blue(20, 112) && Red(200, 112)); break;
            case 6: Assert.True(Red(112, 20) && Blue(112, 200)); break;
            case 8: Assert.True(Blue(112, 20) && Red(112, 200)); break;
        }
        Assert.Equal(grey.Length, w * h);
        await AssertNoChildToolsAsync();
    }

    /// <summary>A JPEG with an APP1 Exif segment holding only IFD0's Orientation tag (what phone cameras write).</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] exif = [.. "Exif\0\0"u8, .. tiff];
        var len = exif.Length + 2;
        return [jpeg[0], jpeg[1], 0xFF, 0xE1, (byte)(len >> 8), (byte)len, .. exif, .. jpeg.AsSpan(2)];
    }

    [Fact]
    public async Task StillImage_ClipInputAndGrey()
    {
        var reader = new StillImageReader(_o);
        var astronaut = TestPaths.SharedFile("media", "images", "skimage", "astronaut.png");
        var rgb = await reader.ReadClipRgbAsync(astronaut);
        Assert.Equal(224 * 224 * 3, rgb.Length);
        var (grey, w, h) = await reader.ReadGreyAsync(astronaut);
        Assert.Equal((512, 512), (w, h));
        Assert.Equal(512 * 512, grey.Length);
        var (_, w2, h2) = await reader.ReadGreyAsync(TestPaths.SharedFile("media", "images", "darknet", "kite.jpg"), 1000);
        Assert.Equal(1000, Math.Max(w2, h2));
        var text = Path.Combine(TestPaths.NewScratchDir("still"), "notes.png");
        await File.WriteAllTextAsync(text, "just text, not a picture\n");
        await Assert.ThrowsAsync<MediaException>(() => reader.ReadClipRgbAsync(text));
        await AssertNoChildToolsAsync();
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var x in items) list.Add(x);
        return list;
    }
}
