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

    /// <summary>The one source validator, with Quartz's own cron check (the daemon schedules the jobs).</summary>
    public IEnumerable<string> Validate() => SourceOptions.ValidateAll(Sources, CronError);

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
