using Microsoft.Extensions.Logging;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Media;
using MultiModalIndexer.Tests.Common;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Speech;

[Collection("speech")]
public sealed class RecognizerTests(ITestOutputHelper output)
{
    private static async Task<List<Utterance>> TranscribeAsync(ISpeechRecognizer r, float[] pcm)
    {
        var list = new List<Utterance>();
        await foreach (var u in r.TranscribeAsync(SpeechTestAudio.Chunks(pcm))) list.Add(u);
        return list;
    }

    private void Print(IEnumerable<Utterance> us)
    {
        foreach (var u in us) output.WriteLine($"[{u.Start:F2}-{u.End:F2}] ({u.Language}) {u.Text}");
    }

    [Fact]
    public async Task Fixture_whisper_runs_through_sherpa_on_each_vad_region()
    {
        var log = new ListLogger();
        using var r = SpeechRecognizers.Create(WhisperFixture.Options(), log);
        Assert.NotNull(r);
        Assert.Contains("whisper:fixture-encoder.onnx", r.ModelVersion);
        Assert.Contains("sherpa-onnx-1.13.8", r.ModelVersion);

        var us = await TranscribeAsync(r, SpeechTestAudio.TwoRegions());
        Print(us);

        Assert.Equal(2, us.Count);
        // 1.7 s region → the short phrase, 4.1 s region → the long one; times are the VAD's.
        Assert.Equal(WhisperFixture.ShortPhrase, us[0].Text);
        Assert.Equal(WhisperFixture.LongPhrase, us[1].Text);
        Assert.All(us, u => Assert.Equal("en", u.Language));
        for (var i = 0; i < 2; i++)
        {
            var (start, end) = SpeechTestAudio.TwoRegionsTruth[i];
            Assert.InRange(us[i].Start, start - 0.3, start + 0.3);
            Assert.InRange(us[i].End, end - 0.3, end + 0.3);
        }
    }

    [Fact]
    public async Task Fixture_transcript_lands_in_the_right_segments()
    {
        using var r = SpeechRecognizers.Create(WhisperFixture.Options(), new ListLogger())!;
        var us = await TranscribeAsync(r, SpeechTestAudio.TwoRegions());
        Assert.Equal(2, us.Count);

        // Cuts at 5.0 s (between the utterances) and 8.35 s (inside the second one, near the
        // boundary between its 2nd and 3rd words: midpoints are ~0.4 s either side of it).
        const double cut = 8.35;
        var segments = new List<SegmentSpan>
        {
            new(0, 0, 5.0, [2.5]),
            new(1, 5.0, cut, [6.5]),
            new(2, cut, 12.8, [10]),
        };
        var t = TranscriptAligner.Align(us, segments);
        foreach (var s in t) output.WriteLine($"segment {s.Ordinal}: \"{s.Text}\" " + string.Join(" ", s.Utterances.Select(u => $"[{u.Start:F2}-{u.End:F2}]")));

        Assert.Equal([0, 1, 2], t.Select(s => s.Ordinal));
        Assert.Equal(WhisperFixture.ShortPhrase, t[0].Text);
        // The second utterance is split by its time share on each side of the cut.
        var words = WhisperFixture.LongPhrase.Split(' ');
        var u2 = us[1];
        var before = Enumerable.Range(0, words.Length).Count(k => u2.Start + (u2.End - u2.Start) * (k + 0.5) / words.Length < cut);
        Assert.Equal(2, before);
        Assert.Equal(string.Join(' ', words[..before]), t[1].Text);
        Assert.Equal(string.Join(' ', words[before..]), t[2].Text);
        // Each segment keeps its utterances with times clipped to the segment.
        Assert.Equal(u2.Start, t[1].Utterances.Single().Start, 6);
        Assert.Equal(cut, t[1].Utterances.Single().End, 6);
        Assert.Equal(cut, t[2].Utterances.Single().Start, 6);
        Assert.Equal(u2.End, t[2].Utterances.Single().End, 6);
    }

    [Fact]
    public async Task Fixed_language_is_used_instead_of_detection()
    {
        using var r = SpeechRecognizers.Create(WhisperFixture.Options(o => o.Language = "de"), new ListLogger())!;
        var us = await TranscribeAsync(r, SpeechTestAudio.TwoRegions());
        Assert.Equal(2, us.Count);
        Assert.All(us, u => Assert.Equal("de", u.Language));
    }

    [Fact]
    public async Task Regions_longer_than_the_window_are_cut_at_quiet_points_and_all_decoded()
    {
        // 13.5 s of speech with only sub-0.5 s pauses: the VAD keeps it as one region; with a 5 s
        // recognition window it must reach Whisper as several pieces, none longer than 5 s.
        var speech = SpeechTestAudio.Concat(
            SpeechTestAudio.Slice(SpeechTestAudio.Jfk, 0.3, 2.0), SpeechTestAudio.Slice(SpeechTestAudio.Jfk, 5.4, 7.5),
            SpeechTestAudio.Slice(SpeechTestAudio.Jfk, 8.2, 10.2), SpeechTestAudio.Slice(SpeechTestAudio.Jfk, 0.3, 2.0),
            SpeechTestAudio.Slice(SpeechTestAudio.Jfk, 5.4, 7.5), SpeechTestAudio.Slice(SpeechTestAudio.Jfk, 8.2, 10.2));
        var pcm = SpeechTestAudio.Concat(SpeechTestAudio.Silence(1), speech, SpeechTestAudio.Silence(1));

        var vadRegions = VoiceActivityDetector.Create(WhisperFixture.Options(o => o.VadMaxSpeechSeconds = 60)).Detect(pcm);
        Assert.Single(vadRegions);

        using var r = SpeechRecognizers.Create(WhisperFixture.Options(o => { o.VadMaxSpeechSeconds = 60; o.MaxRecognitionSeconds = 5; }), new ListLogger())!;
        var us = await TranscribeAsync(r, pcm);
        Print(us);
        Assert.True(us.Count >= 3);
        Assert.All(us, u => Assert.True(u.End - u.Start <= 5.0 + 1e-9));
        for (var i = 1; i < us.Count; i++) Assert.Equal(us[i - 1].End, us[i].Start, 6); // contiguous: nothing skipped
        Assert.Equal(vadRegions[0].Start, us[0].Start, 6);
        Assert.Equal(vadRegions[0].End, us[^1].End, 6);
        Assert.All(us, u => Assert.Equal(u.End - u.Start > WhisperFixture.LongAboveSeconds ? WhisperFixture.LongPhrase : WhisperFixture.ShortPhrase, u.Text));
    }

    [Fact]
    public async Task Silent_and_empty_audio_give_no_utterances_and_leak_nothing()
    {
        var baseline = VadTests.SherpaHandleCount();
        using (var r = SpeechRecognizers.Create(WhisperFixture.Options(), new ListLogger())!)
        {
            Assert.Empty(await TranscribeAsync(r, SpeechTestAudio.Silence(8)));
            Assert.Empty(await TranscribeAsync(r, []));
        }
        Assert.Equal(baseline, VadTests.SherpaHandleCount());
    }

    [Fact]
    public async Task Audio_only_and_video_only_files()
    {
        var dir = TestPaths.NewScratchDir("speech-files");
        var wav = Path.Combine(dir, "two-regions.wav");
        SpeechTestAudio.WriteWav(wav, SpeechTestAudio.TwoRegions());
        using var r = SpeechRecognizers.Create(WhisperFixture.Options(), new ListLogger())!;

        // Audio-only file (round trip through 16-bit WAV and ffmpeg).
        var us = await TranscribeAsync(r, SpeechTestAudio.ReadPcm(wav));
        Assert.Equal([WhisperFixture.ShortPhrase, WhisperFixture.LongPhrase], us.Select(u => u.Text));

        // Video-only file: no audio stream → no samples → no utterances.
        var videoOnly = TestPaths.SharedFile("media", "video", "testvideo.mp4");
        var pcm = SpeechTestAudio.ReadPcm(videoOnly);
        Assert.Empty(pcm);
        Assert.Empty(await TranscribeAsync(r, pcm));
    }

    [Fact]
    public void Switched_off_or_missing_models_give_null_and_one_log_line()
    {
        var off = new ListLogger();
        Assert.Null(SpeechRecognizers.Create(WhisperFixture.Options(o => o.Enabled = false), off));
        Assert.Single(off.Lines);
        Assert.Contains("switched off", off.Lines[0].Message);

        var missing = new ListLogger();
        Assert.Null(SpeechRecognizers.Create(WhisperFixture.Options(o => o.WhisperEncoder = "whisper/none-encoder.onnx"), missing));
        var line = Assert.Single(missing.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("none-encoder.onnx", line.Message);

        var sense = new ListLogger();
        Assert.Null(SpeechRecognizers.Create(WhisperFixture.Options(o => { o.Recognizer = "sense-voice"; o.SenseVoiceModel = "/nonexistent/model.onnx"; }), sense));
        Assert.Contains("SenseVoice", Assert.Single(sense.Lines).Message);
    }

    [Fact]
    public void Invalid_options_are_rejected_before_sherpa_sees_them()
    {
        // sherpa-onnx exit()s the process on an unknown Whisper language; it must never get one.
        var e = Assert.Throws<ArgumentException>(() => SpeechRecognizers.Create(WhisperFixture.Options(o => o.Language = "klingon"), new ListLogger()));
        Assert.Contains("Speech:Language", e.Message);
        Assert.Contains(WhisperFixture.Options(o => o.Recognizer = "kaldi").Validate(), m => m.Contains("Speech:Recognizer"));
        Assert.Empty(WhisperFixture.Options(o => { o.Recognizer = "sense-voice"; o.Language = "yue"; }).Validate());
        Assert.NotEmpty(WhisperFixture.Options(o => { o.Recognizer = "sense-voice"; o.Language = "de"; }).Validate());
    }
}

[Collection("speech")]
public sealed class BadModelTests
{
    [Theory]
    [InlineData("text")]
    [InlineData("truncated")]
    [InlineData("no-metadata")]
    public void A_corrupt_or_unsuitable_model_is_a_typed_error_not_a_crash(string kind)
    {
        // sherpa-onnx itself would terminate the process on each of these files.
        var dir = TestPaths.NewScratchDir("speech-badmodel");
        var bad = Path.Combine(dir, "bad-encoder.onnx");
        switch (kind)
        {
            case "text": File.WriteAllText(bad, "not an onnx model"); break;
            case "truncated":
                var bytes = File.ReadAllBytes(WhisperFixture.Encoder);
                File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
                break;
            case "no-metadata": File.Copy(WhisperFixture.Decoder, bad); break; // a valid ONNX file without the encoder's metadata
        }
        var baseline = VadTests.SherpaHandleCount();
        var e = Assert.Throws<SpeechException>(() => SpeechRecognizers.Create(WhisperFixture.Options(o => o.WhisperEncoder = bad), new ListLogger()));
        Assert.Equal(SpeechErrorKind.ModelInvalid, e.Kind);
        Assert.Equal(baseline, VadTests.SherpaHandleCount());

        var v = Assert.Throws<SpeechException>(() => VoiceActivityDetector.Create(WhisperFixture.Options(o => o.VadModel = bad)).Detect(new float[16000]));
        Assert.Equal(SpeechErrorKind.ModelInvalid, v.Kind);
    }
}
