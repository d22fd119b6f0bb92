using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Onnx;

/// <summary>
/// Every ORT object lives in one of these: the release function runs exactly once, also when the
/// owner forgets to dispose (finaliser) or an exception unwinds past a half-built object.
/// </summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle() : base(IntPtr.Zero, ownsHandle: true) { }
    public override bool IsInvalid => handle == IntPtr.Zero;
    public IntPtr Raw => handle;
}

internal sealed unsafe class OrtEnvHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseEnv(handle); return true; }
}

internal sealed unsafe class OrtSessionOptionsHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseSessionOptions(handle); return true; }
}

internal sealed unsafe class OrtSessionHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseSession(handle); return true; }
}

internal sealed unsafe class OrtValueHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseValue(handle); return true; }
}

internal sealed unsafe class OrtMemoryInfoHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseMemoryInfo(handle); return true; }
}

internal sealed unsafe class OrtRunOptionsHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseRunOptions(handle); return true; }
}

internal sealed unsafe class OrtTypeInfoHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseTypeInfo(handle); return true; }
}

internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseTensorTypeAndShapeInfo(handle); return true; }
}

internal sealed unsafe class OrtModelMetadataHandle : OrtHandle
{
    protected override bool ReleaseHandle() { OrtNative.ReleaseModelMetadata(handle); return true; }
}

/// <summary>A block of native memory (names ORT reads during Run), freed when the last user lets go.</summary>
internal sealed unsafe class NativeBlockHandle : OrtHandle
{
    public static NativeBlockHandle Allocate(int bytes)
    {
        var h = new NativeBlockHandle();
        Marshal.InitHandle(h, (IntPtr)NativeMemory.Alloc((nuint)bytes));
        return h;
    }

    protected override bool ReleaseHandle() { NativeMemory.Free((void*)handle); return true; }
}

internal static class OrtHandleExtensions
{
    /// <summary>Wraps a freshly returned pointer; the handle is created first so nothing leaks if the wrap fails.</summary>
    public static T Own<T>(this IntPtr raw) where T : OrtHandle, new()
    {
        var h = new T();
        Marshal.InitHandle(h, raw);
        return h;
    }
}
