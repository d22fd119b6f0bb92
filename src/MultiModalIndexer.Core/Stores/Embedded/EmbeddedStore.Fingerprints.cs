using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Stores.Embedded;

/// <summary>Copy-detection fingerprints: one blob per video, written in the video's transaction.</summary>
public sealed partial class EmbeddedStore
{
    // A table of its own (created if missing, so existing databases keep schema version 1); the
    // generation row changes on every write, so readers in other processes see their index is stale.
    private const string FingerprintSchema = """
        CREATE TABLE IF NOT EXISTS fingerprints(
            video_id TEXT PRIMARY KEY NOT NULL, source_path TEXT NOT NULL, duration REAL NOT NULL, data BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS fingerprint_generation(id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
        INSERT INTO fingerprint_generation(id, value) VALUES(1, 0) ON CONFLICT(id) DO NOTHING;
        CREATE TRIGGER IF NOT EXISTS fingerprints_ins AFTER INSERT ON fingerprints BEGIN UPDATE fingerprint_generation SET value = value + 1; END;
        CREATE TRIGGER IF NOT EXISTS fingerprints_del AFTER DELETE ON fingerprints BEGIN UPDATE fingerprint_generation SET value = value + 1; END;
        """;

    private static void WriteFingerprint(SqliteConnection conn, SqliteTransaction tx, VideoDocument video)
    {
        // DeleteVideoRows already removed the old one: re-indexing replaces, never accumulates.
        if (video.Fingerprint is not { } fp) return;
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO fingerprints(video_id, source_path, duration, data) VALUES($v, $p, $d, $b)";
        cmd.Parameters.AddWithValue("$v", video.Id);
        cmd.Parameters.AddWithValue("$p", video.SourcePath);
        cmd.Parameters.AddWithValue("$d", video.Duration);
        cmd.Parameters.AddWithValue("$b", fp.ToBlob());
        cmd.ExecuteNonQuery();
    }

    public async Task<string> FingerprintVersionAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenReaderAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT value FROM fingerprint_generation WHERE id = 1";
        return Convert.ToString(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "0";
    }

    public async IAsyncEnumerable<StoredFingerprint> ReadFingerprintsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var conn = await OpenReaderAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT video_id, source_path, duration, data FROM fingerprints ORDER BY video_id";
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            VideoFingerprint fp;
            try { fp = VideoFingerprint.FromBlob((byte[])r.GetValue(3)); }
            catch (FormatException) { continue; } // an older layout: the pipeline version bump re-indexes the video
            yield return new StoredFingerprint(r.GetString(0), r.GetString(1), r.GetDouble(2), fp);
        }
    }
}
