using System.Globalization;
namespace MultiModalIndexer.Inference.Onnx;

/// <summary>ONNXTensorElementDataType (the subset of values is complete; only some are used).</summary>
public enum TensorElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7,
    String = 8, Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14,
    Complex128 = 15, BFloat16 = 16,
}

/// <summary>GraphOptimizationLevel.</summary>
public enum GraphOptimizationLevel
{
    DisableAll = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}

/// <summary>How a session is built. Threads 0 = ORT's default (one per core).</summary>
public sealed record OrtSessionSettings
{
    public int IntraOpThreads { get; init; }
    public int InterOpThreads { get; init; } = 1;
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.All;
    /// <summary>Parallel executor (inter-op) is only useful for branchy graphs; CLIP is a chain.</summary>
    public bool ParallelExecution { get; init; }
    public bool CpuMemArena { get; init; } = true;
    /// <summary>Extra session config entries (AddSessionConfigEntry), e.g. "session.intra_op.allow_spinning" = "0".</summary>
    public IReadOnlyDictionary<string, string>? ConfigEntries { get; init; }
}

/// <summary>One graph input or output: name, ONNX element type, shape (-1 = dynamic) and symbolic dim names.</summary>
public sealed record OrtNodeInfo(string Name, bool IsTensor, TensorElementType ElementType, long[] Shape, string[] SymbolicShape)
{
    public int Rank => Shape.Length;
    public bool IsDynamic(int axis) => axis < Shape.Length && Shape[axis] < 0;
    public override string ToString() =>
        $"{Name}: {ElementType}[{string.Join(",", Shape.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : (SymbolicShape[i] is { Length: > 0 } s ? s : "?")))}]";
}

/// <summary>Model metadata (SessionGetModelMetadata), including the custom metadata map.</summary>
public sealed record OrtModelMetadata(
    string ProducerName,
    string GraphName,
    string Domain,
    string Description,
    long Version,
    IReadOnlyDictionary<string, string> Custom);
