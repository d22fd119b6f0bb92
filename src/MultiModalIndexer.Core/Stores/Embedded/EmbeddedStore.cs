using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores.Embedded;

/// <summary>
/// SQLite (WAL, one writer) with FTS5 BM25 over CJK-analysed text + exact SIMD vector scan +
/// OpenSearch-style fusion. Layout: <c>videos</c>, <c>segments</c> (columns + JSON for nested parts,
/// vector as a float32 BLOB), and a contentless FTS5 table <c>segments_fts(title, transcript, ocr)</c>
/// holding the analysed text under the segment's <c>seq</c>. One video's upsert is one transaction.
/// Text scoring: bm25 with column weights title 2, transcript 1, OCR 1.5; terms are OR-ed like
/// OpenSearch's <c>match</c>, so documents with more (and rarer) query terms rank higher.
/// </summary>
public sealed partial class EmbeddedStore : ISegmentStore, IFingerprintStore
{
    /// <summary>bm25() column weights: title, transcript, OCR.</summary>
    public const double TitleBoost = 2.0, TranscriptBoost = 1.0, OcrBoost = 1.5;
    private const int SchemaVersion = 1;

    private readonly string _databasePath;
    private readonly EmbeddedStoreOptions _options;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private SqliteConnection? _writer;
    private SegmentCatalog? _catalog;
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
                using (var tx = conn.BeginTransaction())
                {
                    Exec(conn, """
                        CREATE TABLE IF NOT EXISTS schema_info(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                        CREATE TABLE IF NOT EXISTS videos(
                            id TEXT PRIMARY KEY NOT NULL,
                            source_path TEXT NOT NULL, storage TEXT NOT NULL, file_name TEXT NOT NULL, title TEXT NOT NULL,
                            duration REAL NOT NULL, segment_count INTEGER NOT NULL, transcript TEXT NOT NULL, language TEXT,
                            indexed_at INTEGER NOT NULL, media TEXT, model_versions TEXT NOT NULL, mean_vector BLOB);
                        CREATE INDEX IF NOT EXISTS videos_by_path ON videos(source_path, id);
                        CREATE TABLE IF NOT EXISTS segments(
                            seq INTEGER PRIMARY KEY AUTOINCREMENT,
                            id TEXT NOT NULL UNIQUE, video_id TEXT NOT NULL, ordinal INTEGER NOT NULL,
                            source_path TEXT NOT NULL, storage TEXT NOT NULL, file_name TEXT NOT NULL, title TEXT NOT NULL,
                            start_s REAL NOT NULL, end_s REAL NOT NULL, keyframe_times TEXT NOT NULL, thumbnail_ref TEXT,
                            transcript TEXT NOT NULL, utterances TEXT NOT NULL, ocr_text TEXT NOT NULL, language TEXT,
                            media TEXT, indexed_at INTEGER NOT NULL, model_versions TEXT NOT NULL, vector BLOB);
                        CREATE INDEX IF NOT EXISTS segments_by_video ON segments(video_id, ordinal);
                        CREATE VIRTUAL TABLE IF NOT EXISTS segments_fts USING fts5(
                            title, transcript, ocr, content='', contentless_delete=1,
                            tokenize='unicode61 remove_diacritics 2');
                        CREATE VIRTUAL TABLE IF NOT EXISTS segments_fts_vocab USING fts5vocab('segments_fts', 'row');
                        """, tx);
                    Exec(conn, FingerprintSchema, tx);
                    Exec(conn, FormattableString.Invariant($"INSERT INTO segments_fts(segments_fts, rank) VALUES('rank', 'bm25({TitleBoost}, {TranscriptBoost}, {OcrBoost})');"), tx);
                    var cmd = conn.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = "INSERT INTO schema_info(key, value) VALUES('version', $v) ON CONFLICT(key) DO NOTHING; SELECT value FROM schema_info WHERE key='version';";
                    cmd.Parameters.AddWithValue("$v", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var version = Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                    if (version != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
                        throw new InvalidOperationException($"{_databasePath} has schema version {version}; this build reads version {SchemaVersion}. Re-index into a new file.");
                    tx.Commit();
                }
            }
            catch
            {
                await conn.DisposeAsync(); // no half-opened writer left behind
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
    public async Task<int> WarmUpAsync(CancellationToken ct = default) => (await GetCatalogAsync(ct)).Count;

    /// <summary>Loads vectors + filter metadata into memory on first use; later writes keep it in sync.</summary>
    private async Task<SegmentCatalog> GetCatalogAsync(CancellationToken ct)
    {
        if (_catalog is { } c) return c;
        await EnsureSchemaAsync(ct);
        await _writeLock.WaitAsync(ct); // no write may commit between our read and publishing the catalog
        try
        {
            if (_catalog is { } c2) return c2;
            var catalog = new SegmentCatalog(_options.QuantizeVectors);
            using var cmd = _writer!.CreateCommand();
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
                seg.CommandText = """
                    INSERT INTO segments(id, video_id, ordinal, source_path, storage, file_name, title, start_s, end_s, keyframe_times,
                        thumbnail_ref, transcript, utterances, ocr_text, language, media, indexed_at, model_versions, vector)
                    VALUES($id, $video, $ord, $path, $storage, $file, $title, $start, $end, $kf, $thumb, $transcript, $utt, $ocr, $lang, $media, $at, $models, $vec)
                    RETURNING seq
                    """;
                string[] names = ["$id", "$video", "$ord", "$path", "$storage", "$file", "$title", "$start", "$end", "$kf", "$thumb", "$transcript", "$utt", "$ocr", "$lang", "$media", "$at", "$models", "$vec"];
                foreach (var n in names) seg.Parameters.Add(new SqliteParameter { ParameterName = n });
                seg.Prepare();
                using var fts = conn.CreateCommand();
                fts.Transaction = tx;
                fts.CommandText = "INSERT INTO segments_fts(rowid, title, transcript, ocr) VALUES($seq, $title, $transcript, $ocr)";
                foreach (var n in (string[])["$seq", "$title", "$transcript", "$ocr"]) fts.Parameters.Add(new SqliteParameter { ParameterName = n });
                fts.Prepare();

                string titleIndexText = CjkAnalyzer.ToIndexText(video.Title);
                foreach (var s in segments)
                {
                    ct.ThrowIfCancellationRequested();
                    var p = seg.Parameters;
                    p["$id"].Value = s.Id;
                    p["$video"].Value = s.VideoId;
                    p["$ord"].Value = s.Ordinal;
                    p["$path"].Value = s.SourcePath;
                    p["$storage"].Value = s.Storage;
                    p["$file"].Value = s.FileName;
                    p["$title"].Value = s.Title;
                    p["$start"].Value = s.Start;
                    p["$end"].Value = s.End;
                    p["$kf"].Value = JsonSerializer.Serialize(s.KeyframeTimes.ToArray(), EmbeddedJson.Default.DoubleArray);
                    p["$thumb"].Value = (object?)s.ThumbnailRef ?? DBNull.Value;
                    p["$transcript"].Value = s.Transcript ?? "";
                    p["$utt"].Value = JsonSerializer.Serialize(s.Utterances.ToList(), EmbeddedJson.Default.ListUtterance);
                    p["$ocr"].Value = s.OcrText ?? "";
                    p["$lang"].Value = (object?)s.Language ?? DBNull.Value;
                    p["$media"].Value = s.Media is null ? DBNull.Value : JsonSerializer.Serialize(s.Media, EmbeddedJson.Default.MediaMeta);
                    p["$at"].Value = s.IndexedAt.ToUnixTimeMilliseconds();
                    p["$models"].Value = JsonSerializer.Serialize(new Dictionary<string, string>(s.ModelVersions), EmbeddedJson.Default.DictionaryStringString);
                    p["$vec"].Value = s.Vector is null ? DBNull.Value : VectorBytes(s.Vector);
                    long seq = (long)seg.ExecuteScalar()!;

                    fts.Parameters["$seq"].Value = seq;
                    fts.Parameters["$title"].Value = s.Title == video.Title ? titleIndexText : CjkAnalyzer.ToIndexText(s.Title);
                    fts.Parameters["$transcript"].Value = CjkAnalyzer.ToIndexText(s.Transcript);
                    fts.Parameters["$ocr"].Value = CjkAnalyzer.ToIndexText(s.OcrText);
                    fts.ExecuteNonQuery();
                    rows.Add(new CatalogRow(seq, s.VideoId, s.SourcePath, s.Storage, s.Language, s.End - s.Start, s.IndexedAt.ToUnixTimeMilliseconds(), s.Vector));
                }
                tx.Commit();
            }
            _catalog?.ReplaceVideo(video.Id, rows);
            _docFreq.Clear();
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
            del.CommandText = "DELETE FROM segments_fts WHERE rowid = $seq";
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

    public async Task DeleteVideoAsync(string videoId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(videoId);
        await EnsureSchemaAsync(ct);
        await _writeLock.WaitAsync(ct);
        try
        {
            using (var tx = _writer!.BeginTransaction())
            {
                DeleteVideoRows(_writer, tx, videoId);
                tx.Commit();
            }
            _catalog?.ReplaceVideo(videoId, []);
            _docFreq.Clear();
        }
        finally { _writeLock.Release(); }
    }

    // ---------------------------------------------------------------- reads

    private const string SegmentColumns = "seq, id, video_id, ordinal, source_path, storage, file_name, title, start_s, end_s, keyframe_times, thumbnail_ref, transcript, utterances, ocr_text, language, media, indexed_at, model_versions, vector";

    private static SegmentDocument ReadSegment(SqliteDataReader r)
    {
        float[]? vec = null;
        if (!r.IsDBNull(19))
        {
            var bytes = (byte[])r.GetValue(19);
            vec = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        return new SegmentDocument
        {
            Id = r.GetString(1),
            VideoId = r.GetString(2),
            Ordinal = r.GetInt32(3),
            SourcePath = r.GetString(4),
            Storage = r.GetString(5),
            FileName = r.GetString(6),
            Title = r.GetString(7),
            Start = r.GetDouble(8),
            End = r.GetDouble(9),
            KeyframeTimes = JsonSerializer.Deserialize(r.GetString(10), EmbeddedJson.Default.DoubleArray) ?? [],
            ThumbnailRef = r.IsDBNull(11) ? null : r.GetString(11),
            Transcript = r.GetString(12),
            Utterances = JsonSerializer.Deserialize(r.GetString(13), EmbeddedJson.Default.ListUtterance) ?? [],
            OcrText = r.GetString(14),
            Language = r.IsDBNull(15) ? null : r.GetString(15),
            Media = r.IsDBNull(16) ? null : JsonSerializer.Deserialize(r.GetString(16), EmbeddedJson.Default.MediaMeta),
            IndexedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(17)),
            ModelVersions = JsonSerializer.Deserialize(r.GetString(18), EmbeddedJson.Default.DictionaryStringString) ?? [],
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

    public async Task<SegmentDocument?> GetSegmentAsync(string segmentId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(segmentId);
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {SegmentColumns} FROM segments WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", segmentId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadSegment(r) : null;
    }

    public async Task<VideoDocument?> GetVideoAsync(string videoId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(videoId);
        await using var conn = await OpenReaderAsync(ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {VideoColumns} FROM videos WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", videoId);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadVideo(r) : null;
    }

    /// <summary>Videos ordered by source path, then id.</summary>
    public async Task<IReadOnlyList<VideoDocument>> ListVideosAsync(int from, int size, CancellationToken ct = default)
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
    }

    /// <summary>A video's segments by ordinal.</summary>
    public async Task<IReadOnlyList<SegmentDocument>> GetSegmentsOfVideoAsync(string videoId, CancellationToken ct = default)
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
    }

    public async Task<StoreStats> StatsAsync(CancellationToken ct = default)
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
    }

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
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return new StoreHealth(false, $"embedded store at {_databasePath} is not usable: {e.Message}");
        }
    }

    // ---------------------------------------------------------------- search

    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken ct = default)
    {
        var v = SearchRequestValidator.Validate(request);
        var catalog = await GetCatalogAsync(ct);
        await using var conn = await OpenReaderAsync(ct);
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
                Highlighter.Highlight(doc.Transcript, terms), Highlighter.Highlight(doc.OcrText, terms)));
        }
        return new SearchResponse(fused.Count, hits);
    }

    // Text budget (EmbeddedStoreOptions.MaxScoredTextRows): FTS5 scores every row that matches
    // before sorting, so a query made only of very common terms would cost O(matches). When the OR of
    // all terms exceeds the budget, the most frequent terms are dropped from the MATCH (rarest kept, at
    // least one), like Lucene's common-terms cutoff: frequent terms carry little IDF. When even the
    // rarest term alone matches more rows than the budget (a very common word), only its newest
    // `budget` matches are scored. BM25 is exact whenever the whole query fits the budget.

    /// <summary>BM25 over the analysed columns: quoted terms OR-ed, so no user text reaches FTS5 syntax.</summary>
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
        using var cmd = conn.CreateCommand();
        cmd.Parameters.AddWithValue("$q", match.ToString());
        if (rows > budget)
        {
            // One very common term: score only its newest `budget` matches (rank = bm25 per row), sort here.
            cmd.CommandText = "SELECT rowid, rank FROM segments_fts WHERE segments_fts MATCH $q ORDER BY rowid DESC LIMIT $budget";
            cmd.Parameters.AddWithValue("$budget", budget);
            List<SubQueryHit<long>> capped;
            using (var cr = cmd.ExecuteReader()) capped = Rows(cr).ToList();
            capped.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : b.Id.CompareTo(a.Id));
            return catalog.FilterHits(capped, filter, k);
        }
        // Without filters the LIMIT lets FTS5 keep only the top k while ranking.
        cmd.CommandText = filter.IsEmpty
            ? "SELECT rowid, rank FROM segments_fts WHERE segments_fts MATCH $q ORDER BY rank LIMIT $k"
            : "SELECT rowid, rank FROM segments_fts WHERE segments_fts MATCH $q ORDER BY rank";
        cmd.Parameters.AddWithValue("$k", k);
        using var r = cmd.ExecuteReader();
        return catalog.FilterHits(Rows(r), filter, k);

        static IEnumerable<SubQueryHit<long>> Rows(SqliteDataReader r)
        {
            while (r.Read()) yield return new SubQueryHit<long>(r.GetInt64(0), (float)-r.GetDouble(1));
        }
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
                    if (cmd is null)
                    {
                        cmd = conn.CreateCommand();
                        cmd.CommandText = "SELECT doc FROM segments_fts_vocab WHERE term = $t";
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
