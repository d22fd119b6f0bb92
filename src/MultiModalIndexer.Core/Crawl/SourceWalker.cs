using MultiModalIndexer.Common;

namespace MultiModalIndexer.Crawl;

/// <summary>A candidate video found under a source root.</summary>
public sealed record DiscoveredFile(string Path, string Source, long Size, long MtimeTicks);

/// <summary>Result of walking the sources: candidates, files that cannot be indexed (with why), ignored count.</summary>
public sealed record WalkResult(
    IReadOnlyList<DiscoveredFile> Files,
    IReadOnlyList<FailedFile> Problems,
    IReadOnlyList<string> Roots,
    int Ignored)
{
    /// <summary>
    /// Roots and folders that could not be looked into (missing, unmounted, unreadable, or an empty
    /// root as an unmounted mount point shows): files known under them are unavailable, not deleted.
    /// </summary>
    public IReadOnlyList<string> Unavailable { get; init; } = [];

    public bool IsUnavailable(string path) => Unavailable.Any(u => RealPath.IsAtOrUnder(path, u));
}

/// <summary>
/// Walks source roots without following symlinks blindly: a symlink whose final target lies outside
/// every root is not followed (listed as a problem when it looks like a video); one inside the roots
/// is skipped because its target is walked on its own, so each real file is indexed once. Folder
/// symlinks are never descended (no loops). Zero-length entries (empty files,
/// FIFOs, sockets, devices) are listed without being opened, since opening a FIFO blocks.
/// </summary>
public static class SourceWalker
{
    public static WalkResult Walk(IReadOnlyList<SourceOptions> sources, IEnumerable<string> videoExtensions, CancellationToken ct = default)
    {
        var extensions = MediaExtensions.ToSet(videoExtensions);
        // A root that does not resolve stays as written: the loop below reports it as missing.
        var roots = sources.Select(s => RealPath.Resolve(s.Root) ?? Path.GetFullPath(s.Root)).ToList();
        var files = new List<DiscoveredFile>();
        var problems = new List<FailedFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ignored = 0;
        var unavailable = new List<string>();

        for (var i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            var root = roots[i];
            var filter = new PathFilter(source.Include, source.Exclude);
            if (File.Exists(root))
            {
                // An ad-hoc file root (`./mmi index a.mp4`): the user named it, so extension filters do not apply.
                var fi = new FileInfo(root);
                if (seen.Add(fi.FullName)) files.Add(new DiscoveredFile(fi.FullName, source.Name, fi.Length, fi.LastWriteTimeUtc.Ticks));
                continue;
            }
            if (!Directory.Exists(root))
            {
                problems.Add(new FailedFile(source.Root, "source root is unavailable (missing, moved or unmounted); its indexed files are kept"));
                unavailable.Add(root);
                continue;
            }
            try
            {
                // An unmounted disk leaves its mount point behind, empty: not the same as every file deleted.
                if (!Directory.EnumerateFileSystemEntries(root).Any())
                {
                    unavailable.Add(root);
                    continue;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* reported by the walk below */ }

            var stack = new Stack<string>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                var dir = stack.Pop();
                IEnumerable<FileSystemInfo> entries;
                try
                {
                    entries = new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add(new FailedFile(dir, "folder not readable (its indexed files are kept): " + e.Message));
                    unavailable.Add(dir);
                    continue;
                }

                foreach (var entry in entries)
                {
                    var rel = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
                    if (entry.LinkTarget is not null)
                    {
                        if (entry is DirectoryInfo) continue; // never descend folder links: no loops, no escapes
                        if (!extensions.Contains(Path.GetExtension(entry.Name)) || !filter.Accepts(rel)) { ignored++; continue; }
                        var reason = SymlinkProblem(entry, roots);
                        if (reason is not null) problems.Add(new FailedFile(entry.FullName, reason));
                        continue;
                    }
                    if (entry is DirectoryInfo) { stack.Push(entry.FullName); continue; }
                    if (!extensions.Contains(Path.GetExtension(entry.Name)) || !filter.Accepts(rel)) { ignored++; continue; }
                    var file = (FileInfo)entry;
                    if (file.Length == 0)
                    {
                        // Never opened: FIFOs, sockets and devices also report length 0, and opening a FIFO blocks.
                        problems.Add(new FailedFile(file.FullName, "empty file (0 bytes) or not a regular file; nothing to index"));
                        continue;
                    }
                    if (seen.Add(file.FullName))
                        files.Add(new DiscoveredFile(file.FullName, source.Name, file.Length, file.LastWriteTimeUtc.Ticks));
                }
            }
        }
        return new WalkResult(files, problems, roots, ignored) { Unavailable = unavailable };
    }

    /// <summary>Null when the link's target is a regular file inside the roots (it is indexed under its own path).</summary>
    private static string? SymlinkProblem(FileSystemInfo link, IReadOnlyList<string> roots)
    {
        FileSystemInfo? target;
        try
        {
            target = link.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException e)
        {
            return "symlink cannot be resolved (loop?): " + e.Message;
        }
        if (target is null || !target.Exists) return $"dangling symlink: target '{link.LinkTarget}' does not exist";
        var real = RealPath.Resolve(target.FullName);
        if (real is null) return $"symlink cannot be resolved (loop?): '{link.LinkTarget}'";
        if (!roots.Any(r => RealPath.IsAtOrUnder(real, r)))
            return $"symlink points outside the configured roots ('{real}'); not followed";
        return null;
    }
}
