using Microsoft.Extensions.Configuration;
using MultiModalIndexer.Common;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;
using Quartz;

namespace MultiModalIndexer.Daemon.Configuration;

/// <summary>
/// The configured sources ("Sources" array) and their canonical roots. The roots are what
/// /media re-checks every resolved file against, so they are canonicalised once, symlinks resolved.
/// </summary>
public sealed class SourceCatalog
{
    public const string Section = "Sources";

    public SourceCatalog(IReadOnlyList<SourceOptions> sources)
    {
        Sources = sources;
        CanonicalRoots = sources
            .Select(s => RealPath.Resolve(s.Root))
            .Where(r => r is not null)
            .Select(r => r!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    public IReadOnlyList<SourceOptions> Sources { get; }

    /// <summary>Existing source roots with every symlink resolved (no trailing separator).</summary>
    public IReadOnlyList<string> CanonicalRoots { get; }

    public SourceOptions? Find(string name) =>
        Sources.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    public static SourceCatalog FromConfiguration(IConfiguration configuration) =>
        new(configuration.GetSection(Section).Get<List<SourceOptions>>() ?? []);

    public IEnumerable<string> Validate()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Sources.Count; i++)
        {
            var s = Sources[i];
            var at = $"Sources:{i}";
            if (string.IsNullOrWhiteSpace(s.Name))
                yield return $"{at}:Name is empty: give each source a short unique name (e.g. \"lectures\").";
            else if (!names.Add(s.Name))
                yield return $"{at}:Name '{s.Name}' is used twice: source names must be unique.";
            if (string.IsNullOrWhiteSpace(s.Root))
                yield return $"{at}:Root is empty: set it to the folder holding the videos.";
            else if (!Directory.Exists(s.Root))
                yield return $"{at}:Root '{s.Root}' does not exist or is not a folder: fix the path or mount it.";
            if (CronError(s.Schedule) is { } cron)
                yield return $"{at}:Schedule '{s.Schedule}' is not a valid Quartz cron expression ({cron}); seconds come first, e.g. \"0 0/15 * * * ?\" for every 15 minutes.";
            if (s.Include.Count == 0 || s.Include.Any(string.IsNullOrWhiteSpace))
                yield return $"{at}:Include must list at least one non-empty glob (e.g. \"**/*\").";
            if (s.Exclude.Any(string.IsNullOrWhiteSpace))
                yield return $"{at}:Exclude contains an empty glob: remove it.";
        }
    }

    private static string? CronError(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return "empty";
        try
        {
            _ = new CronExpression(expression);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}
