using System.Runtime.InteropServices;
using MultiModalIndexer.Inference.Native;

namespace MultiModalIndexer.Inference.Speech.Sherpa;

// The C structs of sherpa-onnx 1.13.8's c-api.h, field for field. The layout was checked against
// the shipped libsherpa-onnx-c-api.so: with model_config.debug=1 (and VAD debug=1) the library
// prints the config it read, and every field set here, up to cohere_transcribe, lm_config,
// decoding_method, rule_fsts/fars, blank_penalty and hr (and silero_vad/ten_vad for the VAD), came
// back in its place. Differences from newer headers: SherpaOnnxOfflineQwen3ASRModelConfig has no
// forced_aligner_* fields yet (with them, 1.13.8 crashes), 1.13.8 does not read a trailing
// ctc_fst_decoder_config, and the C Silero config has no neg_threshold (that is C++-only).
// Upgrading sherpa-onnx means re-checking these structs the same way.
// Pointers are `nint` so the structs stay blittable; strings are UTF-8 owned by Utf8Strings.

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxSileroVadModelConfig
{
    public nint Model;
    public float Threshold;
    public float MinSilenceDuration;
    public float MinSpeechDuration;
    public int WindowSize;
    public float MaxSpeechDuration;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxTenVadModelConfig
{
    public nint Model;
    public float Threshold;
    public float MinSilenceDuration;
    public float MinSpeechDuration;
    public int WindowSize;
    public float MaxSpeechDuration;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxVadModelConfig
{
    public SherpaOnnxSileroVadModelConfig SileroVad;
    public int SampleRate;
    public int NumThreads;
    public nint Provider;
    public int Debug;
    public SherpaOnnxTenVadModelConfig TenVad;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxSpeechSegment
{
    public int Start;
    public nint Samples;
    public int N;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxFeatureConfig
{
    public int SampleRate;
    public int FeatureDim;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineTransducerModelConfig { public nint Encoder, Decoder, Joiner; }

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineSingleModelConfig { public nint Model; }

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineWhisperModelConfig
{
    public nint Encoder, Decoder, Language, Task;
    public int TailPaddings;
    public int EnableTokenTimestamps;
    public int EnableSegmentTimestamps;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineSenseVoiceModelConfig
{
    public nint Model, Language;
    public int UseItn;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineMoonshineModelConfig { public nint Preprocessor, Encoder, UncachedDecoder, CachedDecoder, MergedDecoder; }

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineFireRedAsrModelConfig { public nint Encoder, Decoder; }

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineCanaryModelConfig
{
    public nint Encoder, Decoder, SrcLang, TgtLang;
    public int UsePnc;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineFunAsrNanoModelConfig
{
    public nint EncoderAdaptor, Llm, Embedding, Tokenizer, SystemPrompt, UserPrompt;
    public int MaxNewTokens;
    public float Temperature;
    public float TopP;
    public int Seed;
    public nint Language;
    public int Itn;
    public nint Hotwords;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineQwen3AsrModelConfig
{
    public nint ConvFrontend, Encoder, Decoder, Tokenizer;
    public int MaxTotalLen;
    public int MaxNewTokens;
    public float Temperature;
    public float TopP;
    public int Seed;
    public nint Hotwords;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineCohereTranscribeModelConfig
{
    public nint Encoder, Decoder, Language;
    public int UsePunct;
    public int UseItn;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineModelConfig
{
    public SherpaOnnxOfflineTransducerModelConfig Transducer;
    public SherpaOnnxOfflineSingleModelConfig Paraformer;
    public SherpaOnnxOfflineSingleModelConfig NemoCtc;
    public SherpaOnnxOfflineWhisperModelConfig Whisper;
    public SherpaOnnxOfflineSingleModelConfig Tdnn;
    public nint Tokens;
    public int NumThreads;
    public int Debug;
    public nint Provider;
    public nint ModelType;
    public nint ModelingUnit;
    public nint BpeVocab;
    public nint TeleSpeechCtc;
    public SherpaOnnxOfflineSenseVoiceModelConfig SenseVoice;
    public SherpaOnnxOfflineMoonshineModelConfig Moonshine;
    public SherpaOnnxOfflineFireRedAsrModelConfig FireRedAsr;
    public SherpaOnnxOfflineSingleModelConfig Dolphin;
    public SherpaOnnxOfflineSingleModelConfig ZipformerCtc;
    public SherpaOnnxOfflineCanaryModelConfig Canary;
    public SherpaOnnxOfflineSingleModelConfig WenetCtc;
    public SherpaOnnxOfflineSingleModelConfig Omnilingual;
    public SherpaOnnxOfflineSingleModelConfig MedAsr;
    public SherpaOnnxOfflineFunAsrNanoModelConfig FunAsrNano;
    public SherpaOnnxOfflineSingleModelConfig FireRedAsrCtc;
    public SherpaOnnxOfflineQwen3AsrModelConfig Qwen3Asr;
    public SherpaOnnxOfflineCohereTranscribeModelConfig CohereTranscribe;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineLmConfig
{
    public nint Model;
    public float Scale;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxHomophoneReplacerConfig { public nint DictDir, Lexicon, RuleFsts; }

[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineRecognizerConfig
{
    public SherpaOnnxFeatureConfig FeatConfig;
    public SherpaOnnxOfflineModelConfig ModelConfig;
    public SherpaOnnxOfflineLmConfig LmConfig;
    public nint DecodingMethod;
    public int MaxActivePaths;
    public nint HotwordsFile;
    public float HotwordsScore;
    public nint RuleFsts;
    public nint RuleFars;
    public float BlankPenalty;
    public SherpaOnnxHomophoneReplacerConfig Hr;
}

/// <summary>Leading fields of SherpaOnnxOfflineRecognizerResult (read only; the library owns the rest).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineRecognizerResultHead
{
    public nint Text;
    public nint Timestamps;
    public int Count;
    public nint Tokens;
    public nint TokensArr;
    public nint Json;
    public nint Lang;
}

/// <summary>The exported functions used here. Every Create has its Destroy, called only by the SafeHandles.</summary>
internal static unsafe partial class SherpaNative
{
    private const string Lib = NativeLibraries.SherpaOnnx;

    static SherpaNative() => NativeLibraries.EnsureRegistered();

    /// <summary>Forces the static constructor (the resolver) before the first P/Invoke of a caller.</summary>
    internal static void EnsureLoaded() { }

    [LibraryImport(Lib)] internal static partial nint SherpaOnnxGetVersionStr();

    // VAD
    [LibraryImport(Lib)] internal static partial nint SherpaOnnxCreateVoiceActivityDetector(SherpaOnnxVadModelConfig* config, float bufferSizeInSeconds);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxDestroyVoiceActivityDetector(nint vad);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxVoiceActivityDetectorAcceptWaveform(SherpaVadHandle vad, float* samples, int n);
    [LibraryImport(Lib)] internal static partial int SherpaOnnxVoiceActivityDetectorEmpty(SherpaVadHandle vad);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxVoiceActivityDetectorPop(SherpaVadHandle vad);
    [LibraryImport(Lib)] internal static partial nint SherpaOnnxVoiceActivityDetectorFront(SherpaVadHandle vad);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxDestroySpeechSegment(nint segment);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxVoiceActivityDetectorReset(SherpaVadHandle vad);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxVoiceActivityDetectorFlush(SherpaVadHandle vad);

    // Offline recognizer
    [LibraryImport(Lib)] internal static partial nint SherpaOnnxCreateOfflineRecognizer(SherpaOnnxOfflineRecognizerConfig* config);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxDestroyOfflineRecognizer(nint recognizer);
    [LibraryImport(Lib)] internal static partial nint SherpaOnnxCreateOfflineStream(SherpaOfflineRecognizerHandle recognizer);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxDestroyOfflineStream(nint stream);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxAcceptWaveformOffline(SherpaOfflineStreamHandle stream, int sampleRate, float* samples, int n);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxDecodeOfflineStream(SherpaOfflineRecognizerHandle recognizer, SherpaOfflineStreamHandle stream);
    [LibraryImport(Lib)] internal static partial nint SherpaOnnxGetOfflineStreamResult(SherpaOfflineStreamHandle stream);
    [LibraryImport(Lib)] internal static partial void SherpaOnnxDestroyOfflineRecognizerResult(nint result);
}
