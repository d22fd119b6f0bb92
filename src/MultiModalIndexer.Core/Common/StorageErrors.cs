using Microsoft.Data.Sqlite;

namespace MultiModalIndexer.Common;

/// <summary>
/// Our own storage (data folder, store, ledger, thumbnails) failed, not the media being indexed:
/// one line that says what is wrong, where, and the command that fixes it. Never counts against a
/// file's retry budget.
/// </summary>
public class StorageException(string problem, string where, string remedy, Exception? inner = null)
    : Exception($"{problem} ({where}). Fix: {remedy}", inner)
{
    public string Problem { get; } = problem;
    public string Where { get; } = where;
    public string Remedy { get; } = remedy;
}

/// <summary>The store or ledger file fails <c>PRAGMA quick_check</c> or is not a database at all.</summary>
public sealed class StoreCorruptException(string problem, string where, string remedy, Exception? inner = null)
    : StorageException(problem, where, remedy, inner);

/// <summary>Maps exceptions of our own files (SQLite codes, errno) to <see cref="StorageException"/>.</summary>
public static class StorageErrors
{
    private const int Enospc = 28, Edquot = 122, Erofs = 30;

    public static string DoctorCommand(string dataDir) => $"run `./mmi doctor --data {dataDir} --repair`";

    /// <summary>
    /// The storage error behind <paramref name="e"/> (walking inner and aggregate exceptions), or null
    /// when it is not about our own files. <paramref name="dataDir"/> names the folder in messages and
    /// decides whether a bare IO error concerns our files.
    /// </summary>
    public static StorageException? Describe(Exception e, string? dataDir)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case StorageException s:
                    return s;
                case AggregateException a when a.InnerExceptions.Count > 0:
                    return a.InnerExceptions.Select(i => Describe(i, dataDir)).FirstOrDefault(d => d is not null);
                case SqliteException q when ForSqlite(q, dataDir ?? "the data folder", dataDir) is { } s:
                    return s;
                case IOException io when io.HResult is Enospc or Edquot:
                    return new StorageException("the disk is full", dataDir ?? "data folder", "free space on that disk, then run the command again", e);
                case IOException io when io.HResult == Erofs:
                    return new StorageException("the data folder is on a read-only file system", dataDir ?? "data folder", "point --data (Indexing:DataDir) at a writable folder", e);
                case IOException or UnauthorizedAccessException when dataDir is not null && x.Message.Contains(dataDir, StringComparison.Ordinal):
                    return new StorageException($"cannot write our own files: {x.Message}", dataDir,
                        $"make {dataDir} and its thumbs/ a writable folder (not a file), with free space, then run the command again", e);
            }
        }
        return null;
    }

    /// <summary>SQLite result codes that mean the database file (not the query) is the problem.</summary>
    public static StorageException? ForSqlite(SqliteException e, string where, string? dataDir)
    {
        var dir = dataDir ?? (Path.IsPathRooted(where) ? Path.GetDirectoryName(where) ?? where : where);
        return (e.SqliteErrorCode & 0xFF) switch
        {
            11 or 26 => new StoreCorruptException($"the database is damaged or not a database ({e.Message.TrimEnd('.')})", where,
                $"{DoctorCommand(dir)} (moves the damaged file aside and rebuilds it from the media)", e),
            13 => new StorageException("the disk is full", where, "free space on that disk, then run the command again", e),
            8 => new StorageException("the database is read-only", where, $"make {dir} writable by this user", e),
            10 or 14 or 23 => new StorageException($"the database cannot be read or written ({e.Message.TrimEnd('.')})", where,
                $"check that {dir} exists, is mounted and is writable by this user", e),
            _ => null,
        };
    }
}
