using System.Diagnostics;
using System.Text.Json;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Speech;

/// <summary>`./mmi vad` and `./mmi asr` as a user runs them (the CLI built beside the tests, real ffmpeg via AudioReader).</summary>
[Collection("speech")]
public sealed class SpeechCliTests
{
    private static (int Code, string Out, string Err) Mmi(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mmi.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // No models folder: only the flags given here may supply models.
        psi.Environment["MMI_MODELS_HOME"] = TestPaths.NewScratchDir("speech-nomodels");
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, err.Result);
    }

    private static string TwoRegionsWav()
    {
        var wav = Path.Combine(TestPaths.NewScratchDir("speech-cli"), "two-regions.wav");
        SpeechTestAudio.WriteWav(wav, SpeechTestAudio.TwoRegions());
        return wav;
    }

    [Fact]
    public void Vad_and_asr_print_json()
    {
        var wav = TwoRegionsWav();
        var vad = Mmi("vad", wav, "--json", "--vad-model", SpeechTestAudio.VadModel);
        Assert.True(vad.Code == 0, vad.Err);
        var regions = JsonDocument.Parse(vad.Out).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, regions.Count);
        Assert.InRange(regions[0].GetProperty("start").GetDouble(), 1.7, 2.3);

        var asr = Mmi("asr", wav, "--json", "--vad-model", SpeechTestAudio.VadModel,
            "--encoder", WhisperFixture.Encoder, "--decoder", WhisperFixture.Decoder, "--tokens", WhisperFixture.Tokens);
        Assert.True(asr.Code == 0, asr.Err);
        var us = JsonDocument.Parse(asr.Out).RootElement.EnumerateArray().ToList();
        Assert.Equal([WhisperFixture.ShortPhrase, WhisperFixture.LongPhrase], us.Select(u => u.GetProperty("text").GetString()));
        Assert.All(us, u =>
        {
            Assert.Equal("en", u.GetProperty("language").GetString());
            Assert.True(u.GetProperty("end").GetDouble() > u.GetProperty("start").GetDouble());
        });
    }

    [Fact]
    public void Asr_without_a_model_says_so_and_still_prints_regions()
    {
        var asr = Mmi("asr", TwoRegionsWav(), "--json", "--vad-model", SpeechTestAudio.VadModel);
        Assert.Equal(3, asr.Code);
        Assert.Contains("model files are missing", asr.Err);
        Assert.Contains("no speech recognizer", asr.Err);
        Assert.Equal(2, JsonDocument.Parse(asr.Out).RootElement.GetArrayLength());
    }

    [Fact]
    public void Video_without_audio_and_non_media_are_one_line_errors()
    {
        var video = Mmi("vad", TestPaths.SharedFile("media", "video", "testvideo.mp4"), "--vad-model", SpeechTestAudio.VadModel);
        Assert.Equal(2, video.Code);
        Assert.Contains("no audio stream", video.Err);
        Assert.Single(video.Err.Trim().Split('\n'));

        var dir = TestPaths.NewScratchDir("speech-cli");
        var silent = Path.Combine(dir, "silent.wav");
        SpeechTestAudio.WriteWav(silent, SpeechTestAudio.Silence(5));
        var quiet = Mmi("vad", silent, "--json", "--vad-model", SpeechTestAudio.VadModel);
        Assert.True(quiet.Code == 0, quiet.Err);
        Assert.Equal(0, JsonDocument.Parse(quiet.Out).RootElement.GetArrayLength());

        var empty = Path.Combine(dir, "empty.wav");
        SpeechTestAudio.WriteWav(empty, []);
        var none = Mmi("asr", empty, "--json", "--vad-model", SpeechTestAudio.VadModel,
            "--encoder", WhisperFixture.Encoder, "--decoder", WhisperFixture.Decoder, "--tokens", WhisperFixture.Tokens);
        Assert.Equal(2, none.Code); // the media stage's typed error: no duration
        Assert.Single(none.Err.Trim().Split('\n'), l => l.StartsWith("asr:", StringComparison.Ordinal));

        var junk = Path.Combine(TestPaths.NewScratchDir("speech-cli"), "junk.mp4");
        File.WriteAllText(junk, "this is not a video");
        var bad = Mmi("vad", junk, "--vad-model", SpeechTestAudio.VadModel);
        Assert.NotEqual(0, bad.Code);
        Assert.Single(bad.Err.Trim().Split('\n'));
    }
}
