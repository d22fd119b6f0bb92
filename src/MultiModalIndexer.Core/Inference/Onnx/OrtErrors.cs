namespace MultiModalIndexer.Inference.Onnx;

/// <summary>OrtErrorCode from onnxruntime_c_api.h.</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
    ModelLoadCanceled = 12,
    ModelRequiresCompilation = 13,
    NotFound = 14,
}

/// <summary>An ORT call failed; <see cref="Exception.Message"/> is ORT's own message.</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException(OrtErrorCode code, string message, Exception? inner = null)
        : base($"[ORT {code}] {message}", inner)
    {
        Code = code;
        OrtMessage = message;
    }

    public OrtErrorCode Code { get; }
    public string OrtMessage { get; }
}
