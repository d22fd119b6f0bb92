using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MultiModalIndexer.Inference.Native;

namespace MultiModalIndexer.Inference.Onnx;

/// <summary>
/// The ONNX Runtime C API function table, bound once per process. ORT exposes one exported symbol,
/// OrtGetApiBase; everything else is a function pointer in the OrtApi struct, whose field order is the
/// ABI (fields are only ever appended). <see cref="TableOrder"/> transcribes that order from
/// onnxruntime_c_api.h (identical in ORT's own C# binding, NativeMethods.shared.cs), so each pointer is
/// found by name rather than by a hand-counted offset. Only the entries CLIP and the benches call are typed.
/// This file and the handles beside it are the only unsafe ORT code in the product.
/// </summary>
internal static unsafe class OrtNative
{
    /// <summary>API version requested; 1.28 serves 1..28. 17 (ORT 1.17) covers everything used here.</summary>
    public const uint ApiVersion = 17;

    [StructLayout(LayoutKind.Sequential)]
    private struct OrtApiBase
    {
        public delegate* unmanaged<uint, IntPtr*> GetApi;
        public delegate* unmanaged<byte*> GetVersionString;
    }

    [DllImport(NativeLibraries.OnnxRuntime, CallingConvention = CallingConvention.Cdecl)]
    private static extern OrtApiBase* OrtGetApiBase();

    // OrtApi fields in declaration order (onnxruntime_c_api.h, struct OrtApi), up to the last one used.
    private static readonly string[] TableOrder =
    [
        "CreateStatus", "GetErrorCode", "GetErrorMessage", "CreateEnv", "CreateEnvWithCustomLogger",
        "EnableTelemetryEvents", "DisableTelemetryEvents", "CreateSession", "CreateSessionFromArray", "Run",
        "CreateSessionOptions", "SetOptimizedModelFilePath", "CloneSessionOptions", "SetSessionExecutionMode",
        "EnableProfiling", "DisableProfiling", "EnableMemPattern", "DisableMemPattern", "EnableCpuMemArena",
        "DisableCpuMemArena", "SetSessionLogId", "SetSessionLogVerbosityLevel", "SetSessionLogSeverityLevel",
        "SetSessionGraphOptimizationLevel", "SetIntraOpNumThreads", "SetInterOpNumThreads",
        "CreateCustomOpDomain", "CustomOpDomain_Add", "AddCustomOpDomain", "RegisterCustomOpsLibrary",
        "SessionGetInputCount", "SessionGetOutputCount", "SessionGetOverridableInitializerCount",
        "SessionGetInputTypeInfo", "SessionGetOutputTypeInfo", "SessionGetOverridableInitializerTypeInfo",
        "SessionGetInputName", "SessionGetOutputName", "SessionGetOverridableInitializerName",
        "CreateRunOptions", "RunOptionsSetRunLogVerbosityLevel", "RunOptionsSetRunLogSeverityLevel",
        "RunOptionsSetRunTag", "RunOptionsGetRunLogVerbosityLevel", "RunOptionsGetRunLogSeverityLevel",
        "RunOptionsGetRunTag", "RunOptionsSetTerminate", "RunOptionsUnsetTerminate",
        "CreateTensorAsOrtValue", "CreateTensorWithDataAsOrtValue", "IsTensor", "GetTensorMutableData",
        "FillStringTensor", "GetStringTensorDataLength", "GetStringTensorContent",
        "CastTypeInfoToTensorInfo", "GetOnnxTypeFromTypeInfo", "CreateTensorTypeAndShapeInfo",
        "SetTensorElementType", "SetDimensions", "GetTensorElementType", "GetDimensionsCount", "GetDimensions",
        "GetSymbolicDimensions", "GetTensorShapeElementCount", "GetTensorTypeAndShape", "GetTypeInfo",
        "GetValueType", "CreateMemoryInfo", "CreateCpuMemoryInfo", "CompareMemoryInfo", "MemoryInfoGetName",
        "MemoryInfoGetId", "MemoryInfoGetMemType", "MemoryInfoGetType", "AllocatorAlloc", "AllocatorFree",
        "AllocatorGetInfo", "GetAllocatorWithDefaultOptions", "AddFreeDimensionOverride", "GetValue",
        "GetValueCount", "CreateValue", "CreateOpaqueValue", "GetOpaqueValue",
        "KernelInfoGetAttribute_float", "KernelInfoGetAttribute_int64", "KernelInfoGetAttribute_string",
        "KernelContext_GetInputCount", "KernelContext_GetOutputCount", "KernelContext_GetInput",
        "KernelContext_GetOutput",
        "ReleaseEnv", "ReleaseStatus", "ReleaseMemoryInfo", "ReleaseSession", "ReleaseValue",
        "ReleaseRunOptions", "ReleaseTypeInfo", "ReleaseTensorTypeAndShapeInfo", "ReleaseSessionOptions",
        "ReleaseCustomOpDomain", "GetDenotationFromTypeInfo", "CastTypeInfoToMapTypeInfo",
        "CastTypeInfoToSequenceTypeInfo", "GetMapKeyType", "GetMapValueType", "GetSequenceElementType",
        "ReleaseMapTypeInfo", "ReleaseSequenceTypeInfo", "SessionEndProfiling",
        "SessionGetModelMetadata", "ModelMetadataGetProducerName", "ModelMetadataGetGraphName",
        "ModelMetadataGetDomain", "ModelMetadataGetDescription", "ModelMetadataLookupCustomMetadataMap",
        "ModelMetadataGetVersion", "ReleaseModelMetadata",
        "CreateEnvWithGlobalThreadPools", "DisablePerSessionThreads", "CreateThreadingOptions",
        "ReleaseThreadingOptions", "ModelMetadataGetCustomMetadataMapKeys", "AddFreeDimensionOverrideByName",
        "GetAvailableProviders", "ReleaseAvailableProviders", "GetStringTensorElementLength",
        "GetStringTensorElement", "FillStringTensorElement", "AddSessionConfigEntry",
    ];

    public static readonly string Version;

    // OrtStatus* is returned as IntPtr (null = success); see Check.
    public static readonly delegate* unmanaged<IntPtr, int> GetErrorCode;
    public static readonly delegate* unmanaged<IntPtr, byte*> GetErrorMessage;
    public static readonly delegate* unmanaged<int, byte*, IntPtr*, IntPtr> CreateEnv;
    public static readonly delegate* unmanaged<IntPtr, byte*, IntPtr, IntPtr*, IntPtr> CreateSession;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr> Run;
    public static readonly delegate* unmanaged<IntPtr*, IntPtr> CreateSessionOptions;
    public static readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionExecutionMode;
    public static readonly delegate* unmanaged<IntPtr, IntPtr> EnableCpuMemArena;
    public static readonly delegate* unmanaged<IntPtr, IntPtr> DisableCpuMemArena;
    public static readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;
    public static readonly delegate* unmanaged<IntPtr, int, IntPtr> SetIntraOpNumThreads;
    public static readonly delegate* unmanaged<IntPtr, int, IntPtr> SetInterOpNumThreads;
    public static readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetInputCount;
    public static readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetOutputCount;
    public static readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;
    public static readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;
    public static readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;
    public static readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;
    public static readonly delegate* unmanaged<IntPtr*, IntPtr> CreateRunOptions;
    public static readonly delegate* unmanaged<IntPtr, IntPtr> RunOptionsSetTerminate;
    public static readonly delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue;
    public static readonly delegate* unmanaged<IntPtr, int*, IntPtr> IsTensor;
    public static readonly delegate* unmanaged<IntPtr, void**, IntPtr> GetTensorMutableData;
    public static readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;
    public static readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetOnnxTypeFromTypeInfo;
    public static readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetTensorElementType;
    public static readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> GetDimensionsCount;
    public static readonly delegate* unmanaged<IntPtr, long*, nuint, IntPtr> GetDimensions;
    public static readonly delegate* unmanaged<IntPtr, byte**, nuint, IntPtr> GetSymbolicDimensions;
    public static readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShape;
    public static readonly delegate* unmanaged<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;
    public static readonly delegate* unmanaged<IntPtr, void*, IntPtr> AllocatorFree;
    public static readonly delegate* unmanaged<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseEnv;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseStatus;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseMemoryInfo;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseSession;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseValue;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseRunOptions;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseTypeInfo;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseTensorTypeAndShapeInfo;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseSessionOptions;
    public static readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> SessionGetModelMetadata;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetProducerName;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetGraphName;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetDomain;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> ModelMetadataGetDescription;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, byte*, byte**, IntPtr> ModelMetadataLookupCustomMetadataMap;
    public static readonly delegate* unmanaged<IntPtr, long*, IntPtr> ModelMetadataGetVersion;
    public static readonly delegate* unmanaged<IntPtr, void> ReleaseModelMetadata;
    public static readonly delegate* unmanaged<IntPtr, IntPtr, byte***, long*, IntPtr> ModelMetadataGetCustomMetadataMapKeys;
    public static readonly delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> AddSessionConfigEntry;

    static OrtNative()
    {
        NativeLibraries.EnsureRegistered();
        OrtApiBase* apiBase;
        try
        {
            apiBase = OrtGetApiBase();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new OnnxRuntimeException(OrtErrorCode.Fail, "ONNX Runtime could not be loaded: " + e.Message, e);
        }
        Version = Marshal.PtrToStringUTF8((IntPtr)apiBase->GetVersionString()) ?? "?";
        var table = apiBase->GetApi(ApiVersion);
        if (table is null)
            throw new OnnxRuntimeException(OrtErrorCode.Fail,
                $"ONNX Runtime {Version} does not serve C API version {ApiVersion}; install the runtime with './mmi setup'.");

        var index = new Dictionary<string, int>(TableOrder.Length, StringComparer.Ordinal);
        for (var i = 0; i < TableOrder.Length; i++) index.Add(TableOrder[i], i);
        IntPtr F(string name) => table[index[name]];

        GetErrorCode = (delegate* unmanaged<IntPtr, int>)F(nameof(GetErrorCode));
        GetErrorMessage = (delegate* unmanaged<IntPtr, byte*>)F(nameof(GetErrorMessage));
        CreateEnv = (delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)F(nameof(CreateEnv));
        CreateSession = (delegate* unmanaged<IntPtr, byte*, IntPtr, IntPtr*, IntPtr>)F(nameof(CreateSession));
        Run = (delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)F(nameof(Run));
        CreateSessionOptions = (delegate* unmanaged<IntPtr*, IntPtr>)F(nameof(CreateSessionOptions));
        SetSessionExecutionMode = (delegate* unmanaged<IntPtr, int, IntPtr>)F(nameof(SetSessionExecutionMode));
        EnableCpuMemArena = (delegate* unmanaged<IntPtr, IntPtr>)F(nameof(EnableCpuMemArena));
        DisableCpuMemArena = (delegate* unmanaged<IntPtr, IntPtr>)F(nameof(DisableCpuMemArena));
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)F(nameof(SetSessionGraphOptimizationLevel));
        SetIntraOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)F(nameof(SetIntraOpNumThreads));
        SetInterOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)F(nameof(SetInterOpNumThreads));
        SessionGetInputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)F(nameof(SessionGetInputCount));
        SessionGetOutputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)F(nameof(SessionGetOutputCount));
        SessionGetInputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)F(nameof(SessionGetInputTypeInfo));
        SessionGetOutputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)F(nameof(SessionGetOutputTypeInfo));
        SessionGetInputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)F(nameof(SessionGetInputName));
        SessionGetOutputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)F(nameof(SessionGetOutputName));
        CreateRunOptions = (delegate* unmanaged<IntPtr*, IntPtr>)F(nameof(CreateRunOptions));
        RunOptionsSetTerminate = (delegate* unmanaged<IntPtr, IntPtr>)F(nameof(RunOptionsSetTerminate));
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)F(nameof(CreateTensorWithDataAsOrtValue));
        IsTensor = (delegate* unmanaged<IntPtr, int*, IntPtr>)F(nameof(IsTensor));
        GetTensorMutableData = (delegate* unmanaged<IntPtr, void**, IntPtr>)F(nameof(GetTensorMutableData));
        CastTypeInfoToTensorInfo = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)F(nameof(CastTypeInfoToTensorInfo));
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged<IntPtr, int*, IntPtr>)F(nameof(GetOnnxTypeFromTypeInfo));
        GetTensorElementType = (delegate* unmanaged<IntPtr, int*, IntPtr>)F(nameof(GetTensorElementType));
        GetDimensionsCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)F(nameof(GetDimensionsCount));
        GetDimensions = (delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)F(nameof(GetDimensions));
        GetSymbolicDimensions = (delegate* unmanaged<IntPtr, byte**, nuint, IntPtr>)F(nameof(GetSymbolicDimensions));
        GetTensorTypeAndShape = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)F(nameof(GetTensorTypeAndShape));
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, IntPtr*, IntPtr>)F(nameof(CreateCpuMemoryInfo));
        AllocatorFree = (delegate* unmanaged<IntPtr, void*, IntPtr>)F(nameof(AllocatorFree));
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<IntPtr*, IntPtr>)F(nameof(GetAllocatorWithDefaultOptions));
        ReleaseEnv = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseEnv));
        ReleaseStatus = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseStatus));
        ReleaseMemoryInfo = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseMemoryInfo));
        ReleaseSession = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseSession));
        ReleaseValue = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseValue));
        ReleaseRunOptions = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseRunOptions));
        ReleaseTypeInfo = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseTypeInfo));
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseTensorTypeAndShapeInfo));
        ReleaseSessionOptions = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseSessionOptions));
        SessionGetModelMetadata = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)F(nameof(SessionGetModelMetadata));
        ModelMetadataGetProducerName = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)F(nameof(ModelMetadataGetProducerName));
        ModelMetadataGetGraphName = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)F(nameof(ModelMetadataGetGraphName));
        ModelMetadataGetDomain = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)F(nameof(ModelMetadataGetDomain));
        ModelMetadataGetDescription = (delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr>)F(nameof(ModelMetadataGetDescription));
        ModelMetadataLookupCustomMetadataMap = (delegate* unmanaged<IntPtr, IntPtr, byte*, byte**, IntPtr>)F(nameof(ModelMetadataLookupCustomMetadataMap));
        ModelMetadataGetVersion = (delegate* unmanaged<IntPtr, long*, IntPtr>)F(nameof(ModelMetadataGetVersion));
        ReleaseModelMetadata = (delegate* unmanaged<IntPtr, void>)F(nameof(ReleaseModelMetadata));
        ModelMetadataGetCustomMetadataMapKeys = (delegate* unmanaged<IntPtr, IntPtr, byte***, long*, IntPtr>)F(nameof(ModelMetadataGetCustomMetadataMapKeys));
        AddSessionConfigEntry = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)F(nameof(AddSessionConfigEntry));
    }

    /// <summary>Forces the static constructor (library load + table binding) to run.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Touch() { }

    /// <summary>Turns an OrtStatus* into an exception carrying ORT's message, releasing the status.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(IntPtr status)
    {
        if (status != IntPtr.Zero) Throw(status);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(IntPtr status)
    {
        var code = (OrtErrorCode)GetErrorCode(status);
        var message = Marshal.PtrToStringUTF8((IntPtr)GetErrorMessage(status)) ?? "(no message)";
        ReleaseStatus(status);
        throw new OnnxRuntimeException(code, message);
    }

    /// <summary>ORT's default CPU allocator (owned by ORT, never released).</summary>
    public static IntPtr DefaultAllocator
    {
        get
        {
            IntPtr a;
            Check(GetAllocatorWithDefaultOptions(&a));
            return a;
        }
    }

    /// <summary>Copies a string ORT allocated with the default allocator, then frees it.</summary>
    public static string? TakeAllocatedString(byte* s)
    {
        if (s is null) return null;
        try
        {
            return Marshal.PtrToStringUTF8((IntPtr)s);
        }
        finally
        {
            Check(AllocatorFree(DefaultAllocator, s));
        }
    }

    /// <summary>NUL-terminated UTF-8 copy of a managed string (for names and paths).</summary>
    public static byte[] Utf8Z(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
