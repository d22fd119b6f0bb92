using MultiModalIndexer.Common;

namespace MultiModalIndexer.Crawl;

/// <summary>One configured media root ("Sources" array in configuration).</summary>
public sealed class SourceOptions
{
    public string Name { get; set; } = "";
    /// <summary>A folder (configured sources) or, for ad-hoc CLI runs, a single file.</summary>
    public string Root { get; set; } = "";
    /// <summary>Globs relative to the root ('**' any folders, '*' any name part, '?' one character), case-insensitive.</summary>
    public List<string> Include { get; set; } = ["**/*"];
    public List<string> Exclude { get; set; } = [];
    /// <summary>Quartz cron expression for scheduled crawls.</summary>
    public string Schedule { get; set; } = "0 0/15 * * * ?";
    /// <summary>
    /// How long files under an unavailable root or folder (unmounted, moved away, unreadable) keep their
    /// documents before they are removed; unset keeps them until the root returns.
    /// </summary>
    public TimeSpan? MissingGrace { get; set; }

    /// <summary>Messages that say what to fix; <paramref name="index"/> names the array entry.</summary>
    /// <param name="cronError">The schedule check: Quartz's own in the daemon, <see cref="CronShape"/> elsewhere.</param>
    public IEnumerable<string> Validate(int index, Func<string?, string?>? cronError = null)
    {
        var where = $"Sources:{index}";
        if (string.IsNullOrWhiteSpace(Name)) yield return $"{where}:Name is empty: give each source a short unique name (e.g. \"lectures\").";
        if (string.IsNullOrWhiteSpace(Root))
            yield return $"{where}:Root is empty: set it to the media folder to index.";
        else if (!Directory.Exists(Root))
            yield return File.Exists(Root)
                ? $"{where}:Root '{Root}' is a file: set it to a folder."
                : $"{where}:Root '{Root}' does not exist: create it, fix the path or mount it.";
        if (Include.Count == 0 || Include.Any(string.IsNullOrWhiteSpace))
            yield return $"{where}:Include must list at least one non-empty glob (e.g. \"**/*\").";
        if (Exclude.Any(string.IsNullOrWhiteSpace)) yield return $"{where}:Exclude contains an empty glob: remove it.";
        if ((cronError ?? CronShape.Check)(Schedule) is { } cron)
            yield return $"{where}:Schedule '{Schedule}' is not a valid Quartz cron expression ({cron}); seconds come first, e.g. \"0 0/15 * * * ?\" for every 15 minutes.";
        if (MissingGrace is { } grace && grace < TimeSpan.Zero) yield return $"{where}:MissingGrace must not be negative (e.g. \"7.00:00:00\" for a week).";
    }

    /// <summary>
    /// The one source validator (composition, daemon and CLI): each entry, names unique ignoring case, and roots
    /// neither the same nor nested (a file would be indexed twice).
    /// </summary>
    public static IEnumerable<string> ValidateAll(IReadOnlyList<SourceOptions> sources, Func<string?, string?>? cronError = null)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < sources.Count; i++)
        {
            foreach (var m in sources[i].Validate(i, cronError)) yield return m;
            var name = sources[i].Name;
            if (!string.IsNullOrWhiteSpace(name) && !names.Add(name))
                yield return $"Sources:{i}:Name '{name}' is used twice: give each source a unique name (names are compared ignoring case).";
        }
        var roots = sources.Where(x => Directory.Exists(x.Root)).Select(x => (x.Name, Real: RealPath.Resolve(x.Root) ?? Path.GetFullPath(x.Root))).ToList();
        for (var a = 0; a < roots.Count; a++)
            for (var b = 0; b < roots.Count; b++)
                if (a != b && RealPath.IsAtOrUnder(roots[b].Real, roots[a].Real) && (roots[a].Real != roots[b].Real || a < b))
                    yield return roots[a].Real == roots[b].Real
                        ? $"Sources: '{roots[a].Name}' and '{roots[b].Name}' have the same root '{roots[a].Real}': keep one."
                        : $"Sources: the root of '{roots[b].Name}' ({roots[b].Real}) lies inside the root of '{roots[a].Name}' ({roots[a].Real}): roots must not be nested; remove one or exclude the folder.";
    }
}

/// <summary>A file (or folder) that could not be indexed, with why.</summary>
public sealed record FailedFile(string Path, string Error);
