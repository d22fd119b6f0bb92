namespace MultiModalIndexer.Inference.Speech;

public enum SpeechErrorKind
{
    /// <summary>A model file named by the options does not exist.</summary>
    ModelMissing,
    /// <summary>A model file exists but is not a usable ONNX model of the expected kind.</summary>
    ModelInvalid,
    /// <summary>sherpa-onnx refused a configuration or could not create an object.</summary>
    EngineFailed,
    /// <summary>The audio cannot be processed (e.g. longer than the engine can index).</summary>
    InvalidAudio,
}

/// <summary>Why speech processing failed, with a one-line reason.</summary>
public sealed class SpeechException(SpeechErrorKind kind, string reason, Exception? inner = null) : Exception(reason, inner)
{
    public SpeechErrorKind Kind { get; } = kind;
}
