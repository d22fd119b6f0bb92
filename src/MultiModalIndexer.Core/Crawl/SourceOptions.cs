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

    /// <summary>Messages that say what to fix; <paramref name="index"/> names the array entry.</summary>
    public IEnumerable<string> Validate(int index)
    {
        var where = $"Sources:{index}";
        if (string.IsNullOrWhiteSpace(Name)) yield return $"{where}:Name is empty: give each source a unique name.";
        if (string.IsNullOrWhiteSpace(Root))
            yield return $"{where}:Root is empty: set it to the media folder to index.";
        else if (!Directory.Exists(Root))
            yield return File.Exists(Root)
                ? $"{where}:Root '{Root}' is a file: set it to a folder."
                : $"{where}:Root '{Root}' does not exist: create it or fix the path.";
        foreach (var g in Include.Concat(Exclude))
            if (string.IsNullOrWhiteSpace(g)) yield return $"{where}: an Include/Exclude glob is empty: remove it.";
        if (CronShape.Check(Schedule) is { } cronError) yield return $"{where}:Schedule '{Schedule}': {cronError}";
    }
}

/// <summary>A file (or folder) that could not be indexed, with why.</summary>
public sealed record FailedFile(string Path, string Error);
