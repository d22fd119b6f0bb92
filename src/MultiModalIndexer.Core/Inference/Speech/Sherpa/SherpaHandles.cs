using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Speech.Sherpa;

/// <summary>Base for sherpa-onnx objects: invalid when null, released by the matching Destroy call.</summary>
internal abstract class SherpaHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Live native objects of every kind, so tests can prove nothing leaks.</summary>
    internal static int LiveCount => Volatile.Read(ref _live);
    private static int _live;

    protected void Adopt(nint native)
    {
        SetHandle(native);
        if (native != IntPtr.Zero) Interlocked.Increment(ref _live);
    }

    protected sealed override bool ReleaseHandle()
    {
        Destroy(handle);
        Interlocked.Decrement(ref _live);
        return true;
    }

    protected abstract void Destroy(nint native);
}

internal sealed class SherpaVadHandle : SherpaHandle
{
    internal static SherpaVadHandle FromNative(nint p) { var h = new SherpaVadHandle(); h.Adopt(p); return h; }
    protected override void Destroy(nint native) => SherpaNative.SherpaOnnxDestroyVoiceActivityDetector(native);
}

internal sealed class SherpaOfflineRecognizerHandle : SherpaHandle
{
    internal static SherpaOfflineRecognizerHandle FromNative(nint p) { var h = new SherpaOfflineRecognizerHandle(); h.Adopt(p); return h; }
    protected override void Destroy(nint native) => SherpaNative.SherpaOnnxDestroyOfflineRecognizer(native);
}

internal sealed class SherpaOfflineStreamHandle : SherpaHandle
{
    internal static SherpaOfflineStreamHandle FromNative(nint p) { var h = new SherpaOfflineStreamHandle(); h.Adopt(p); return h; }
    protected override void Destroy(nint native) => SherpaNative.SherpaOnnxDestroyOfflineStream(native);
}

internal sealed class SherpaOfflineResultHandle : SherpaHandle
{
    internal static SherpaOfflineResultHandle FromNative(nint p) { var h = new SherpaOfflineResultHandle(); h.Adopt(p); return h; }
    protected override void Destroy(nint native) => SherpaNative.SherpaOnnxDestroyOfflineRecognizerResult(native);
}

internal sealed class SherpaSpeechSegmentHandle : SherpaHandle
{
    internal static SherpaSpeechSegmentHandle FromNative(nint p) { var h = new SherpaSpeechSegmentHandle(); h.Adopt(p); return h; }
    protected override void Destroy(nint native) => SherpaNative.SherpaOnnxDestroySpeechSegment(native);
}

/// <summary>
/// UTF-8 copies of the config strings, alive until disposed: sherpa copies them into its own
/// config during Create, so they must outlive that call and no longer.
/// </summary>
internal sealed class Utf8Strings : IDisposable
{
    private readonly List<nint> _owned = [];

    public nint Add(string? s)
    {
        if (string.IsNullOrEmpty(s)) return IntPtr.Zero;
        var p = Marshal.StringToCoTaskMemUTF8(s);
        _owned.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in _owned) Marshal.FreeCoTaskMem(p);
        _owned.Clear();
    }
}
