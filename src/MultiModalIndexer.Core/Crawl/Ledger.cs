using Microsoft.Data.Sqlite;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Crawl;

public static class LedgerStatus
{
    public const string Pending = "pending";
    public const string Indexing = "indexing";
    public const string Indexed = "indexed";
    public const string Failed = "failed";
    public const string Deleted = "deleted";
}

/// <summary>
/// One row per file. <see cref="VideoId"/> is the video whose documents the store holds for this
/// path (committed); <see cref="PendingVideoId"/> is the one being written, recorded before the
/// store write so that a crash at any moment leaves nothing the ledger does not know about.
/// </summary>
public sealed record LedgerRow
{
    public required string Path { get; init; }
    public required string Source { get; init; }
    public long Size { get; init; }
    public long MtimeTicks { get; init; }
    public string? Fingerprint { get; init; }
    public string Status { get; init; } = LedgerStatus.Pending;
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public string? ModelVersions { get; init; }
    public int DocumentCount { get; init; }
    public string? VideoId { get; init; }
    public string? PendingVideoId { get; init; }
    public double? Duration { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Set while the file's root or folder is unavailable (unmounted, moved away, unreadable); its documents stay.</summary>
    public DateTimeOffset? MissingSince { get; init; }
}

public sealed record LedgerSourceCounts(string Source, int Files, int Indexed, int Pending, int Failed, long Segments)
{
    /// <summary>Files whose root or folder is unavailable right now (documents kept).</summary>
    public int Unavailable { get; init; }
}

/// <summary>
/// The crawl ledger: SQLite (WAL) in the data folder, one connection guarded by a lock (writes are
/// tiny and rare next to decoding, so one writer is plenty and keeps SQLite's locking out of play).
/// </summary>
public sealed class Ledger : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    public string DatabasePath { get; }

    /// <summary>Where a damaged ledger was moved when this one was opened (it starts empty and is rebuilt from the store).</summary>
    public string? RecoveredFrom { get; }

    /// <summary>
    /// Opens (or creates) the ledger and checks it with <c>PRAGMA quick_check</c>. A damaged file is moved
    /// aside when <paramref name="recover"/> (the writer does this), otherwise reported as a
    /// <see cref="StoreCorruptException"/>.
    /// </summary>
    public Ledger(string databasePath, bool recover = true)
    {
        DatabasePath = System.IO.Path.GetFullPath(databasePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(DatabasePath)!);
        try
        {
            _db = Open(DatabasePath);
        }
        catch (StoreCorruptException) when (recover)
        {
            RecoveredFrom = $"{DatabasePath}.corrupt-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
            foreach (var suffix in (string[])["-wal", "-shm"])
                if (File.Exists(DatabasePath + suffix)) File.Move(DatabasePath + suffix, RecoveredFrom + suffix, overwrite: true);
            File.Move(DatabasePath, RecoveredFrom, overwrite: true);
            _db = Open(DatabasePath);
        }
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            db.Open();
            Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
            using (var check = db.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check(1)";
                var verdict = Convert.ToString(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                if (verdict != "ok")
                    throw new StoreCorruptException($"the ledger fails its integrity check ({verdict})", path,
                        $"{StorageErrors.DoctorCommand(System.IO.Path.GetDirectoryName(path)!)} (rebuilds it from the store and the files)");
            }
            CreateSchema(db);
            return db;
        }
        catch (SqliteException e) when (StorageErrors.ForSqlite(e, path, null) is { } s)
        {
            db.Dispose();
            if (s is StoreCorruptException) throw new StoreCorruptException(s.Problem.Replace("the database", "the ledger", StringComparison.Ordinal), path,
                $"{StorageErrors.DoctorCommand(System.IO.Path.GetDirectoryName(path)!)} (rebuilds it from the store and the files)", e);
            throw s;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static void CreateSchema(SqliteConnection db)
    {
        Exec(db, """
            CREATE TABLE IF NOT EXISTS files(
              path TEXT PRIMARY KEY,
              source TEXT NOT NULL,
              size INTEGER NOT NULL,
              mtime INTEGER NOT NULL,
              fingerprint TEXT,
              status TEXT NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0,
              last_error TEXT,
              next_attempt_at INTEGER,
              model_versions TEXT,
              document_count INTEGER NOT NULL DEFAULT 0,
              video_id TEXT,
              pending_video_id TEXT,
              duration REAL,
              updated_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS files_video ON files(video_id);
            CREATE INDEX IF NOT EXISTS files_fingerprint ON files(fingerprint);
            CREATE INDEX IF NOT EXISTS files_source ON files(source);
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
            """);
        using var cols = db.CreateCommand();
        cols.CommandText = "SELECT count(*) FROM pragma_table_info('files') WHERE name = 'missing_since'";
        if ((long)cols.ExecuteScalar()! == 0) Exec(db, "ALTER TABLE files ADD COLUMN missing_since INTEGER");
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>A value of the ledger's own key/value table (the store id and generation it last agreed with).</summary>
    public string? GetMeta(string key)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
            cmd.Parameters.AddWithValue("$k", key);
            return cmd.ExecuteScalar() as string;
        }
    }

    public void SetMeta(string key, string value)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// `./mmi retry`: failed files still backing off get their attempts back (and, with
    /// <paramref name="includeFinal"/>, those failed for good). Returns how many rows changed.
    /// </summary>
    public int ResetFailed(bool includeFinal)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "UPDATE files SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = $now " +
                              "WHERE status = 'failed'" + (includeFinal ? "" : " AND attempts < $max");
            cmd.Parameters.AddWithValue("$max", MaxAttemptsForCounts);
            cmd.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }
    }

    private const string Columns = "path, source, size, mtime, fingerprint, status, attempts, last_error, next_attempt_at, model_versions, document_count, video_id, pending_video_id, duration, updated_at, missing_since";

    public LedgerRow? Get(string path) => Query("WHERE path = $p", ("$p", path)).FirstOrDefault();

    public IReadOnlyList<LedgerRow> All() => Query("");

    /// <summary>Rows whose path is the root itself or lies below it.</summary>
    public IReadOnlyList<LedgerRow> Under(string root)
    {
        var prefix = root.EndsWith('/') ? root : root + "/";
        // substr instead of LIKE: paths may contain % and _.
        return Query("WHERE path = $r OR substr(path, 1, length($p)) = $p", ("$r", root), ("$p", prefix));
    }

    public IReadOnlyList<LedgerRow> WithVideoId(string videoId) =>
        Query("WHERE video_id = $v OR pending_video_id = $v", ("$v", videoId));

    public void Upsert(LedgerRow row)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"INSERT OR REPLACE INTO files({Columns}) VALUES ($path, $source, $size, $mtime, $fp, $status, $attempts, $err, $next, $models, $docs, $vid, $pvid, $dur, $upd, $missing)";
            Bind(cmd, row);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>A move: the row at <paramref name="oldPath"/> becomes <paramref name="row"/>, in one transaction.</summary>
    public void Replace(string oldPath, LedgerRow row)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using (var del = _db.CreateCommand())
            {
                del.Transaction = tx;
                del.CommandText = "DELETE FROM files WHERE path = $p";
                del.Parameters.AddWithValue("$p", oldPath);
                del.ExecuteNonQuery();
            }
            using (var cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = $"INSERT OR REPLACE INTO files({Columns}) VALUES ($path, $source, $size, $mtime, $fp, $status, $attempts, $err, $next, $models, $docs, $vid, $pvid, $dur, $upd, $missing)";
                Bind(cmd, row);
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    public void Delete(string path)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM files WHERE path = $p";
            cmd.Parameters.AddWithValue("$p", path);
            cmd.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<LedgerSourceCounts> CountsBySource()
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT source, count(*),
                       sum(status = 'indexed'),
                       sum(status IN ('pending', 'indexing') OR (status = 'failed' AND attempts < $max)),
                       sum(status = 'failed' AND attempts >= $max),
                       sum(CASE WHEN status = 'indexed' AND (pending_video_id IS NULL) THEN document_count ELSE 0 END),
                       sum(missing_since IS NOT NULL)
                FROM files GROUP BY source ORDER BY source
                """;
            cmd.Parameters.AddWithValue("$max", MaxAttemptsForCounts);
            using var r = cmd.ExecuteReader();
            var list = new List<LedgerSourceCounts>();
            while (r.Read())
                list.Add(new LedgerSourceCounts(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt64(5)) { Unavailable = r.GetInt32(6) });
            return list;
        }
    }

    /// <summary>Failed rows at or above this many attempts count as finally failed in <see cref="CountsBySource"/>.</summary>
    public int MaxAttemptsForCounts { get; set; } = 3;

    private List<LedgerRow> Query(string where, params (string Name, object Value)[] args)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = $"SELECT {Columns} FROM files {where} ORDER BY path";
            foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
            using var r = cmd.ExecuteReader();
            var list = new List<LedgerRow>();
            while (r.Read())
            {
                list.Add(new LedgerRow
                {
                    Path = r.GetString(0),
                    Source = r.GetString(1),
                    Size = r.GetInt64(2),
                    MtimeTicks = r.GetInt64(3),
                    Fingerprint = r.IsDBNull(4) ? null : r.GetString(4),
                    Status = r.GetString(5),
                    Attempts = r.GetInt32(6),
                    LastError = r.IsDBNull(7) ? null : r.GetString(7),
                    NextAttemptAt = r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
                    ModelVersions = r.IsDBNull(9) ? null : r.GetString(9),
                    DocumentCount = r.GetInt32(10),
                    VideoId = r.IsDBNull(11) ? null : r.GetString(11),
                    PendingVideoId = r.IsDBNull(12) ? null : r.GetString(12),
                    Duration = r.IsDBNull(13) ? null : r.GetDouble(13),
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(14)),
                    MissingSince = r.IsDBNull(15) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(15)),
                });
            }
            return list;
        }
    }

    private static void Bind(SqliteCommand cmd, LedgerRow row)
    {
        cmd.Parameters.AddWithValue("$path", row.Path);
        cmd.Parameters.AddWithValue("$source", row.Source);
        cmd.Parameters.AddWithValue("$size", row.Size);
        cmd.Parameters.AddWithValue("$mtime", row.MtimeTicks);
        cmd.Parameters.AddWithValue("$fp", (object?)row.Fingerprint ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$status", row.Status);
        cmd.Parameters.AddWithValue("$attempts", row.Attempts);
        cmd.Parameters.AddWithValue("$err", (object?)row.LastError ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$next", (object?)row.NextAttemptAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$models", (object?)row.ModelVersions ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$docs", row.DocumentCount);
        cmd.Parameters.AddWithValue("$vid", (object?)row.VideoId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$pvid", (object?)row.PendingVideoId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$dur", (object?)row.Duration ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$upd", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$missing", (object?)row.MissingSince?.ToUnixTimeMilliseconds() ?? DBNull.Value);
    }


    public void Dispose()
    {
        lock (_lock) _db.Dispose();
    }
}
