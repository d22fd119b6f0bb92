// API SKELETON written by the integrator so later stages compile against it.
// The speech stage replaces these bodies (and may split this file); keep the signatures.
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Media;

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
}

public static class SpeechRecognizers
{
    /// <summary>The configured recognizer, or null (with one log line saying why) when ASR is off or its model is missing.</summary>
    public static ISpeechRecognizer? Create(SpeechOptions options, ILogger logger) => throw new NotImplementedException($"{options}{logger}");
}

/// <summary>What one segment heard: its share of the utterances.</summary>
public sealed record SegmentTranscript(int Ordinal, string Text, IReadOnlyList<Utterance> Utterances);

public static class TranscriptAligner
{
    /// <summary>Assigns utterance text to the segments it overlaps in time (policy documented on the implementation).</summary>
    public static IReadOnlyList<SegmentTranscript> Align(IReadOnlyList<Utterance> utterances, IReadOnlyList<SegmentSpan> segments) =>
        throw new NotImplementedException($"{utterances.Count}{segments.Count}");
}
