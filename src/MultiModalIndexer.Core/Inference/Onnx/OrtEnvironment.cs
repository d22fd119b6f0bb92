using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Onnx;

/// <summary>
/// The process-wide ORT environment. ORT keeps one OrtEnv per process (sherpa-onnx, loaded beside it,
/// shares the same library), so this is created lazily once and lives until exit.
/// </summary>
public static unsafe class OrtEnvironment
{
    private static readonly Lazy<OrtEnvHandle> Env = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OrtMemoryInfoHandle> Cpu = new(CreateCpuInfo, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>ORT's version string (GetVersionString), e.g. "1.28.2". Loads the library on first use.</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return OrtNative.Version;
        }
    }

    /// <summary>
    /// Loads the library and binds the table, surfacing a load failure as the <see cref="OnnxRuntimeException"/>
    /// saying how to install the runtime (not as a TypeInitializationException), every time it is asked.
    /// </summary>
    public static void EnsureLoaded()
    {
        try
        {
            OrtNative.Touch();
        }
        catch (TypeInitializationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    internal static OrtEnvHandle Handle
    {
        get
        {
            EnsureLoaded();
            return Env.Value;
        }
    }

    /// <summary>CPU memory info for tensors over managed memory (device allocator, default mem type).</summary>
    internal static OrtMemoryInfoHandle CpuMemory
    {
        get
        {
            EnsureLoaded();
            return Cpu.Value;
        }
    }

    private static OrtEnvHandle Create()
    {
        var h = new OrtEnvHandle();
        IntPtr env;
        fixed (byte* id = OrtNative.Utf8Z("mmi"))
            OrtNative.Check(OrtNative.CreateEnv(3 /* ORT_LOGGING_LEVEL_ERROR */, id, &env));
        Marshal.InitHandle(h, env);
        return h;
    }

    private static OrtMemoryInfoHandle CreateCpuInfo()
    {
        var h = new OrtMemoryInfoHandle();
        IntPtr info;
        OrtNative.Check(OrtNative.CreateCpuMemoryInfo(0 /* OrtDeviceAllocator */, 0 /* OrtMemTypeDefault */, &info));
        Marshal.InitHandle(h, info);
        return h;
    }
}
