using MultiModalIndexer.Media;
using static MultiModalIndexer.Tests.Media.MediaFixtures;

namespace MultiModalIndexer.Tests.Media;

/// <summary>
/// The shot-analysis decode split at keyframes into parts decoded at once must give exactly the
/// frames (and so the features and shots) of one decode; where that is not certain it must not split.
/// </summary>
[Collection("media")]
public sealed class SplitDecodeTests
{
    public static TheoryData<string, int> Files => new()
    {
        { "real:big_buck_bunny_0_30.webm", 2 },
        { "edit_split.mp4", 2 },
        { "edit_split.mp4", 3 },
        { "edit_split.mkv", 2 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Split_decode_gives_exactly_the_features_and_shots_of_one_decode(string file, int parts)
    {
        var path = file.StartsWith("real:", StringComparison.Ordinal)
            ? Video(file["real:".Length..])
            : await EditAsync(file, "libx264", "-preset", "veryfast");
        // The ffmpeg command's split (the in-process decode has its own tests): what runs where libavcodec 59 does not load.
        var one = new MediaOptions { Shots = { DecodeParts = 1, InProcessDecode = false } };
        var split = new MediaOptions { Shots = { DecodeParts = parts, MinDecodePartSeconds = 4, InProcessDecode = false } };
        var info = await new MediaProbe(one).ProbeAsync(path);
        var v = info.Video!;

        var plan = await DecodeSplit.PlanAsync(split, info, v, ShotDetector.AnalysisFps(v, split.Shots), null, default);
        Assert.Equal(parts, plan.Count);

        var (whole, _) = await new ShotDetector(one).DecodeFeaturesAsync(info, default);
        var (joined, _) = await new ShotDetector(split).DecodeFeaturesAsync(info, default);
        Assert.Equal(whole.Count, joined.Count);
        for (var i = 0; i < whole.Count; i++)
        {
            var (a, b) = (whole[i], joined[i]);
            // Field by field, so a failure names the frame and what differs (the seams are the risk).
            Assert.True(a.Time == b.Time && a.Luma == b.Luma && a.Content1 == b.Content1 && a.Content2 == b.Content2
                        && a.Thumb.AsSpan().SequenceEqual(b.Thumb) && a.Hist.AsSpan().SequenceEqual(b.Hist),
                $"frame {i} differs: t {a.Time}/{b.Time} luma {a.Luma}/{b.Luma} c1 {a.Content1}/{b.Content1} c2 {a.Content2}/{b.Content2}; parts {string.Join(", ", plan)}");
        }

        var shotsWhole = await new ShotDetector(one).AnalyzeAsync(info);
        var shotsSplit = await new ShotDetector(split).AnalyzeAsync(info);
        Assert.Equal(shotsWhole.Cuts, shotsSplit.Cuts);
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task Does_not_split_where_the_frames_could_differ()
    {
        var split = new MediaOptions { Shots = { DecodeParts = 2, MinDecodePartSeconds = 6 } };
        async Task<int> PartsOf(string path, MediaOptions? o = null)
        {
            o ??= split;
            var info = await new MediaProbe(o).ProbeAsync(path);
            return (await DecodeSplit.PlanAsync(o, info, info.Video!, ShotDetector.AnalysisFps(info.Video!, o.Shots), null, default)).Count;
        }

        // No seek index: MPEG-TS.
        Assert.Equal(1, await PartsOf(await EditAsync("edit_split.ts", "mpeg2video", "-q:v", "4")));
        // Variable frame rate (the fps filter resamples).
        Assert.Equal(1, await PartsOf(Video("goldeneye-vfr-drop3.mp4")));
        // Faster than the analysis rate (the fps filter drops frames).
        Assert.Equal(1, await PartsOf(await LavfiAsync("split_50fps.mp4", "testsrc2=s=160x90:r=50:d=20", "-c:v", "libx264", "-preset", "veryfast", "-g", "50")));
        // Too short for two parts of the minimum length (10.3 s < 2 x 6 s).
        Assert.Equal(1, await PartsOf(Video("autocut_test001.mp4")));
        // Switched off.
        Assert.Equal(1, await PartsOf(Video("big_buck_bunny_0_30.webm"), new MediaOptions { Shots = { DecodeParts = 1 } }));
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public async Task Cancelling_a_split_decode_leaves_no_ffmpeg_behind()
    {
        var o = new MediaOptions { Shots = { DecodeParts = 2, InProcessDecode = false } };
        var info = await new MediaProbe(o).ProbeAsync(Video("big_buck_bunny_0_30.webm"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ShotDetector(o).AnalyzeAsync(info, cts.Token));
        await AssertNoChildToolsAsync();
    }

    [Fact]
    public void Parts_follow_each_other_frame_by_frame()
    {
        // Splits at keyframes 5.0 s and 10.0 s (relative to the first frame), 25 fps, first frame at 0.003 s.
        var parts = DecodeSplit.ToParts([5.0, 10.0], formatStart: 0, videoStart: 0.003, fps: 25);
        Assert.Equal(3, parts.Count);
        Assert.Equal(new DecodePart(0, null, 126), parts[0]);              // frames 0..125 (125 is the keyframe)
        Assert.Equal(126, parts[1].FirstFrame);
        Assert.Equal(125, parts[1].FrameLimit);                           // frames 126..250
        Assert.Equal(0.003 + 5.0 + 0.02, parts[1].SeekSeconds!.Value, 9); // half a frame past the keyframe
        Assert.Equal(251, parts[2].FirstFrame);
        Assert.Null(parts[2].FrameLimit);
        Assert.Equal(0.003 + 10.0 + 0.02, parts[2].SeekSeconds!.Value, 9);
    }

    [Fact]
    public void Splits_are_the_nearest_keyframes_that_keep_every_part_long_enough()
    {
        var index = new DecodeSplit.KeyframeIndex(0, 0, [0, 3.0, 9.6, 11.0, 14.0, 29.0]);
        // Targets 10 and 20 of 30 s, parts at least 4 s: 9.6 is nearest 10; for 20 only 14.0 is at
        // least 4 s from both the previous split and the end.
        Assert.Equal([9.6, 14.0], DecodeSplit.Choose(index, [10.0, 20.0], fps: 25, duration: 30, minPart: 4));
        // A keyframe off the frame grid snaps to its frame.
        Assert.Equal([10.0], DecodeSplit.Choose(new DecodeSplit.KeyframeIndex(0, 0, [10.013]), [15.0], 25, 30, 4));
        Assert.Empty(DecodeSplit.Choose(new DecodeSplit.KeyframeIndex(0, 0, [0, 1.0, 29.5]), [15.0], 25, 30, 4));
    }
}
