using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Speech.Sherpa;

/// <summary>Which offline model family and its files.</summary>
internal abstract record OfflineModelSettings(string Tokens, int Threads);

internal sealed record WhisperSettings(string Encoder, string Decoder, string Tokens, string Language, int Threads)
    : OfflineModelSettings(Tokens, Threads);

internal sealed record SenseVoiceSettings(string Model, string Tokens, string Language, bool UseItn, int Threads)
    : OfflineModelSettings(Tokens, Threads);

/// <summary>Text and language of one decoded piece of audio.</summary>
internal readonly record struct OfflineResult(string Text, string Language);

/// <summary>
/// A sherpa-onnx offline recognizer. Decoding is serialised: sherpa's Whisper implementation
/// rewrites its decoder config on every decode, so one recognizer must not decode on two threads.
/// </summary>
internal sealed unsafe class SherpaOfflineRecognizer : IDisposable
{
    public const int SampleRate = 16000;
    private readonly SherpaOfflineRecognizerHandle _handle;
    private readonly Lock _decodeLock = new();

    private SherpaOfflineRecognizer(SherpaOfflineRecognizerHandle handle) => _handle = handle;

    public static string Version
    {
        get
        {
            SherpaNative.EnsureLoaded();
            return Marshal.PtrToStringUTF8(SherpaNative.SherpaOnnxGetVersionStr()) ?? "?";
        }
    }

    public static SherpaOfflineRecognizer Create(OfflineModelSettings settings)
    {
        SherpaNative.EnsureLoaded();
        if (!File.Exists(settings.Tokens)) throw new SpeechException(SpeechErrorKind.ModelMissing, $"tokens file not found: {settings.Tokens}");
        switch (settings)
        {
            case WhisperSettings w:
                OnnxModelCheck.Require(w.Encoder, "Whisper encoder", OnnxModelCheck.WhisperEncoderKeys);
                var dec = OnnxModelCheck.Require(w.Decoder, "Whisper decoder");
                if (dec.Inputs.Count != 6 || dec.Outputs.Count < 3)
                    throw new SpeechException(SpeechErrorKind.ModelInvalid,
                        $"{Path.GetFileName(w.Decoder)} is not a sherpa-onnx Whisper decoder (it needs 6 inputs: tokens, self k/v caches, cross k/v, offset; found {dec.Inputs.Count}).");
                break;
            case SenseVoiceSettings sv:
                OnnxModelCheck.Require(sv.Model, "SenseVoice model", OnnxModelCheck.SenseVoiceKeys);
                break;
        }
        using var strings = new Utf8Strings();
        var config = new SherpaOnnxOfflineRecognizerConfig
        {
            FeatConfig = new SherpaOnnxFeatureConfig { SampleRate = SampleRate, FeatureDim = 80 },
            DecodingMethod = strings.Add("greedy_search"),
        };
        config.ModelConfig.Tokens = strings.Add(settings.Tokens);
        config.ModelConfig.NumThreads = Math.Max(1, settings.Threads);
        config.ModelConfig.Provider = strings.Add("cpu");
        switch (settings)
        {
            case WhisperSettings w:
                config.ModelConfig.Whisper = new SherpaOnnxOfflineWhisperModelConfig
                {
                    Encoder = strings.Add(w.Encoder),
                    Decoder = strings.Add(w.Decoder),
                    // Empty = sherpa detects the language from the first decoder step.
                    Language = strings.Add(w.Language),
                    // Always transcribe: the index wants the words as spoken, not an English translation.
                    Task = strings.Add("transcribe"),
                };
                break;
            case SenseVoiceSettings sv:
                config.ModelConfig.SenseVoice = new SherpaOnnxOfflineSenseVoiceModelConfig
                {
                    Model = strings.Add(sv.Model),
                    Language = strings.Add(string.IsNullOrEmpty(sv.Language) ? "auto" : sv.Language),
                    UseItn = sv.UseItn ? 1 : 0,
                };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(settings), settings.GetType().Name, "unknown model family");
        }

        var native = SherpaNative.SherpaOnnxCreateOfflineRecognizer(&config);
        if (native == IntPtr.Zero)
            throw new SpeechException(SpeechErrorKind.EngineFailed, "sherpa-onnx rejected the recognizer configuration (its log above says which field).");
        return new SherpaOfflineRecognizer(SherpaOfflineRecognizerHandle.FromNative(native));
    }

    /// <summary>Recognises one piece of 16 kHz mono audio (at most ~29 s: Whisper drops the rest).</summary>
    public OfflineResult Decode(ReadOnlySpan<float> samples)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (samples.IsEmpty) return new OfflineResult("", "");
        lock (_decodeLock)
        {
            using var stream = SherpaOfflineStreamHandle.FromNative(SherpaNative.SherpaOnnxCreateOfflineStream(_handle));
            if (stream.IsInvalid) throw new SpeechException(SpeechErrorKind.EngineFailed, "sherpa-onnx could not create an offline stream.");
            fixed (float* p = samples)
                SherpaNative.SherpaOnnxAcceptWaveformOffline(stream, SampleRate, p, samples.Length);
            SherpaNative.SherpaOnnxDecodeOfflineStream(_handle, stream);
            using var result = SherpaOfflineResultHandle.FromNative(SherpaNative.SherpaOnnxGetOfflineStreamResult(stream));
            if (result.IsInvalid) return new OfflineResult("", "");
            var head = Marshal.PtrToStructure<SherpaOnnxOfflineRecognizerResultHead>(result.DangerousGetHandle());
            var text = Marshal.PtrToStringUTF8(head.Text) ?? "";
            var lang = head.Lang == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(head.Lang) ?? "";
            return new OfflineResult(text, lang);
        }
    }

    public void Dispose() => _handle.Dispose();
}
