namespace MultiModalIndexer.Common;

/// <summary>
/// Where the checkout's folders are. The launcher sets MMI_HOME; tests and tools fall back to
/// walking up from the binary until the solution file appears, so a build from any folder works.
/// </summary>
public static class ProjectPaths
{
    private static readonly Lazy<string?> RootLazy = new(FindRoot);

    /// <summary>The repository root, or null when running outside a checkout (e.g. in a container).</summary>
    public static string? Root => RootLazy.Value;

    /// <summary>Native runtimes fetched by setup (libonnxruntime.so, libsherpa-onnx-c-api.so).</summary>
    public static string RuntimesDir =>
        Environment.GetEnvironmentVariable("MMI_RUNTIMES_DIR") is { Length: > 0 } d ? d
        : Path.Combine(Root ?? AppContext.BaseDirectory, "runtimes", "linux-x64");

    /// <summary>The product's model folder (models.json manifest + git-ignored model files).</summary>
    public static string ModelsDir =>
        Environment.GetEnvironmentVariable("MMI_MODELS_HOME") is { Length: > 0 } d ? d
        : Path.Combine(Root ?? AppContext.BaseDirectory, "models");

    /// <summary>../shared beside the checkout (real test media and models); null when absent.</summary>
    public static string? SharedDir
    {
        get
        {
            if (Environment.GetEnvironmentVariable("MMI_SHARED_DIR") is { Length: > 0 } d) return d;
            if (Root is null) return null;
            var p = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            return Directory.Exists(p) ? p : null;
        }
    }

    /// <summary>Git-ignored scratch space for generated fixtures and benchmark inputs.</summary>
    public static string CacheDir
    {
        get
        {
            var p = Path.Combine(Root ?? Path.GetTempPath(), ".cache");
            Directory.CreateDirectory(p);
            return p;
        }
    }

    private static string? FindRoot()
    {
        if (Environment.GetEnvironmentVariable("MMI_HOME") is { Length: > 0 } home && Directory.Exists(home))
            return Path.GetFullPath(home);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MultiModalIndexer.sln")))
                return dir.FullName;
        return null;
    }
}
