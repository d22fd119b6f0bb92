using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Media;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Speech;

[Collection("speech")]
public sealed class SenseVoiceTests(ITestOutputHelper output)
{
    private static async Task<List<Utterance>> TranscribeAsync(ISpeechRecognizer r, float[] pcm)
    {
        var list = new List<Utterance>();
        await foreach (var u in r.TranscribeAsync(SpeechTestAudio.Chunks(pcm))) list.Add(u);
        return list;
    }

    [Fact]
    public async Task Fixture_sensevoice_runs_through_sherpa_and_chinese_splits_by_character_at_a_cut()
    {
        using var r = SpeechRecognizers.Create(SenseVoiceFixture.Options(), new ListLogger());
        Assert.NotNull(r);
        Assert.StartsWith("sense-voice:model.onnx", r.ModelVersion);
        var us = await TranscribeAsync(r, SpeechTestAudio.TwoRegions());
        foreach (var u in us) output.WriteLine($"[{u.Start:F2}-{u.End:F2}] ({u.Language}) {u.Text}");

        Assert.Equal(2, us.Count);
        Assert.All(us, u => Assert.Equal(SenseVoiceFixture.Phrase, u.Text));
        Assert.All(us, u => Assert.Equal("zh", u.Language)); // "<|zh|>" normalised

        // A cut in the middle of the second utterance: 8 characters split by time share.
        var u2 = us[1];
        var cut = (u2.Start + u2.End) / 2;
        var t = TranscriptAligner.Align(us, [new SegmentSpan(0, 0, 5, []), new SegmentSpan(1, 5, cut, []), new SegmentSpan(2, cut, 13, [])]);
        Assert.Equal(SenseVoiceFixture.Phrase, t[0].Text);
        Assert.Equal("大家好我", t[1].Text);
        Assert.Equal("的名字是", t[2].Text);
    }

    [Fact]
    public async Task Fixed_language_reaches_the_model()
    {
        using var r = SpeechRecognizers.Create(SenseVoiceFixture.Options(o => o.Language = "en"), new ListLogger())!;
        var us = await TranscribeAsync(r, SpeechTestAudio.TwoRegions());
        Assert.Equal(2, us.Count);
        Assert.All(us, u => Assert.Equal("en", u.Language));
    }
}
