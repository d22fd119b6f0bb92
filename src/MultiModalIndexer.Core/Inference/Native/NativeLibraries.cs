using System.Reflection;
using System.Runtime.InteropServices;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Inference.Native;

/// <summary>
/// One resolver for every native engine this assembly binds. A DllImport resolver can be set only
/// once per assembly, so the bindings (Onnx/, Speech/, Ocr/) name their library by the constants
/// here and never load anything themselves. ORT is loaded from the same folder as sherpa-onnx, whose
/// RPATH is $ORIGIN, so the process holds exactly one libonnxruntime.so.
/// </summary>
public static class NativeLibraries
{
    public const string OnnxRuntime = "onnxruntime";
    public const string SherpaOnnx = "sherpa-onnx-c-api";
    public const string Tesseract = "tesseract";
    public const string Leptonica = "leptonica";

    private static int _registered;

    /// <summary>Called by each binding's static constructor; idempotent.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    /// <summary>Full path of a runtime shipped by setup, or a clear error saying how to get it.</summary>
    public static string RuntimePath(string fileName)
    {
        var path = Path.Combine(ProjectPaths.RuntimesDir, fileName);
        if (!File.Exists(path))
            throw new DllNotFoundException(
                $"{fileName} not found in {ProjectPaths.RuntimesDir}. Run './mmi setup' (it fetches the native runtimes from npm), or set MMI_RUNTIMES_DIR.");
        return path;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        switch (name)
        {
            case OnnxRuntime:
                return NativeLibrary.Load(RuntimePath("libonnxruntime.so"));
            case SherpaOnnx:
                return NativeLibrary.Load(RuntimePath("libsherpa-onnx-c-api.so"));
            case Tesseract:
                Common.OpenMp.LimitThreadsBeforeLoading();
                return LoadSystem("libtesseract.so.5", "tesseract-ocr and libtesseract5");
            case Leptonica:
                return LoadSystem("liblept.so.5", "libleptonica-dev or liblept5");
            default:
                return IntPtr.Zero;
        }
    }

    private static IntPtr LoadSystem(string soname, string debianPackages)
    {
        if (NativeLibrary.TryLoad(soname, out var h)) return h;
        throw new DllNotFoundException($"{soname} could not be loaded. Run './mmi setup' (installs Debian {debianPackages}).");
    }
}
