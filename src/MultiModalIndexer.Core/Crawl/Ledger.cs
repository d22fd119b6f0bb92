using Microsoft.Data.Sqlite;

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
}

public sealed record LedgerSourceCounts(string Source, int Files, int Indexed, int Pending, int Failed, long Segments);

/// <summary>
/// The crawl ledger: SQLite (WAL) in the data folder, one connection guarded by a lock (writes are
/// tiny and rare next to decoding, so one writer is plenty and keeps SQLite's locking out of play).
/// </summary>
public sealed class Ledger : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    public string DatabasePath { get; }

    public Ledger(string databasePath)
    {
        DatabasePath = System.IO.Path.GetFullPath(databasePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(DatabasePath)!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
        Exec("""
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
            """);
    }

    private const string Columns = "path, source, size, mtime, fingerprint, status, attempts, last_error, next_attempt_at, model_versions, document_count, video_id, pending_video_id, duration, updated_at";

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
            cmd.CommandText = $"INSERT OR REPLACE INTO files({Columns}) VALUES ($path, $source, $size, $mtime, $fp, $status, $attempts, $err, $next, $models, $docs, $vid, $pvid, $dur, $upd)";
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
                cmd.CommandText = $"INSERT OR REPLACE INTO files({Columns}) VALUES ($path, $source, $size, $mtime, $fp, $status, $attempts, $err, $next, $models, $docs, $vid, $pvid, $dur, $upd)";
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
                       sum(CASE WHEN status = 'indexed' AND (pending_video_id IS NULL) THEN document_count ELSE 0 END)
                FROM files GROUP BY source ORDER BY source
                """;
            cmd.Parameters.AddWithValue("$max", MaxAttemptsForCounts);
            using var r = cmd.ExecuteReader();
            var list = new List<LedgerSourceCounts>();
            while (r.Read())
                list.Add(new LedgerSourceCounts(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt64(5)));
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
    }

    private void Exec(string sql)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }
    }

    public void Dispose()
    {
        lock (_lock) _db.Dispose();
    }
}
