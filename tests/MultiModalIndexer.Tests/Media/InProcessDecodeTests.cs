using MultiModalIndexer.Media;
using static MultiModalIndexer.Tests.Media.MediaFixtures;

namespace MultiModalIndexer.Tests.Media;

/// <summary>
/// The analysis decode inside the process (libavcodec) must give exactly the frames, features and
/// shots of the ffmpeg command, split or not; where it cannot be sure, the command decodes.
/// </summary>
[Collection("media")]
public sealed class InProcessDecodeTests
{
    public static TheoryData<string, int> Files => new()
    {
        { "real:big_buck_bunny_0_30.webm", 1 },
        { "real:big_buck_bunny_0_30.webm", 2 },
        { "real:testvideo.mp4", 2 },
        { "real:issue-195-aspect-ratio.mp4", 2 },
        { "real:vsr_test2.mp4", 2 },
        { "real:fades.mp4", 1 },      // MPEG-4 part 2
        { "edit_split.mp4", 3 },      // H.264 with B-frames
        { "edit_split.mkv", 2 },
        { "edit_split.webm", 2 },     // VP9
    };

    private static async Task<string> PathOf(string file) => file switch
    {
        _ when file.StartsWith("real:", StringComparison.Ordinal) => Video(file["real:".Length..]),
        "edit_split.webm" => await EditAsync(file, "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k"),
        _ => await EditAsync(file, "libx264", "-preset", "veryfast"),
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task In_process_decode_gives_exactly_the_features_and_shots_of_the_ffmpeg_command(string file, int parts)
    {
        Assert.True(LibAv.Available, "the FFmpeg 5.x libraries (libavcodec59, installed with ffmpeg by ./mmi setup) should load");
        var path = await PathOf(file);
        var command = new MediaOptions { Shots = { InProcessDecode = false, DecodeParts = 1 } };
        var inProcess = new MediaOptions { Shots = { DecodeParts = parts, MinDecodePartSeconds = 3 } };
        var info = await new MediaProbe(command).ProbeAsync(path);
        var v = info.Video!;
        Assert.True(InProcessDecode.Qualifies(v, ShotDetector.AnalysisFps(v, inProcess.Shots), inProcess.Shots));

        // With copy-detection fingerprints taken as the frames pass, as the indexer runs it.
        var fingerprints = new FrameHashSampling(3, 4);
        var (expected, _) = await new ShotDetector(command) { Fingerprints = fingerprints }.DecodeFeaturesAsync(info, default);
        var (actual, usedParts) = await InProcessDecode.RunAsync(inProcess, info, v, ShotDetector.AnalysisFps(v, inProcess.Shots), null, default, fingerprints);
        Assert.Equal(parts, usedParts);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (a, b) = (expected[i], actual[i]);
            Assert.True(a.Time == b.Time && a.Luma == b.Luma && a.Content1 == b.Content1 && a.Content2 == b.Content2 && a.Copy == b.Copy
                        && a.Thumb.AsSpan().SequenceEqual(b.Thumb) && a.Hist.AsSpan().SequenceEqual(b.Hist),
                $"frame {i} differs: t {a.Time}/{b.Time} luma {a.Luma}/{b.Luma} c1 {a.Content1}/{b.Content1} c2 {a.Content2}/{b.Content2} hashes {a.Copy}/{b.Copy}");
        }
        // fades.mp4 has no frame with the contrast to hash; every other clip must have had samples to compare.
        if (file != "real:fades.mp4") Assert.Contains(actual, f => f.Copy is { Cropped: not 0 });
        Assert.Equal((await new ShotDetector(command).AnalyzeAsync(info)).Cuts, (await new ShotDetector(inProcess).AnalyzeAsync(info)).Cuts);
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task Leaves_to_the_command_what_its_fps_filter_or_range_conversion_would_change()
    {
        var o = new MediaOptions();
        async Task<bool> QualifiesAsync(string path)
        {
            var info = await new MediaProbe(o).ProbeAsync(path);
            return InProcessDecode.Qualifies(info.Video!, ShotDetector.AnalysisFps(info.Video!, o.Shots), o.Shots);
        }
        // Variable frame rate and a rate above the analysis cap: the fps filter resamples.
        Assert.False(await QualifiesAsync(Video("goldeneye-vfr-drop3.mp4")));
        Assert.False(await QualifiesAsync(await LavfiAsync("split_50fps.mp4", "testsrc2=s=160x90:r=50:d=20", "-c:v", "libx264", "-preset", "veryfast", "-g", "50")));
        Assert.False(InProcessDecode.Qualifies((await new MediaProbe(o).ProbeAsync(Video("big_buck_bunny_0_30.webm"))).Video!, 24,
            new MediaOptions { Shots = { InProcessDecode = false } }.Shots));

        // Timestamps off the frame grid (23.88 fps average in a 23.976 fps stream): the fps filter would drop or repeat frames.
        var irregular = await new MediaProbe(o).ProbeAsync(Video("autocut_test001.mp4"));
        await Assert.ThrowsAsync<InProcessDecodeException>(() =>
            InProcessDecode.RunAsync(o, irregular, irregular.Video!, ShotDetector.AnalysisFps(irregular.Video!, o.Shots), null, default));

        // Full range: declined by the in-process path, and the detector still gets the command's frames.
        var full = await LavfiAsync("full_range.mp4", "testsrc2=s=320x180:r=25:d=4,scale=out_range=full,format=yuvj420p",
            "-c:v", "libx264", "-preset", "veryfast", "-color_range", "pc");
        var info = await new MediaProbe(o).ProbeAsync(full);
        Assert.True(await QualifiesAsync(full));
        await Assert.ThrowsAsync<InProcessDecodeException>(() => InProcessDecode.RunAsync(o, info, info.Video!, 25, null, default));
        var (viaDetector, _) = await new ShotDetector(o).DecodeFeaturesAsync(info, default);
        var (viaCommand, _) = await new ShotDetector(new MediaOptions { Shots = { InProcessDecode = false } }).DecodeFeaturesAsync(info, default);
        Assert.Equal(viaCommand.Select(f => f.Luma), viaDetector.Select(f => f.Luma));
    }

    [Fact]
    public async Task Cancelling_stops_every_part()
    {
        var o = new MediaOptions { Shots = { DecodeParts = 2 } };
        var info = await new MediaProbe(o).ProbeAsync(Video("big_buck_bunny_0_30.webm"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => InProcessDecode.RunAsync(o, info, info.Video!, 24, null, cts.Token));
        // The call returns only after all parts stopped; a part that ran on would take the whole decode (about a second).
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }
}
