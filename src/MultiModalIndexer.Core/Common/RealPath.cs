namespace MultiModalIndexer.Common;

/// <summary>
/// The one realpath(3) for crawl and API. In managed code: an absolute path with every symlink resolved, component by
/// component, so ".." after a symlink means the link target's parent (as the kernel sees it).
/// </summary>
public static class RealPath
{
    private const int MaxLinkHops = 40;

    /// <summary>The canonical path, or null when it does not exist, loops, or cannot be read.</summary>
    public static string? Resolve(string path)
    {
        try
        {
            // Not Path.GetFullPath: it folds ".." lexically, before the symlinks it should climb out of.
            return ResolveCore(Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static string? ResolveCore(string fullPath)
    {
        var pending = new LinkedList<string>(Split(fullPath));
        var current = "/";
        var hops = 0;
        while (pending.First is { } node)
        {
            var part = node.Value;
            pending.RemoveFirst();
            if (part is "" or ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            var next = current == "/" ? "/" + part : current + "/" + part;
            FileSystemInfo info = new FileInfo(next);
            if (!info.Exists)
            {
                info = new DirectoryInfo(next);
                if (!info.Exists) return null;
            }
            if (info.LinkTarget is { } target)
            {
                if (++hops > MaxLinkHops) return null;
                // Splice the link's target in front of what is left; an absolute target restarts at "/".
                var parts = Split(target);
                for (var i = parts.Length - 1; i >= 0; i--) pending.AddFirst(parts[i]);
                if (target.StartsWith('/')) current = "/";
                continue;
            }
            current = next;
        }
        return current;
    }

    private static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True when <paramref name="canonicalPath"/> is strictly inside one of the canonical roots.</summary>
    public static bool IsUnder(string canonicalPath, IEnumerable<string> canonicalRoots)
    {
        foreach (var root in canonicalRoots)
        {
            var prefix = root.EndsWith('/') ? root : root + "/";
            if (canonicalPath.StartsWith(prefix, StringComparison.Ordinal) && canonicalPath.Length > prefix.Length)
                return true;
        }
        return false;
    }

    /// <summary>True when <paramref name="canonicalPath"/> is <paramref name="canonicalRoot"/> itself or inside it (a file root names one file).</summary>
    public static bool IsAtOrUnder(string canonicalPath, string canonicalRoot) =>
        canonicalPath == canonicalRoot || IsUnder(canonicalPath, [canonicalRoot]);
}
