using System.Diagnostics;
using System.Security.Cryptography;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Speech;

/// <summary>
/// The fixture Whisper export (Fixtures/make_whisper_fixture.py), generated once per script
/// version into .cache/fixtures/whisper. Regions of at most 2.5 s say <see cref="ShortPhrase"/>,
/// longer ones <see cref="LongPhrase"/>; auto-detected language is "en".
/// </summary>
internal static class WhisperFixture
{
    public const string ShortPhrase = "ask not what your country";
    public const string LongPhrase = "and so my fellow americans";
    public const double LongAboveSeconds = 2.5;

    private static readonly Lazy<string> DirLazy = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Dir => DirLazy.Value;
    public static string Encoder => Path.Combine(Dir, "fixture-encoder.onnx");
    public static string Decoder => Path.Combine(Dir, "fixture-decoder.onnx");
    public static string Tokens => Path.Combine(Dir, "fixture-tokens.txt");

    public static SpeechOptions Options(Action<SpeechOptions>? tweak = null)
    {
        var o = new SpeechOptions
        {
            VadModel = SpeechTestAudio.VadModel,
            Recognizer = "whisper",
            WhisperEncoder = Encoder,
            WhisperDecoder = Decoder,
            WhisperTokens = Tokens,
        };
        tweak?.Invoke(o);
        return o;
    }

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_whisper_fixture.py");

    private static string Generate() => GenerateOnce(ScriptPath, "whisper", "fixture-tokens.txt");

    /// <summary>Runs a fixture script into .cache/fixtures/NAME unless that output is from the same script version.</summary>
    public static string GenerateOnce(string script, string name, string marker)
    {
        var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(script)))[..16];
        var dir = TestPaths.FixtureDir(name);
        var stamp = Path.Combine(dir, "script.sha256");
        if (File.Exists(stamp) && File.ReadAllText(stamp) == hash && File.Exists(Path.Combine(dir, marker)))
            return dir;
        Run("/usr/bin/python3", script, dir);
        File.WriteAllText(stamp, hash);
        return dir;
    }

    /// <summary>Runs the generator (also used by tests that want variants, e.g. another language).</summary>
    public static void Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed: {err.Result}");
    }
}

/// <summary>
/// The fixture SenseVoice export (Fixtures/make_sensevoice_fixture.py): every region says
/// <see cref="Phrase"/>; the language tag follows the configured language (auto → zh).
/// </summary>
internal static class SenseVoiceFixture
{
    public const string Phrase = "大家好我的名字是";

    private static readonly Lazy<string> DirLazy = new(() => WhisperFixture.GenerateOnce(
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_sensevoice_fixture.py"), "sensevoice", "tokens.txt"));

    public static SpeechOptions Options(Action<SpeechOptions>? tweak = null)
    {
        var o = new SpeechOptions
        {
            VadModel = SpeechTestAudio.VadModel,
            Recognizer = "sense-voice",
            SenseVoiceModel = Path.Combine(DirLazy.Value, "model.onnx"),
            SenseVoiceTokens = Path.Combine(DirLazy.Value, "tokens.txt"),
        };
        tweak?.Invoke(o);
        return o;
    }
}
