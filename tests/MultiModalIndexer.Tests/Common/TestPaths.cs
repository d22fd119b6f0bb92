using MultiModalIndexer.Common;

namespace MultiModalIndexer.Tests.Common;

/// <summary>Paths tests read from: ../shared (real media/models) and a per-run scratch folder.</summary>
public static class TestPaths
{
    /// <summary>../shared; the suite needs it (CI clones beside it), so its absence is a failure, not a skip.</summary>
    public static string Shared => ProjectPaths.SharedDir
        ?? throw new InvalidOperationException("../shared is missing beside the checkout; tests read real media and models from it.");

    public static string SharedFile(params string[] parts) => Path.Combine([Shared, .. parts]);

    /// <summary>A fresh folder under .cache/test-scratch, unique per call.</summary>
    public static string NewScratchDir(string name)
    {
        var dir = Path.Combine(ProjectPaths.CacheDir, "test-scratch", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A cache folder for generated fixtures that is reused across runs (content-addressed by name).</summary>
    public static string FixtureDir(string name)
    {
        var dir = Path.Combine(ProjectPaths.CacheDir, "fixtures", name);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
