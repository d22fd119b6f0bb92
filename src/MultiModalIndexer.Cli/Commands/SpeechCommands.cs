using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>Options shared by `vad` and `asr`: configuration (env MMI__Speech__*) overridden by flags.</summary>
internal static class SpeechCli
{
    public static readonly Argument<FileInfo> File = new("file") { Description = "Audio or video file." };
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON." };
    public static readonly Option<string?> VadModel = new("--vad-model") { Description = "Silero VAD .onnx (default Speech:VadModel under models/)." };
    public static readonly Option<float?> Threshold = new("--threshold") { Description = "VAD speech probability threshold (0-1)." };
    public static readonly Option<float?> MinSilence = new("--min-silence") { Description = "Silence that ends a region, seconds." };
    public static readonly Option<float?> MinSpeech = new("--min-speech") { Description = "Shortest region kept, seconds." };
    public static readonly Option<float?> MaxSpeech = new("--max-speech") { Description = "Speech longer than this is split by the VAD, seconds." };

    public static void AddVadOptions(Command cmd)
    {
        cmd.Arguments.Add(File);
        foreach (var o in new Option[] { Json, VadModel, Threshold, MinSilence, MinSpeech, MaxSpeech }) cmd.Options.Add(o);
    }

    public static SpeechOptions Options(ParseResult pr)
    {
        var o = new SpeechOptions();
        new ConfigurationBuilder().AddEnvironmentVariables("MMI__").Build().GetSection(SpeechOptions.Section).Bind(o);
        if (pr.GetValue(VadModel) is { } vad) o.VadModel = Path.GetFullPath(vad);
        if (pr.GetValue(Threshold) is { } t) o.VadThreshold = t;
        if (pr.GetValue(MinSilence) is { } ms) o.VadMinSilenceSeconds = ms;
        if (pr.GetValue(MinSpeech) is { } mp) o.VadMinSpeechSeconds = mp;
        if (pr.GetValue(MaxSpeech) is { } mx) o.VadMaxSpeechSeconds = mx;
        return o;
    }

    public static ILoggerFactory Logs() => LoggerFactory.Create(b => b
        .AddSimpleConsole(c => c.SingleLine = true)
        .AddFilter((category, level) => level >= LogLevel.Warning || category == "speech")
        .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>PCM of the file's first audio stream, from the media stage's reader.</summary>
    public static IAsyncEnumerable<float[]> Pcm(FileInfo file, ILoggerFactory logs, CancellationToken ct) =>
        new AudioReader(new MediaOptions(), logs.CreateLogger<AudioReader>()).ReadPcm16kMonoAsync(file.FullName, ct);

    /// <summary>One line on stderr and an exit code for the errors a user can act on.</summary>
    public static int Fail(string verb, Exception e)
    {
        var (code, message) = e switch
        {
            MediaException m => (2, m.Message),
            SpeechException s => (3, s.Message),
            ArgumentException a => (2, a.Message),
            _ => (1, e.Message),
        };
        Console.Error.WriteLine($"{verb}: {message}");
        return code;
    }

    public static void WriteRegions(IReadOnlyList<SpeechRegion> regions, bool json)
    {
        if (json)
        {
            CliJson.Write(regions.Select(r => new { start = Math.Round(r.Start, 3), end = Math.Round(r.End, 3) }));
            return;
        }
        foreach (var r in regions) Console.WriteLine($"{r.Start,8:F2} {r.End,8:F2}");
    }
}

/// <summary>`./mmi vad FILE [--json]`: speech regions found by Silero VAD.</summary>
public sealed class VadCommand : ICliCommand
{
    public Command Build()
    {
        var cmd = new Command("vad", "Speech regions of an audio/video file (Silero VAD via sherpa-onnx).");
        SpeechCli.AddVadOptions(cmd);
        cmd.SetAction(async (pr, ct) =>
        {
            try
            {
                using var logs = SpeechCli.Logs();
                var vad = VoiceActivityDetector.Create(SpeechCli.Options(pr));
                var regions = new List<SpeechRegion>();
                await foreach (var r in vad.DetectAsync(SpeechCli.Pcm(pr.GetValue(SpeechCli.File)!, logs, ct), ct)) regions.Add(r);
                SpeechCli.WriteRegions(regions, pr.GetValue(SpeechCli.Json));
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return SpeechCli.Fail("vad", e);
            }
        });
        return cmd;
    }
}

/// <summary>`./mmi asr FILE [--json]`: utterances (start, end, text, language).</summary>
public sealed class AsrCommand : ICliCommand
{
    public Command Build()
    {
        var recognizer = new Option<string?>("--recognizer") { Description = "whisper or sense-voice (default Speech:Recognizer)." };
        var encoder = new Option<string?>("--encoder") { Description = "Whisper encoder .onnx." };
        var decoder = new Option<string?>("--decoder") { Description = "Whisper decoder .onnx." };
        var model = new Option<string?>("--model") { Description = "SenseVoice model .onnx." };
        var tokens = new Option<string?>("--tokens") { Description = "tokens.txt of the model." };
        var language = new Option<string?>("--language") { Description = "Language code; empty = auto-detect." };
        var cmd = new Command("asr", "Transcribe an audio/video file: VAD regions → Whisper/SenseVoice via sherpa-onnx.");
        SpeechCli.AddVadOptions(cmd);
        foreach (var o in new Option[] { recognizer, encoder, decoder, model, tokens, language }) cmd.Options.Add(o);
        cmd.SetAction(async (pr, ct) =>
        {
            try
            {
                using var logs = SpeechCli.Logs();
                var o = SpeechCli.Options(pr);
                if (pr.GetValue(recognizer) is { } r) o.Recognizer = r;
                if (pr.GetValue(encoder) is { } e) o.WhisperEncoder = Path.GetFullPath(e);
                if (pr.GetValue(decoder) is { } d) o.WhisperDecoder = Path.GetFullPath(d);
                if (pr.GetValue(model) is { } m) o.SenseVoiceModel = Path.GetFullPath(m);
                if (pr.GetValue(tokens) is { } t)
                {
                    if (o.IsSenseVoice) o.SenseVoiceTokens = Path.GetFullPath(t);
                    else o.WhisperTokens = Path.GetFullPath(t);
                }
                if (pr.GetValue(language) is { } l) o.Language = l;
                var file = pr.GetValue(SpeechCli.File)!;
                var json = pr.GetValue(SpeechCli.Json);

                using var asr = SpeechRecognizers.Create(o, logs.CreateLogger("speech"));
                if (asr is null)
                {
                    // The reason was logged above; still show where speech is, when the VAD can run.
                    Console.Error.WriteLine("asr: no speech recognizer (see above); printing the VAD's speech regions instead.");
                    var vad = VoiceActivityDetector.Create(o);
                    var regions = new List<SpeechRegion>();
                    await foreach (var reg in vad.DetectAsync(SpeechCli.Pcm(file, logs, ct), ct)) regions.Add(reg);
                    SpeechCli.WriteRegions(regions, json);
                    return 3;
                }

                var utterances = new List<Utterance>();
                await foreach (var u in asr.TranscribeAsync(SpeechCli.Pcm(file, logs, ct), ct))
                {
                    utterances.Add(u);
                    if (!json) Console.WriteLine($"{u.Start,8:F2} {u.End,8:F2} [{u.Language ?? "?"}] {u.Text}");
                }
                if (json)
                    CliJson.Write(utterances.Select(u => new { start = Math.Round(u.Start, 3), end = Math.Round(u.End, 3), text = u.Text, language = u.Language }));
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return SpeechCli.Fail("asr", e);
            }
        });
        return cmd;
    }
}
