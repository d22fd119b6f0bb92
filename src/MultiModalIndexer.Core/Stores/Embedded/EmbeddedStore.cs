using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using MultiModalIndexer.Common;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores.Embedded;

/// <summary>
/// SQLite (WAL, one writer) with FTS5 BM25 over CJK-analysed text + exact SIMD vector scan +
/// OpenSearch-style fusion. Layout: <c>videos</c>, <c>segments</c> (columns + JSON for nested parts,
/// vector as a float32 BLOB), and one contentless FTS5 table per text field (<c>fts_title</c>,
/// <c>fts_transcript</c>, <c>fts_ocr</c>) holding the analysed text under the segment's <c>seq</c>.
/// One video's upsert is one transaction.
/// Text scoring: BM25 per field (each field its own length statistics, as in Lucene), combined like
/// OpenSearch's <c>multi_match</c> <c>best_fields</c>: the best boosted field score plus
/// <see cref="TieBreaker"/> × the other fields' boosted scores. Terms are OR-ed like <c>match</c>.
/// </summary>
public sealed partial class EmbeddedStore : ISegmentStore, IFingerprintStore
{
    /// <summary>Field boosts and tie breaker, shared with OpenSearch's multi_match (see SEARCH-SEMANTICS.md).</summary>
    public const double TitleBoost = TextFieldBoosts.Title, TranscriptBoost = TextFieldBoosts.Transcript, OcrBoost = TextFieldBoosts.Ocr,
        TieBreaker = TextFieldBoosts.TieBreaker;
    /// <summary>2: per-field FTS tables and timed OCR lines.</summary>
    private const int SchemaVersion = 2;
    /// <summary>The per-field FTS5 tables, in the order of <see cref="FieldBoosts"/>.</summary>
    private static readonly string[] FtsTables = ["fts_title", "fts_transcript", "fts_ocr"];
    private static readonly double[] FieldBoosts = [TitleBoost, TranscriptBoost, OcrBoost];

    private readonly string _databasePath;
    private readonly EmbeddedStoreOptions _options;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private SqliteConnection? _writer;
    private SegmentCatalog? _catalog;
    /// <summary>The store generation <see cref="_catalog"/> reflects; another process's write moves the stored one on.</summary>
    private long _catalogGeneration = -1;
    /// <summary>Document frequency per term for the text budget; approximate by design, dropped after writes.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _docFreq = new(StringComparer.Ordinal);
    private bool _schemaReady;
    private bool _disposed;

    public EmbeddedStore(string databasePath, EmbeddedStoreOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _databasePath = Path.GetFullPath(databasePath);
        _options = options;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath => _databasePath;

    /// <summary>SQLite faults of the file itself (damaged, disk full, unreadable) become one-line storage errors.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> body)
    {
        try { return await body(); }
        catch (SqliteException e) when (StorageErrors.ForSqlite(e, _databasePath, null) is not null)
        {
            throw StorageErrors.ForSqlite(e, _databasePath, null)!;
        }
    }

    private async Task Guard(Func<Task> body) => await Guard<bool>(async () => { await body(); return true; });

    // ---------------------------------------------------------------- schema

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_schemaReady) return;
        await _initLock.WaitAsync(ct);
        try
        {
            if (_schemaReady) return;
            Directory.CreateDirectory(Path.GetDirectoryName(_databasePath)!);
            var conn = new SqliteConnection(_connectionString);
            try
            {
                await conn.OpenAsync(ct);
                Exec(conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;");
                using (var check = conn.CreateCommand())
                {
                    // quick_check is O(pages) without the index cross-checks: cheap enough once per open.
                    check.CommandText = "PRAGMA quick_check(1)";
                    var verdict = Convert.ToString(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                    if (verdict != "ok")
                        throw new StoreCorruptException($"the store fails its integrity check ({verdict})", _databasePath,
                            $"{StorageErrors.DoctorCommand(Path.GetDirectoryName(_databasePath)!)} (moves the damaged file aside and rebuilds it from the media)");
                }
                using (var tx = conn.BeginTransaction())
                {
                    Exec(conn, $"""
                        CREATE TABLE IF NOT EXISTS schema_info(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                        CREATE TABLE IF NOT EXISTS videos(
                            id TEXT PRIMARY KEY NOT NULL,
                            source_path TEXT NOT NULL, storage TEXT NOT NULL, file_name TEXT NOT NULL, title TEXT NOT NULL,
                            duration REAL NOT NULL, segment_count INTEGER NOT NULL, transcript TEXT NOT NULL, language TEXT,
                            indexed_at INTEGER NOT NULL, media TEXT, model_versions TEXT NOT NULL, mean_vector BLOB);
                        CREATE INDEX IF NOT EXISTS videos_by_path ON videos(source_path, id);
                        CREATE TABLE IF NOT EXISTS segments(
                            seq INTEGER PRIMARY KEY AUTOINCREMENT,
                            {SegmentTableColumns});
                        CREATE INDEX IF NOT EXISTS segments_by_video ON segments(video_id, ordinal);
                        """, tx);
                    foreach (var t in FtsTables)
                        Exec(conn, $"""
                            CREATE VIRTUAL TABLE IF NOT EXISTS {t} USING fts5(
                                body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
                            CREATE VIRTUAL TABLE IF NOT EXISTS {t}_vocab USING fts5vocab('{t}', 'row');
                            """, tx);
                    Exec(conn, FingerprintSchema, tx);
                    var cmd = conn.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = """
                        INSERT INTO schema_info(key, value) VALUES('store_id', $id) ON CONFLICT(key) DO NOTHING;
                        INSERT INTO schema_info(key, value) VALUES('generation', '0') ON CONFLICT(key) DO NOTHING;
                        INSERT INTO schema_info(key, value) VALUES('version', $v) ON CONFLICT(key) DO NOTHING; SELECT value FROM schema_info WHERE key='version';
                        """;
                    cmd.Parameters.AddWithValue("$v", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    cmd.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
                    var version = Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                    if (version != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
                        throw new InvalidOperationException($"{_databasePath} has schema version {version}; this build reads version {SchemaVersion}. Re-index into a new file.");
                    tx.Commit();
                }
            }
            catch (SqliteException e) when (StorageErrors.ForSqlite(e, _databasePath, null) is not null)
            {
                await conn.DisposeAsync(); // no half-opened writer left behind
                SqliteConnection.ClearPool(conn);
                throw StorageErrors.ForSqlite(e, _databasePath, null)!;
            }
            catch
            {
                await conn.DisposeAsync(); // no half-opened writer left behind
                SqliteConnection.ClearPool(conn);
                throw;
            }
            _writer = conn;
            _schemaReady = true;
        }
        finally { _initLock.Release(); }
    }

    private static void Exec(SqliteConnection conn, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>
    /// Loads vectors and filter metadata into memory now rather than on the first search (seconds at
    /// 100k segments); the host may call it at start-up. Returns the number of segments loaded.
    /// </summary>
    public async Task<int> WarmUpAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenReaderAsync(ct);
        return (await GetCatalogAsync(ReadGeneration(conn), ct)).Count;
    }

    /// <summary>The committed write generation (one indexed point read: cheap enough for every query).</summary>
    private static long ReadGeneration(SqliteConnection conn, SqliteTransaction? tx = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT CAST(value AS INTEGER) FROM schema_info WHERE key = 'generation'";
        return cmd.ExecuteScalar() is long g ? g : 0;
    }

    /// <summary>Bumps the generation inside a write transaction; returns the new value.</summary>
    private static long BumpGeneration(SqliteConnection conn, SqliteTransaction tx)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE schema_info SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation' RETURNING CAST(value AS INTEGER)";
        return cmd.ExecuteScalar() is long g ? g : 0;
    }

    /// <summary>After our own commit: keep the catalog when it was current, else drop it for a reload.</summary>
    private void Committed(long generation, string videoId, List<CatalogRow> rows)
    {
        if (_catalog is not null && _catalogGeneration == generation - 1)
        {
            _catalog.ReplaceVideo(videoId, rows);
            _catalogGeneration = generation;
        }
        else _catalog = null;
        _docFreq.Clear();
    }

    /// <summary>
    /// Vectors + filter metadata in memory, current as of <paramref name="generation"/>: loaded on first
    /// use, kept in sync by our writes, reloaded when another process (or store instance) committed.
    /// </summary>
    private async Task<SegmentCatalog> GetCatalogAsync(long generation, CancellationToken ct)
    {
        if (_catalog is { } c && _catalogGeneration >= generation) return c;
        await EnsureSchemaAsync(ct);
        await _writeLock.WaitAsync(ct); // no write may commit between our read and publishing the catalog
        try
        {
            if (_catalog is { } c2 && _catalogGeneration >= generation) return c2;
            var catalog = new SegmentCatalog(_options.QuantizeVectors);
            using var snapshot = _writer!.BeginTransaction(deferred: true); // generation and rows from one snapshot
            var loadedGeneration = ReadGeneration(_writer, snapshot);
            using var cmd = _writer!.CreateCommand();
            cmd.Transaction = snapshot;
            cmd.CommandText = "SELECT seq, video_id, source_path, storage, language, start_s, end_s, indexed_at, vector FROM segments ORDER BY seq";
            using var reader = cmd.ExecuteReader();
            var bytes = new byte[SegmentCatalog.Dim * sizeof(float)];
            while (reader.Read())
            {
                // BLOB bytes land in one reused buffer and are copied straight into the matrix.
                bool hasVector = !reader.IsDBNull(8) && reader.GetBytes(8, 0, null, 0, 0) == bytes.Length;
                if (hasVector) reader.GetBytes(8, 0, bytes, 0, bytes.Length);
                var row = new CatalogRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetDouble(6) - reader.GetDouble(5), reader.GetInt64(7), null);
                catalog.Add(row, hasVector ? MemoryMarshal.Cast<byte, float>(bytes) : default);
            }
            _catalog = catalog;
            _catalogGeneration = loadedGeneration;
            _docFreq.Clear();
            return catalog;
        }
        finally { _writeLock.Release(); }
    }

    // ---------------------------------------------------------------- writes

    public async Task UpsertVideoAsync(VideoDocument video, IReadOnlyList<SegmentDocument> segments, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(segments);
        ValidateForWrite(video, segments);
        await EnsureSchemaAsync(ct);
        await _writeLock.WaitAsync(ct);
        try
        {
            ct.ThrowIfCancellationRequested();
            var conn = _writer!;
            var rows = new List<CatalogRow>(segments.Count);
            long generation;
            using (var tx = conn.BeginTransaction())
            {
                DeleteVideoRows(conn, tx, video.Id);
                using (var cmd = conn.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = """
                        INSERT INTO videos(id, source_path, storage, file_name, title, duration, segment_count, transcript, language, indexed_at, media, model_versions, mean_vector)
                        VALUES($id, $path, $storage, $file, $title, $duration, $count, $transcript, $lang, $at, $media, $models, $vec)
                        """;
                    cmd.Parameters.AddWithValue("$id", video.Id);
                    cmd.Parameters.AddWithValue("$path", video.SourcePath);
                    cmd.Parameters.AddWithValue("$storage", video.Storage);
                    cmd.Parameters.AddWithValue("$file", video.FileName);
                    cmd.Parameters.AddWithValue("$title", video.Title);
                    cmd.Parameters.AddWithValue("$duration", video.Duration);
                    cmd.Parameters.AddWithValue("$count", video.SegmentCount);
                    cmd.Parameters.AddWithValue("$transcript", video.Transcript ?? "");
                    cmd.Parameters.AddWithValue("$lang", (object?)video.Language ?? DBNull.Value);
                    cmd.Parameters.AddWithValue("$at", video.IndexedAt.ToUnixTimeMilliseconds());
                    cmd.Parameters.AddWithValue("$media", video.Media is null ? DBNull.Value : JsonSerializer.Serialize(video.Media, EmbeddedJson.Default.MediaMeta));
                    cmd.Parameters.AddWithValue("$models", JsonSerializer.Serialize(new Dictionary<string, string>(video.ModelVersions), EmbeddedJson.Default.DictionaryStringString));
                    cmd.Parameters.AddWithValue("$vec", video.MeanVector is null ? DBNull.Value : VectorBytes(video.MeanVector));
                    cmd.ExecuteNonQuery();
                }
                WriteFingerprint(conn, tx, video);

                using var seg = conn.CreateCommand();
                seg.Transaction = tx;
                seg.CommandText = $"INSERT INTO segments({string.Join(", ", SegmentFields.Select(f => f.Name))}) " +
                    $"VALUES({string.Join(", ", SegmentFields.Select(f => "$" + f.Name))}) RETURNING seq";
                foreach (var f in SegmentFields) seg.Parameters.Add(new SqliteParameter { ParameterName = "$" + f.Name });
                seg.Prepare();
                using var fts = conn.CreateCommand();
                fts.Transaction = tx;
                // An empty field gets no row, so it neither matches nor shifts that field's average length.
                fts.CommandText = string.Join(";", FtsTables.Select((t, i) => $"INSERT INTO {t}(rowid, body) SELECT $seq, $f{i} WHERE $f{i} <> ''"));
                fts.Parameters.Add(new SqliteParameter { ParameterName = "$seq" });
                for (var i = 0; i < FtsTables.Length; i++) fts.Parameters.Add(new SqliteParameter { ParameterName = "$f" + i });

                string titleIndexText = CjkAnalyzer.ToIndexText(video.Title);
                foreach (var s in segments)
                {
                    ct.ThrowIfCancellationRequested();
                    for (var i = 0; i < SegmentFields.Length; i++) seg.Parameters[i].Value = SegmentFields[i].Value(s) ?? DBNull.Value;
                    long seq = (long)seg.ExecuteScalar()!;

                    fts.Parameters["$seq"].Value = seq;
                    fts.Parameters["$f0"].Value = s.Title == video.Title ? titleIndexText : CjkAnalyzer.ToIndexText(s.Title);
                    fts.Parameters["$f1"].Value = CjkAnalyzer.ToIndexText(s.Transcript);
                    fts.Parameters["$f2"].Value = CjkAnalyzer.ToIndexText(s.OcrText);
                    fts.ExecuteNonQuery();
                    rows.Add(new CatalogRow(seq, s.VideoId, s.SourcePath, s.Storage, s.Language, s.End - s.Start, s.IndexedAt.ToUnixTimeMilliseconds(), s.Vector));
                }
                generation = BumpGeneration(conn, tx);
                tx.Commit();
            }
            Committed(generation, video.Id, rows);
        }
        catch (SqliteException e) when (StorageErrors.ForSqlite(e, _databasePath, null) is not null)
        {
            throw StorageErrors.ForSqlite(e, _databasePath, null)!;
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"Writing video {video.Id} to {_databasePath} failed (nothing was changed): {e.Message}", e);
        }
        finally { _writeLock.Release(); }
    }

    private static byte[] VectorBytes(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    private static void ValidateForWrite(VideoDocument video, IReadOnlyList<SegmentDocument> segments)
    {
        if (string.IsNullOrWhiteSpace(video.Id)) throw new ArgumentException("VideoDocument.Id is empty.", nameof(video));
        if (video.MeanVector is not null) CheckVector(video.MeanVector, $"video {video.Id} MeanVector");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var ordinals = new HashSet<int>();
        foreach (var s in segments)
        {
            if (s is null) throw new ArgumentException("segments contains null.", nameof(segments));
            if (s.VideoId != video.Id) throw new ArgumentException($"Segment {s.Id} belongs to video {s.VideoId}, not {video.Id}.", nameof(segments));
            if (string.IsNullOrWhiteSpace(s.Id)) throw new ArgumentException("A segment has an empty Id.", nameof(segments));
            if (!ids.Add(s.Id)) throw new ArgumentException($"Segment id {s.Id} appears twice.", nameof(segments));
            if (!ordinals.Add(s.Ordinal)) throw new ArgumentException($"Segment ordinal {s.Ordinal} appears twice in video {video.Id}.", nameof(segments));
            if (!double.IsFinite(s.Start) || !double.IsFinite(s.End) || s.End < s.Start)
                throw new ArgumentException($"Segment {s.Id} has invalid times {s.Start}..{s.End}.", nameof(segments));
            if (s.Vector is not null) CheckVector(s.Vector, $"segment {s.Id} Vector");
        }
    }

    private static void CheckVector(float[] v, string what)
    {
        try { SearchRequestValidator.ValidateVector(v, what); }
        catch (SearchValidationException e) { throw new ArgumentException(e.Message); }
    }

    private static List<long> DeleteVideoRows(SqliteConnection conn, SqliteTransaction tx, string videoId)
    {
        var seqs = new List<long>();
        using (var sel = conn.CreateCommand())
        {
            sel.Transaction = tx;
            sel.CommandText = "SELECT seq FROM segments WHERE video_id = $v";
            sel.Parameters.AddWithValue("$v", videoId);
            using var r = sel.ExecuteReader();
            while (r.Read()) seqs.Add(r.GetInt64(0));
        }
        if (seqs.Count > 0)
        {
            using var del = conn.CreateCommand();
            del.Transaction = tx;
            del.CommandText = string.Join(";", FtsTables.Select(t => $"DELETE FROM {t} WHERE rowid = $seq"));
            var p = del.Parameters.Add(new SqliteParameter { ParameterName = "$seq" });
            del.Prepare();
            foreach (var s in seqs) { p.Value = s; del.ExecuteNonQuery(); }
        }
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM segments WHERE video_id = $v; DELETE FROM videos WHERE id = $v; DELETE FROM fingerprints WHERE video_id = $v;";
        cmd.Parameters.AddWithValue("$v", videoId);
        cmd.ExecuteNonQuery();
        return seqs;
    }

    public Task DeleteVideoAsync(string videoId, CancellationToken ct = default) => Guard(async () =>
    {
        ArgumentNullException.ThrowIfNull(videoId);
        await EnsureSchemaAsync(ct);
        await _writeLock.WaitAsync(ct);
        try
        {
            long generation;
            using (var tx = _writer!.BeginTransaction())
            {
                DeleteVideoRows(_writer, tx, videoId);
                generation = BumpGeneration(_writer, tx);
                tx.Commit();
            }
            Committed(generation, videoId, []);
        }
        finally { _writeLock.Release(); }
    });

    // ---------------------------------------------------------------- reads

    /// <summary>
    /// The segments table: one entry per column with its SQL type and the value written from a document.
    /// It drives the table definition, the insert and the select list; <see cref="ReadSegment"/> is its inverse.
    /// </summary>
    private static readonly (string Name, string Type, Func<SegmentDocument, object?> Value)[] SegmentFields =
    [
        ("id", "TEXT NOT NULL UNIQUE", s => s.Id),
        ("video_id", "TEXT NOT NULL", s => s.VideoId),
        ("ordinal", "INTEGER NOT NULL", s => s.Ordinal),
        ("source_path", "TEXT NOT NULL", s => s.SourcePath),
        ("storage", "TEXT NOT NULL", s => s.Storage),
        ("file_name", "TEXT NOT NULL", s => s.FileName),
        ("title", "TEXT NOT NULL", s => s.Title),
        ("start_s", "REAL NOT NULL", s => s.Start),
        ("end_s", "REAL NOT NULL", s => s.End),
        ("keyframe_times", "TEXT NOT NULL", s => JsonSerializer.Serialize(s.KeyframeTimes.ToArray(), EmbeddedJson.Default.DoubleArray)),
        ("thumbnail_ref", "TEXT", s => s.ThumbnailRef),
        ("transcript", "TEXT NOT NULL", s => s.Transcript ?? ""),
        ("utterances", "TEXT NOT NULL", s => JsonSerializer.Serialize(s.Utterances.ToList(), EmbeddedJson.Default.ListUtterance)),
        ("ocr_text", "TEXT NOT NULL", s => s.OcrText ?? ""),
        ("ocr_lines", "TEXT NOT NULL", s => JsonSerializer.Serialize(s.OcrLines.ToList(), EmbeddedJson.Default.ListTimedText)),
        ("language", "TEXT", s => s.Language),
        ("media", "TEXT", s => s.Media is null ? null : JsonSerializer.Serialize(s.Media, EmbeddedJson.Default.MediaMeta)),
        ("indexed_at", "INTEGER NOT NULL", s => s.IndexedAt.ToUnixTimeMilliseconds()),
        ("model_versions", "TEXT NOT NULL", s => JsonSerializer.Serialize(new Dictionary<string, string>(s.ModelVersions), EmbeddedJson.Default.DictionaryStringString)),
        ("vector", "BLOB", s => s.Vector is null ? null : VectorBytes(s.Vector)),
    ];

    private static readonly string SegmentTableColumns = string.Join(", ", SegmentFields.Select(f => f.Name + " " + f.Type));
    private static readonly string SegmentColumns = "seq, " + string.Join(", ", SegmentFields.Select(f => f.Name));
    /// <summary>Column ordinal in a <see cref="SegmentColumns"/> row (seq is 0).</summary>
    private static readonly Dictionary<string, int> SegmentOrdinal =
        SegmentFields.Select((f, i) => (f.Name, i + 1)).ToDictionary(x => x.Name, x => x.Item2, StringComparer.Ordinal);

    private static SegmentDocument ReadSegment(SqliteDataReader r)
    {
        string? Text(string c) => r.IsDBNull(SegmentOrdinal[c]) ? null : r.GetString(SegmentOrdinal[c]);
        string Json(string c) => Text(c) ?? "null";
        var vec = r.IsDBNull(SegmentOrdinal["vector"]) ? null
            : MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(SegmentOrdinal["vector"])).ToArray();
        return new SegmentDocument
        {
            Id = Text("id")!,
            VideoId = Text("video_id")!,
            Ordinal = r.GetInt32(SegmentOrdinal["ordinal"]),
            SourcePath = Text("source_path")!,
            Storage = Text("storage")!,
            FileName = Text("file_name")!,
            Title = Text("title")!,
            Start = r.GetDouble(SegmentOrdinal["start_s"]),
            End = r.GetDouble(SegmentOrdinal["end_s"]),
            KeyframeTimes = JsonSerializer.Deserialize(Json("keyframe_times"), EmbeddedJson.Default.DoubleArray) ?? [],
            ThumbnailRef = Text("thumbnail_ref"),
            Transcript = Text("transcript") ?? "",
            Utterances = JsonSerializer.Deserialize(Json("utterances"), EmbeddedJson.Default.ListUtterance) ?? [],
            OcrText = Text("ocr_text") ?? "",
            OcrLines = JsonSerializer.Deserialize(Json("ocr_lines"), EmbeddedJson.Default.ListTimedText) ?? [],
            Language = Text("language"),
            Media = Text("media") is { } m ? JsonSerializer.Deserialize(m, EmbeddedJson.Default.MediaMeta) : null,
            IndexedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(SegmentOrdinal["indexed_at"])),
            ModelVersions = JsonSerializer.Deserialize(Json("model_versions"), EmbeddedJson.Default.DictionaryStringString) ?? [],
            Vector = vec,
        };
    }

    private static VideoDocument ReadVideo(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        SourcePath = r.GetString(1),
        Storage = r.GetString(2),
        FileName = r.GetString(3),
        Title = r.GetString(4),
        Duration = r.GetDouble(5),
        SegmentCount = r.GetInt32(6),
        Transcript = r.GetString(7),
        Language = r.IsDBNull(8) ? null : r.GetString(8),
        IndexedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
        Media = r.IsDBNull(10) ? null : JsonSerializer.Deserialize(r.GetString(10), EmbeddedJson.Default.MediaMeta),
        ModelVersions = JsonSerializer.Deserialize(r.GetString(11), EmbeddedJson.Default.DictionaryStringString) ?? [],
        MeanVector = r.IsDBNull(12) ? null : MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(12)).ToArray(),
    };

    private const string VideoColumns = "id, source_path, storage, file_name, title, duration, segment_count, transcript, language, indexed_at, media, model_versions, mean_vector";

    public Task<SegmentDocument?> GetSegmentAsync(string segmentId, CancellationToken ct = default) => Guard<SegmentDocument?>(async () =>
    {
        ArgumentNullException.ThrowIfNull(segmentId);
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {SegmentColumns} FROM segments WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", segmentId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadSegment(r) : null;
    });

    public Task<VideoDocument?> GetVideoAsync(string videoId, CancellationToken ct = default) => Guard<VideoDocument?>(async () =>
    {
        ArgumentNullException.ThrowIfNull(videoId);
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {VideoColumns} FROM videos WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", videoId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadVideo(r) : null;
    });

    /// <summary>Videos ordered by source path, then id.</summary>
    public Task<IReadOnlyList<VideoDocument>> ListVideosAsync(int from, int size, CancellationToken ct = default) => Guard<IReadOnlyList<VideoDocument>>(async () =>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 10_000);
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {VideoColumns} FROM videos ORDER BY source_path, id LIMIT $size OFFSET $from";
        cmd.Parameters.AddWithValue("$size", size);
        cmd.Parameters.AddWithValue("$from", from);
        using var r = cmd.ExecuteReader();
        var list = new List<VideoDocument>();
        while (r.Read()) list.Add(ReadVideo(r));
        return list;
    });

    /// <summary>A video's segments by ordinal.</summary>
    public Task<IReadOnlyList<SegmentDocument>> GetSegmentsOfVideoAsync(string videoId, CancellationToken ct = default) => Guard<IReadOnlyList<SegmentDocument>>(async () =>
    {
        ArgumentNullException.ThrowIfNull(videoId);
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {SegmentColumns} FROM segments WHERE video_id = $v ORDER BY ordinal";
        cmd.Parameters.AddWithValue("$v", videoId);
        using var r = cmd.ExecuteReader();
        var list = new List<SegmentDocument>();
        while (r.Read()) list.Add(ReadSegment(r));
        return list;
    });

    public Task<StoreStats> StatsAsync(CancellationToken ct = default) => Guard<StoreStats>(async () =>
    {
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM videos), (SELECT count(*) FROM segments); SELECT storage, count(*) FROM segments GROUP BY storage ORDER BY storage;";
        using var r = cmd.ExecuteReader();
        r.Read();
        long videos = r.GetInt64(0), segments = r.GetInt64(1);
        r.NextResult();
        var byStorage = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Read()) byStorage[r.GetString(0)] = r.GetInt64(1);
        return new StoreStats(videos, segments, byStorage);
    });

    public async Task<StoreHealth> HealthAsync(CancellationToken ct = default)
    {
        try
        {
            await using var conn = await OpenReaderAsync(ct);
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM segments";
            var n = (long)cmd.ExecuteScalar()!;
            return new StoreHealth(true, $"embedded SQLite {conn.ServerVersion} at {_databasePath}: {n} segments");
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException or UnauthorizedAccessException or StorageException)
        {
            return new StoreHealth(false, $"embedded store at {_databasePath} is not usable: {e.Message}");
        }
    }

    // ---------------------------------------------------------------- integrity

    public Task<StoreIdentity?> IdentityAsync(CancellationToken ct = default) => Guard<StoreIdentity?>(async () =>
    {
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT value FROM schema_info WHERE key = 'store_id'";
        var id = Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new StoreIdentity(id, ReadGeneration(conn));
    });

    public Task<IReadOnlyDictionary<string, int>> SegmentCountsAsync(CancellationToken ct = default) => Guard<IReadOnlyDictionary<string, int>>(async () =>
    {
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT v.id, (SELECT count(*) FROM segments s WHERE s.video_id = v.id) FROM videos v";
        using var r = cmd.ExecuteReader();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (r.Read()) counts[r.GetString(0)] = r.GetInt32(1);
        return counts;
    });

    /// <summary>Closes the file and renames it (with its -wal/-shm) to index.db.corrupt-TIMESTAMP; the next open starts empty.</summary>
    public async Task<string?> QuarantineAsync(CancellationToken ct = default)
    {
        await _initLock.WaitAsync(ct);
        await _writeLock.WaitAsync(ct);
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }
            SqliteConnection.ClearAllPools(); // pooled readers would keep the damaged file open
            _schemaReady = false;
            _catalog = null;
            _catalogGeneration = -1;
            _docFreq.Clear();
            var aside = $"{_databasePath}.corrupt-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
            foreach (var suffix in (string[])["-wal", "-shm"])
                if (File.Exists(_databasePath + suffix)) File.Move(_databasePath + suffix, aside + suffix, overwrite: true);
            if (File.Exists(_databasePath)) File.Move(_databasePath, aside, overwrite: true);
            return aside;
        }
        finally
        {
            _writeLock.Release();
            _initLock.Release();
        }
    }

    // ---------------------------------------------------------------- search

    public Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default) => Guard<SearchResponse>(async () =>
    {
        var v = SearchRequestValidator.Validate(request);
        await using var conn = await OpenReaderAsync(ct);
        var catalog = await GetCatalogAsync(ReadGeneration(conn), ct);
        var req = v.Request;
        var filter = new SlotFilter(req.Filters);
        int k = v.CandidateCount;

        float[]? queryVector = v.Vector;
        long excludeSeq = -1;
        if (v.HasVector && v.SimilarToSegmentId is { } similarId)
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT seq FROM segments WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", similarId);
            if (cmd.ExecuteScalar() is not long seq) throw new SearchValidationException($"SimilarToSegmentId '{similarId}' is not in the index.");
            queryVector = catalog.VectorOf(seq) ?? throw new SearchValidationException($"Segment '{similarId}' has no CLIP vector to compare with.");
            excludeSeq = seq;
        }

        ct.ThrowIfCancellationRequested();
        List<SubQueryHit<long>>? textHits = null, vectorHits = null;
        // Sequential on purpose: the scan already spreads over the cores, and handing one sub-query to
        // another thread only added scheduling latency when the machine was busy (measured).
        if (v.HasText) textHits = TextQuery(conn, catalog, v.Terms, k, filter, _docFreq, _options.MaxScoredTextRows);
        ct.ThrowIfCancellationRequested();
        if (v.HasVector)
            vectorHits = catalog.Search(queryVector!, k, filter, excludeSeq, _options.RescoreCandidates)
                .Select(h => new SubQueryHit<long>(h.Seq, HybridFusion.KnnInnerProductScore(h.Dot))).ToList();
        ct.ThrowIfCancellationRequested();

        List<FusedHit<long>> fused;
        if (textHits is not null && vectorHits is not null)
            fused = HybridFusion.Fuse<long>([textHits, vectorHits], HybridFusion.HybridWeights(req.TextWeight), req.Fusion);
        else if (textHits is not null)
            fused = textHits.Select(h => new FusedHit<long>(h.Id, h.Score, [h.Score, null], [null, null])).ToList();
        else
            fused = vectorHits!.Select(h => new FusedHit<long>(h.Id, h.Score, [null, h.Score], [null, null])).ToList();

        if (req.CollapseByVideo)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            fused = fused.Where(h => catalog.VideoIdOf(h.Id) is { } vid && seen.Add(vid)).ToList();
        }

        var page = fused.Skip(req.From).Take(req.Size).ToList();
        var docs = FetchSegments(conn, page.Select(h => h.Id).ToList());
        var terms = new HashSet<string>(v.Terms, StringComparer.Ordinal);
        var hits = new List<SearchHit>(page.Count);
        foreach (var h in page)
        {
            if (!docs.TryGetValue(h.Id, out var doc)) continue; // deleted since the candidates were read
            hits.Add(new SearchHit(doc, h.Score, h.RawScores[0], h.RawScores[1],
                Highlighter.Highlight(doc.Transcript, terms), Highlighter.Highlight(doc.OcrText, terms),
                MomentFinder.Find(doc, terms, h.RawScores[1] is not null)));
        }
        return new SearchResponse(fused.Count, hits);
    });

    // Text budget (EmbeddedStoreOptions.MaxScoredTextRows): FTS5 scores every row that matches
    // before sorting, so a query made only of very common terms would cost O(matches). When the OR of
    // all terms exceeds the budget, the most frequent terms are dropped from the MATCH (rarest kept, at
    // least one), like Lucene's common-terms cutoff: frequent terms carry little IDF. When even the
    // rarest term alone matches more rows than the budget (a very common word), only its newest
    // `budget` matches are scored. BM25 is exact whenever the whole query fits the budget.

    /// <summary>
    /// BM25 per field (quoted terms OR-ed, so no user text reaches FTS5 syntax), combined like
    /// multi_match best_fields: max boosted field score + tie breaker × the others.
    /// </summary>
    private static List<SubQueryHit<long>> TextQuery(SqliteConnection conn, SegmentCatalog catalog, IReadOnlyList<string> terms, int k, SlotFilter filter,
        System.Collections.Concurrent.ConcurrentDictionary<string, long> docFreq, long budget)
    {
        if (terms.Count == 0) return [];
        var (used, rows) = SelectTerms(conn, terms, docFreq, budget);
        if (used.Count == 0) return [];
        var match = new StringBuilder();
        foreach (var t in used)
        {
            if (match.Length > 0) match.Append(" OR ");
            match.Append('"').Append(t.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        var q = match.ToString();
        // Per field: its best candidates (the top k when unfiltered and within budget, else every match
        // up to the budget, newest first when one common term is over it).
        var scores = new Dictionary<long, double[]>();
        for (var f = 0; f < FtsTables.Length; f++)
        {
            var t = FtsTables[f];
            using var cmd = conn.CreateCommand();
            cmd.Parameters.AddWithValue("$q", q);
            if (rows > budget)
            {
                cmd.CommandText = $"SELECT rowid, rank FROM {t} WHERE {t} MATCH $q ORDER BY rowid DESC LIMIT $n";
                cmd.Parameters.AddWithValue("$n", budget);
            }
            else if (filter.IsEmpty)
            {
                cmd.CommandText = $"SELECT rowid, rank FROM {t} WHERE {t} MATCH $q ORDER BY rank LIMIT $n";
                cmd.Parameters.AddWithValue("$n", k);
            }
            else cmd.CommandText = $"SELECT rowid, rank FROM {t} WHERE {t} MATCH $q";
            using var r = cmd.ExecuteReader();
            while (r.Read()) Field(scores, r.GetInt64(0))[f] = -r.GetDouble(1);
        }
        // A candidate found through one field may also match in another field's tail: score it there too,
        // so the combination is exact for every candidate.
        if (scores.Count > 0 && rows <= budget)
            for (var f = 0; f < FtsTables.Length; f++)
            {
                var missing = scores.Where(kv => double.IsNaN(kv.Value[f])).Select(kv => kv.Key).ToList();
                foreach (var chunk in missing.Chunk(500))
                {
                    var t = FtsTables[f];
                    using var cmd = conn.CreateCommand();
                    cmd.Parameters.AddWithValue("$q", q);
                    cmd.CommandText = $"SELECT rowid, rank FROM {t} WHERE {t} MATCH $q AND rowid IN ({string.Join(',', chunk)})";
                    using var r = cmd.ExecuteReader();
                    while (r.Read()) scores[r.GetInt64(0)][f] = -r.GetDouble(1);
                }
            }
        var combined = scores.Select(kv => new SubQueryHit<long>(kv.Key, (float)BestFields(kv.Value))).ToList();
        combined.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : b.Id.CompareTo(a.Id));
        return catalog.FilterHits(combined, filter, k);

        static double[] Field(Dictionary<long, double[]> scores, long seq)
        {
            if (!scores.TryGetValue(seq, out var a)) scores[seq] = a = [double.NaN, double.NaN, double.NaN];
            return a;
        }
    }

    /// <summary>multi_match best_fields: best boosted field + tie breaker × the other boosted fields (unmatched fields count 0).</summary>
    internal static double BestFields(ReadOnlySpan<double> fieldScores)
    {
        double best = 0, sum = 0;
        for (var f = 0; f < fieldScores.Length; f++)
        {
            if (double.IsNaN(fieldScores[f])) continue;
            var s = FieldBoosts[f] * fieldScores[f];
            sum += s;
            best = Math.Max(best, s);
        }
        return best + TieBreaker * (sum - best);
    }

    /// <summary>Terms present in the index, rarest first, within the budget of scored rows.</summary>
    internal static (List<string> Terms, long Rows) SelectTerms(SqliteConnection conn, IReadOnlyList<string> terms,
        System.Collections.Concurrent.ConcurrentDictionary<string, long> docFreq, long budget)
    {
        var df = new List<(string Term, long Docs)>(terms.Count);
        SqliteCommand? cmd = null;
        try
        {
            foreach (var t in terms)
            {
                if (!docFreq.TryGetValue(t, out var n))
                {
                    // fts5vocab reads the term's doclist: O(df), far cheaper than BM25-scoring it; cached until the next write.
                    // Summed over the fields: the rows the per-field scoring will visit.
                    if (cmd is null)
                    {
                        cmd = conn.CreateCommand();
                        cmd.CommandText = "SELECT " + string.Join(" + ", FtsTables.Select(t => $"coalesce((SELECT doc FROM {t}_vocab WHERE term = $t), 0)"));
                        cmd.Parameters.Add(new SqliteParameter { ParameterName = "$t" });
                    }
                    cmd.Parameters[0].Value = t;
                    n = cmd.ExecuteScalar() is long c ? c : 0;
                    if (docFreq.Count < 100_000) docFreq[t] = n;
                }
                if (n > 0) df.Add((t, n));
            }
        }
        finally { cmd?.Dispose(); }
        df.Sort((a, b) => a.Docs.CompareTo(b.Docs));
        var used = new List<string>(df.Count);
        long sum = 0;
        foreach (var (term, docs) in df)
        {
            if (used.Count > 0 && sum + docs > budget) break;
            used.Add(term);
            sum += docs;
        }
        return (used, sum);
    }

    private static Dictionary<long, SegmentDocument> FetchSegments(SqliteConnection conn, List<long> seqs)
    {
        var result = new Dictionary<long, SegmentDocument>(seqs.Count);
        if (seqs.Count == 0) return result;
        using var cmd = conn.CreateCommand();
        var sb = new StringBuilder($"SELECT {SegmentColumns} FROM segments WHERE seq IN (");
        for (int i = 0; i < seqs.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append("$s").Append(i);
            cmd.Parameters.AddWithValue("$s" + i, seqs[i]);
        }
        cmd.CommandText = sb.Append(')').ToString();
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[r.GetInt64(0)] = ReadSegment(r);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _writeLock.WaitAsync();
        try
        {
            if (_writer is not null)
            {
                SqliteConnection.ClearPool(_writer);
                await _writer.DisposeAsync();
                _writer = null;
            }
        }
        finally { _writeLock.Release(); }
    }
}
