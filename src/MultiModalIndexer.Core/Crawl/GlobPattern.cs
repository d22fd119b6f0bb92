using System.Text;
using System.Text.RegularExpressions;

namespace MultiModalIndexer.Crawl;

/// <summary>
/// Include/exclude globs over paths relative to a source root, '/'-separated: '**' spans folders,
/// '*' and '?' stay within one name. Case-insensitive (media libraries mix .MP4 and .mp4).
/// </summary>
public sealed class GlobPattern
{
    private readonly Regex _regex;
    public string Pattern { get; }

    public GlobPattern(string pattern)
    {
        Pattern = pattern.Replace('\\', '/').TrimStart('/');
        _regex = new Regex("^" + ToRegex(Pattern) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    public bool IsMatch(string relativePath) => _regex.IsMatch(relativePath.Replace('\\', '/'));

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                // "**/" matches zero or more folders; a trailing "**" matches everything below.
                if (i + 2 < glob.Length && glob[i + 2] == '/') { sb.Append("(?:.*/)?"); i += 2; }
                else { sb.Append(".*"); i += 1; }
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.ToString();
    }
}

/// <summary>A source's include and exclude globs together.</summary>
public sealed class PathFilter(IEnumerable<string> include, IEnumerable<string> exclude)
{
    private readonly GlobPattern[] _include = include.Select(g => new GlobPattern(g)).ToArray();
    private readonly GlobPattern[] _exclude = exclude.Select(g => new GlobPattern(g)).ToArray();

    public bool Accepts(string relativePath) =>
        (_include.Length == 0 || _include.Any(g => g.IsMatch(relativePath))) && !_exclude.Any(g => g.IsMatch(relativePath));
}
