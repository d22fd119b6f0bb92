namespace MultiModalIndexer.Crawl;

/// <summary>
/// A shape check of Quartz cron expressions (6 or 7 fields, allowed characters). Core does not
/// reference Quartz; the daemon, which schedules the jobs, checks fully with CronExpression.
/// </summary>
public static class CronShape
{
    public static string? Check(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return "empty: use a Quartz cron expression such as '0 0/15 * * * ?'.";
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 6 or > 7)
            return $"has {fields.Length} fields; Quartz cron needs 6 or 7 (sec min hour day-of-month month day-of-week [year]), e.g. '0 0/15 * * * ?'.";
        foreach (var f in fields)
            if (f.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '*' or '?' or '/' or ',' or '-' or '#')))
                return $"field '{f}' has characters Quartz cron does not allow.";
        return null;
    }
}
