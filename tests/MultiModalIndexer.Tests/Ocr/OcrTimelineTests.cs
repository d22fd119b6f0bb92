using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Timeline;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>The change gate (which sampled frames get read) and the line tracker (lines with times).</summary>
public class OcrTimelineTests
{
    private static OcrLine L(string text, float conf = 90) => new(text, conf);

    [Fact]
    public void A_line_read_in_consecutive_frames_is_one_line_with_its_first_and_last_time()
    {
        var t = new OcrLineTracker(gapSeconds: 1.5);
        t.AddRead(1.0, 0.67, [L("golden harbor lantern")]);
        t.AddUnchanged(1.33);
        t.AddUnchanged(1.67);
        t.AddRead(2.0, 2.0, [L("golden harbor lantern")]);
        t.AddRead(3.0, 2.33, [L("quiet meadow rocket")]);
        t.AddRead(4.0, 3.33, [L("quiet meadow rocket")]);
        var lines = t.Finish(5);
        Assert.Equal(2, lines.Count);
        Assert.Equal(("golden harbor lantern", 0.67, 2.0), (lines[0].Text, lines[0].Start, lines[0].End));
        Assert.Equal(("quiet meadow rocket", 2.33, 4.0), (lines[1].Text, lines[1].Start, lines[1].End));
    }

    [Fact]
    public void Near_identical_readings_merge_and_the_most_frequent_reading_names_the_line()
    {
        var t = new OcrLineTracker(1.5);
        t.AddRead(1, 1, [L("silver canyon engine")]);
        t.AddRead(2, 2, [L("silver canyon englne", 60)]);
        t.AddRead(3, 3, [L("silver canyon engine")]);
        var line = Assert.Single(t.Finish(4));
        Assert.Equal("silver canyon engine", line.Text);
        Assert.Equal(3, line.Reads);
        Assert.Equal((1.0, 3.0), (line.Start, line.End));
    }

    [Fact]
    public void Between_readings_seen_equally_often_the_one_closest_to_the_others_names_the_line()
    {
        var t = new OcrLineTracker(1.5);
        // Each read slipped differently; the surest one slipped twice.
        t.AddRead(1, 1, [L("coffee village thunder library picnic singer bright", 96)]);
        t.AddRead(2, 2, [L("coffee vilage thunder library picnic'singer bright", 96)]);
        t.AddRead(3, 3, [L("coffee village thunder lbrary picnie singer bright", 97)]);
        Assert.Equal("coffee village thunder library picnic singer bright", Assert.Single(t.Finish(4)).Text);
    }

    [Fact]
    public void One_missed_read_does_not_split_a_line_but_a_long_absence_does()
    {
        var t = new OcrLineTracker(1.5);
        t.AddRead(1, 1, [L("amber planet")]);
        t.AddRead(2, 2, []); // OCR missed it once
        t.AddRead(3, 3, [L("amber planet")]);
        Assert.Single(t.Finish(4));

        var u = new OcrLineTracker(1.5);
        u.AddRead(1, 1, [L("amber planet")]);
        u.AddRead(2, 2, []);
        u.AddRead(3, 3, []);
        u.AddRead(4, 4, []);
        u.AddRead(10, 10, [L("amber planet")]); // shown again much later: a second occurrence
        var lines = u.Finish(11);
        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].End);
        Assert.Equal(10, lines[1].Start);
    }

    [Fact]
    public void Two_lines_on_screen_at_once_are_tracked_separately()
    {
        var t = new OcrLineTracker(1.5);
        t.AddRead(1, 1, [L("会议 MEETING 下午3点"), L("channel seven news")]);
        t.AddRead(2, 2, [L("channel seven news")]);
        t.AddRead(3, 3, [L("channel seven news")]);
        var lines = t.Finish(4);
        Assert.Equal(2, lines.Count);
        Assert.Contains(lines, l => l.Text == "会议 MEETING 下午3点" && l.End == 1);
        Assert.Contains(lines, l => l.Text == "channel seven news" && l.End == 3);
    }

    [Fact]
    public void Reads_out_of_time_order_are_refused()
    {
        var t = new OcrLineTracker(1.5);
        t.AddRead(2, 2, []);
        Assert.Throws<ArgumentException>(() => t.AddRead(1, 1, []));
    }

    private static GreyFrame Frame(double time, Action<byte[], int, int>? draw = null, byte background = 40, int? panStep = null)
    {
        const int w = 320, h = 180;
        var px = new byte[w * h];
        Array.Fill(px, background);
        if (panStep is { } step) Pan(px, w, h, step);
        draw?.Invoke(px, w, h);
        return new GreyFrame(time, px, w, h);
    }

    /// <summary>
    /// A moving picture: a texture of random 8 px blocks, shifted diagonally by 5 and 3 px per step (a
    /// camera pan), so its strong edges land on other pixels in every sample.
    /// </summary>
    private static void Pan(byte[] px, int w, int h, int step)
    {
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                int bx = (x + 5 * step) / 8, by = (y + 3 * step) / 8;
                px[y * w + x] = (byte)((uint)(bx * 73856093 ^ by * 19349663) * 2654435761u >> 24);
            }
    }

    /// <summary>Draws white "glyph" bars with black edges in the bottom band (a stand-in for a caption).</summary>
    private static Action<byte[], int, int> Caption(int seed, int row = 150) => (px, w, h) =>
    {
        var rng = new Random(seed);
        for (var x = 60 + rng.Next(4); x < 260; x += 5 + rng.Next(5))
        {
            var top = row + rng.Next(4);
            var bottom = row + 18 - rng.Next(4);
            for (var y = top; y < bottom; y++)
            {
                px[y * w + x] = 0;
                px[y * w + x + 1] = 255;
                px[y * w + x + 2] = 255;
                px[y * w + x + 3] = 0;
            }
        }
    };

    /// <summary>
    /// Times of the reads the gate asks for (second looks go to <paramref name="confirmations"/> when given).
    /// Reads asked for only because text left are read whole, as the pipeline does when a line stood where it left.
    /// </summary>
    private static List<double> Reads(TextChangeGate gate, IEnumerable<GreyFrame> frames, List<double>? appeared = null, List<double>? confirmations = null)
    {
        var reads = new List<double>();
        foreach (var f in frames)
            if (gate.Offer(f))
            {
                if (gate.IsConfirmation && confirmations is not null)
                {
                    confirmations.Add(Math.Round(f.Time, 2));
                    continue;
                }
                if (gate.OnlyLeft) gate.ReadWholeFrame();
                reads.Add(Math.Round(f.Time, 2));
                appeared?.Add(Math.Round(gate.FirstChangeSinceRead ?? f.Time, 2));
                gate.ClearChange();
            }
        return reads;
    }

    [Fact]
    public void The_gate_reads_when_a_caption_has_stood_for_its_steady_frames_or_leaves_and_not_while_the_picture_stands_still()
    {
        var gate = new TextChangeGate(new TextSamplingOptions { MaxOcrPerMediaSecond = 3, ConfirmReadSeconds = 0 });
        // caption A from 2 s, caption B replacing it at 5.33 s, nothing from 8 s
        var frames = Enumerable.Range(0, 30).Select(i => i / 3.0)
            .Select(t => t < 2 ? Frame(t) : t < 5.3 ? Frame(t, Caption(1)) : t < 8 ? Frame(t, Caption(2)) : Frame(t));
        var appeared = new List<double>();
        // A is read once steady (3 samples), as having appeared at 2 s; B once steady too, as having
        // appeared when A left; and once more after B left, to see what is left.
        Assert.Equal([0, 2.67, 6, 8.67], Reads(gate, frames, appeared));
        Assert.Equal([0, 2, 5.33, 8], appeared);
    }

    [Fact]
    public void A_caption_over_a_moving_picture_is_read_when_it_appears_and_leaves_not_every_second()
    {
        var gate = new TextChangeGate(new TextSamplingOptions { MaxOcrPerMediaSecond = 1 });
        var frames = Enumerable.Range(0, 36).Select(i => (T: i / 3.0, I: i))
            .Select(x => x.T is >= 1 and < 5 ? Frame(x.T, Caption(1), panStep: x.I)
                : x.T is >= 5 and < 9 ? Frame(x.T, Caption(2), panStep: x.I)
                : Frame(x.T, panStep: x.I));
        var confirmations = new List<double>();
        var reads = Reads(gate, frames, confirmations: confirmations);
        // A once steady, B as soon as enough of it stands still, then what is left; each read a change
        // asked for gets a second look a second later (ConfirmReadSeconds).
        Assert.Equal(4, reads.Count);
        Assert.Equal([0, 1.67], reads[..2]);
        Assert.InRange(reads[2], 5, 5.67);
        Assert.Equal(9.67, reads[3]);
        Assert.Equal(reads.Select(r => Math.Round(r + 1, 2)), confirmations);
    }

    [Fact]
    public void When_only_the_picture_behind_a_standing_caption_leaves_the_caption_is_carried_and_text_that_came_meanwhile_is_read_once_it_stands()
    {
        var gate = new TextChangeGate(new TextSamplingOptions { MaxOcrPerMediaSecond = 1, ConfirmReadSeconds = 0 });
        var caption = new OcrBox(60, 150, 264, 168);
        // A still picture (texture at rest above a plain lower third) with a caption; at 4 s the picture cuts to
        // a moving one, the caption stays, and at 4.33 s a title comes at the top.
        Action<byte[], int, int> still = (px, w, h) => { Array.Fill(px, (byte)40, 120 * w, (h - 120) * w); Caption(1)(px, w, h); };
        Action<byte[], int, int> both = (px, w, h) => { Caption(1)(px, w, h); Caption(7, row: 20)(px, w, h); };
        var frames = Enumerable.Range(0, 30).Select(i => (T: i / 3.0, I: i))
            .Select(x => x.T < 4 ? Frame(x.T, still, panStep: 0)
                : x.T < 4.3 ? Frame(x.T, Caption(1), panStep: x.I)
                : Frame(x.T, both, panStep: x.I));
        var reads = new List<(double Time, bool OnlyLeft, bool AtCaption, bool Above, double Appeared)>();
        foreach (var f in frames)
            if (gate.Offer(f))
            {
                reads.Add((Math.Round(f.Time, 2), gate.OnlyLeft, gate.LeftWithin(caption.Left, caption.Top, caption.Right, caption.Bottom),
                    gate.LeftWithin(0, 60, 320, 120), Math.Round(gate.FirstChangeSinceRead ?? f.Time, 2)));
                gate.ClearChange(); // an only-left read is carried: the caller does not read the frame
            }
        // The first read sees the still picture with its caption; nothing changes until the cut, where the still
        // picture's edges left everywhere but under the caption, and nothing new stands yet.
        Assert.Equal(0, reads[0].Time);
        var cut = reads[1];
        Assert.Equal(4.67, cut.Time);
        Assert.True(cut.OnlyLeft);
        Assert.True(cut.Above);
        Assert.False(cut.AtCaption);
        // The title was on screen at the cut's read but not yet standing: it stays new, and is read once it stands.
        var title = reads[2];
        Assert.False(title.OnlyLeft);
        Assert.InRange(title.Time, 5, 5.67);
        Assert.InRange(title.Appeared, 4.33, 5);
    }

    [Fact]
    public void The_gate_caps_reads_per_media_second_when_the_text_changes_all_the_time()
    {
        var o = new TextSamplingOptions { MaxOcrPerMediaSecond = 1, Fps = 4, StableFrames = 2 };
        var gate = new TextChangeGate(o);
        // 10 s of a caption that changes every 0.5 s (a running clock, say)
        var reads = Reads(gate, Enumerable.Range(0, 40).Select(i => Frame(i / 4.0, Caption(100 + i / 2))));
        Assert.InRange(reads.Count, 9, 11);
    }

    [Fact]
    public void The_gate_remembers_when_the_change_it_could_not_read_yet_began()
    {
        var gate = new TextChangeGate(new TextSamplingOptions { MaxOcrPerMediaSecond = 1 });
        Assert.True(gate.Offer(Frame(0)));
        gate.ClearChange();
        Assert.False(gate.Offer(Frame(0.33, Caption(3)))); // not steady yet
        Assert.False(gate.Offer(Frame(0.67, Caption(3))));
        Assert.True(gate.Offer(Frame(1.0, Caption(3))));
        Assert.Equal(0.33, gate.FirstChangeSinceRead!.Value, 2);
        gate.ClearChange();
        Assert.False(gate.Offer(Frame(1.33, Caption(4)))); // replaced, but not steady yet
        Assert.True(gate.LastChanged);
        Assert.False(gate.Offer(Frame(1.67, Caption(4))));
        Assert.True(gate.Offer(Frame(2.0, Caption(4))));
        Assert.Equal(1.33, gate.FirstChangeSinceRead!.Value, 2);
    }

    [Fact]
    public void Sampling_settings_are_validated_with_messages_that_name_the_key()
    {
        var problems = new TextSamplingOptions { Fps = 0, MaxOcrPerMediaSecond = -1, MaxWidth = 10 }.Validate().ToList();
        Assert.Contains(problems, p => p.Contains("Media:TextSampling:Fps"));
        Assert.Contains(problems, p => p.Contains("Media:TextSampling:MaxOcrPerMediaSecond"));
        Assert.Contains(problems, p => p.Contains("Media:TextSampling:MaxWidth"));
        Assert.Empty(new TextSamplingOptions().Validate());
    }

    [Fact]
    public void A_new_line_replacing_a_longer_one_opens_its_own_track()
    {
        // Read from a generated Chinese subtitle clip: a 10-character line, then an unrelated 8-character one.
        var t = new OcrLineTracker(1.5);
        foreach (var s in new[] { 6.0, 7, 8 }) t.AddRead(s, s - 0.67, [L("00:00:00.720"), L("我纸望春飞份上新题木")]);
        foreach (var s in new[] { 9.0, 10, 11 }) t.AddRead(s, s - 0.67, [L("00:00:03.720"), L("报丽树困去朋朗猫")]);
        var lines = t.Finish(12);
        Assert.Contains(lines, l => l.Text == "我纸望春飞份上新题木" && l.End == 8);
        Assert.Contains(lines, l => l.Text == "报丽树困去朋朗猫" && l.Start == 8.33 && l.End == 11);
    }

    [Fact]
    public void Of_readings_with_the_same_letters_the_one_with_the_word_spaces_names_the_line()
    {
        // Read from a generated subtitle clip: glued twice, spaced once. Either of the glued words must stay findable.
        var t = new OcrLineTracker(1.5);
        t.AddRead(2, 1.7, [L("marblehidden holiday bridge shadow")]);
        t.AddRead(3, 3, [L("marblehidden holiday bridge shadow")]);
        t.AddRead(4, 4, [L("marble hidden holiday bridge shadow")]);
        Assert.Equal("marble hidden holiday bridge shadow", Assert.Single(t.Finish(5)).Text);
        // A different letter is a different reading: the majority still wins there.
        var u = new OcrLineTracker(1.5);
        u.AddRead(1, 1, [L("meadow yeliow bridge")]);
        u.AddRead(2, 2, [L("meadow yellow bridge")]);
        u.AddRead(3, 3, [L("meadow yellow bridge")]);
        Assert.Equal("meadow yellow bridge", Assert.Single(u.Finish(4)).Text);
    }
}
