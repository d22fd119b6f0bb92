using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech.Sherpa;

namespace MultiModalIndexer.Inference.Speech;

/// <summary>Configuration section "Speech" (env MMI__Speech__...).</summary>
public sealed class SpeechOptions
{
    public const string Section = "Speech";
    public bool Enabled { get; set; } = true;
    /// <summary>Silero VAD .onnx; relative paths are under the models folder.</summary>
    public string VadModel { get; set; } = "vad/silero_vad.onnx";
    /// <summary>"whisper" or "sense-voice".</summary>
    public string Recognizer { get; set; } = "whisper";
    public string WhisperEncoder { get; set; } = "whisper/tiny-encoder.int8.onnx";
    public string WhisperDecoder { get; set; } = "whisper/tiny-decoder.int8.onnx";
    public string WhisperTokens { get; set; } = "whisper/tiny-tokens.txt";
    public string SenseVoiceModel { get; set; } = "sense-voice/model.int8.onnx";
    public string SenseVoiceTokens { get; set; } = "sense-voice/tokens.txt";
    /// <summary>Empty = auto-detect.</summary>
    public string Language { get; set; } = "";
    public int Threads { get; set; } = 1;

    /// <summary>SenseVoice inverse text normalisation ("twenty" → "20", punctuation).</summary>
    public bool SenseVoiceUseItn { get; set; } = true;

    /// <summary>Silero speech probability above which a window counts as speech.</summary>
    public float VadThreshold { get; set; } = 0.5f;
    /// <summary>Silence that closes a speech region, seconds.</summary>
    public float VadMinSilenceSeconds { get; set; } = 0.5f;
    /// <summary>Shorter speech bursts are dropped, seconds.</summary>
    public float VadMinSpeechSeconds { get; set; } = 0.25f;
    /// <summary>Past this the VAD raises its threshold to invite a split, seconds; not a hard cap (see MaxRecognitionSeconds).</summary>
    public float VadMaxSpeechSeconds { get; set; } = 20f;
    /// <summary>Regions longer than this are cut at their quietest point before recognition (Whisper sees 30 s at most).</summary>
    public float MaxRecognitionSeconds { get; set; } = 28f;

    public bool IsSenseVoice => string.Equals(Recognizer, "sense-voice", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!string.Equals(Recognizer, "whisper", StringComparison.OrdinalIgnoreCase) && !IsSenseVoice)
            yield return $"Speech:Recognizer must be \"whisper\" or \"sense-voice\" (got \"{Recognizer}\").";
        if (string.IsNullOrWhiteSpace(VadModel))
            yield return "Speech:VadModel must name the Silero VAD .onnx file (e.g. vad/silero_vad.onnx).";
        if (Threads is < 1 or > 64)
            yield return $"Speech:Threads must be between 1 and 64 (got {Threads}).";
        if (VadThreshold is <= 0f or >= 1f)
            yield return $"Speech:VadThreshold must be between 0 and 1, exclusive (got {VadThreshold}).";
        if (VadMinSilenceSeconds is < 0.05f or > 10f)
            yield return $"Speech:VadMinSilenceSeconds must be between 0.05 and 10 (got {VadMinSilenceSeconds}).";
        if (VadMinSpeechSeconds is < 0.05f or > 10f)
            yield return $"Speech:VadMinSpeechSeconds must be between 0.05 and 10 (got {VadMinSpeechSeconds}).";
        if (VadMaxSpeechSeconds < 1f || VadMaxSpeechSeconds <= VadMinSpeechSeconds)
            yield return $"Speech:VadMaxSpeechSeconds must be at least 1 and above VadMinSpeechSeconds (got {VadMaxSpeechSeconds}).";
        if (MaxRecognitionSeconds is < 5f or > 29f)
            yield return $"Speech:MaxRecognitionSeconds must be between 5 and 29: Whisper's window is 30 s (got {MaxRecognitionSeconds}).";
        // sherpa-onnx exit()s the whole process on a language the model does not know, so an
        // unknown code must be caught here, not there.
        if (!string.IsNullOrEmpty(Language))
        {
            var known = IsSenseVoice ? SpeechLanguages.SenseVoice : SpeechLanguages.Whisper;
            if (!known.Contains(Language))
                yield return $"Speech:Language \"{Language}\" is not a {(IsSenseVoice ? "SenseVoice" : "Whisper")} language code; use one of {string.Join(",", known.Order())} or leave it empty for auto-detection.";
        }
    }

    /// <summary>A configured model path: absolute as given, relative under the models folder.</summary>
    public static string ResolveModelPath(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(ProjectPaths.ModelsDir, path));

    /// <summary>The files the configured recognizer needs (VAD included), resolved.</summary>
    public IReadOnlyList<string> RecognizerFiles() => IsSenseVoice
        ? [ResolveModelPath(VadModel), ResolveModelPath(SenseVoiceModel), ResolveModelPath(SenseVoiceTokens)]
        : [ResolveModelPath(VadModel), ResolveModelPath(WhisperEncoder), ResolveModelPath(WhisperDecoder), ResolveModelPath(WhisperTokens)];

    internal SileroVadSettings VadSettings() => new(
        ResolveModelPath(VadModel), VadThreshold, VadMinSilenceSeconds, VadMinSpeechSeconds, VadMaxSpeechSeconds, Threads: 1);
}

/// <summary>Language codes the recognizers accept (Whisper's 99, SenseVoice's five).</summary>
public static class SpeechLanguages
{
    public static readonly IReadOnlySet<string> Whisper = new HashSet<string>(
        ("en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg " +
         "lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so " +
         "af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su")
        .Split(' '), StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> SenseVoice =
        new HashSet<string>(["auto", "zh", "en", "yue", "ja", "ko"], StringComparer.Ordinal);
}

public static class SpeechRecognizers
{
    /// <summary>The configured recognizer, or null (with one log line saying why) when ASR is off or its model is missing.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message lists what to fix).</exception>
    /// <exception cref="SpeechException">The model files exist but sherpa-onnx cannot load them.</exception>
    public static ISpeechRecognizer? Create(SpeechOptions options, ILogger logger)
    {
        if (!options.Enabled)
        {
            logger.LogInformation("Speech recognition is switched off (Speech:Enabled=false); segments get no transcript.");
            return null;
        }

        var errors = options.Validate().ToList();
        if (errors.Count > 0)
            throw new ArgumentException("Speech options are invalid: " + string.Join(" ", errors), nameof(options));

        var missing = options.RecognizerFiles().Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            logger.LogWarning(
                "Speech recognition is switched off: {Recognizer} model files are missing ({Missing}); put them under {ModelsDir} ('./mmi models sync') or point Speech:* at them. The rest of the pipeline runs without transcripts.",
                options.IsSenseVoice ? "SenseVoice" : "Whisper", string.Join(", ", missing), ProjectPaths.ModelsDir);
            return null;
        }

        return SherpaSpeechRecognizer.Create(options, logger);
    }
}

/// <summary>What one segment heard: its share of the utterances.</summary>
public sealed record SegmentTranscript(int Ordinal, string Text, IReadOnlyList<Utterance> Utterances);
