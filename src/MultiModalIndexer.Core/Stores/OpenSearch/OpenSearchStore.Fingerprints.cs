using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>
/// Copy-detection fingerprints ride in the video document (`fingerprint`, a binary field: kept in
/// _source, not indexed), so they are written, replaced and deleted with the video by the same
/// requests. The detector's band index is built from them in memory, as for the embedded store.
/// </summary>
public sealed partial class OpenSearchStore
{
    private const int FingerprintPage = 200;

    /// <summary>Videos and their newest indexing time: any upsert or delete changes one of the two.</summary>
    public async Task<string> FingerprintVersionAsync(CancellationToken ct = default)
    {
        var body = new SearchBody
        {
            Size = 1,
            TrackTotalHits = true,
            Source = new SourceFilter { Includes = ["video_id", "source_path", "storage", "file_name", "title", "indexed_at"] },
            Sort = [new() { ["indexed_at"] = new SortField("desc") }, new() { ["video_id"] = new SortField("asc") }],
        };
        var r = await SearchIndexAsync(Names.Videos, body, null, J.SearchResultVideoSource, ct).ConfigureAwait(false);
        var total = r.Hits?.Total?.Value ?? 0;
        var newest = r.Hits?.Hits.FirstOrDefault()?.Source?.IndexedAt.ToUnixTimeMilliseconds() ?? 0;
        return string.Create(CultureInfo.InvariantCulture, $"{total}:{newest}");
    }

    public async IAsyncEnumerable<StoredFingerprint> ReadFingerprintsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        JsonElement[]? after = null;
        while (true)
        {
            var body = new SearchBody
            {
                Size = FingerprintPage,
                Source = new SourceFilter { Includes = ["video_id", "source_path", "storage", "file_name", "title", "duration", "indexed_at", "fingerprint"] },
                Sort = [new() { ["video_id"] = new SortField("asc") }],
                SearchAfter = after,
            };
            var r = await SearchIndexAsync(Names.Videos, body, null, J.SearchResultVideoSource, ct).ConfigureAwait(false);
            var hits = r.Hits?.Hits ?? [];
            foreach (var h in hits)
            {
                if (h.Source is not { Fingerprint: { Length: > 0 } blob } v) continue;
                VideoFingerprint fp;
                try { fp = VideoFingerprint.FromBlob(blob); }
                catch (FormatException) { continue; } // an older layout: the pipeline version bump re-indexes the video
                yield return new StoredFingerprint(v.VideoId, v.SourcePath, v.Duration, fp);
            }
            if (hits.Count < FingerprintPage || hits[^1].Sort is not { Length: > 0 } sort) yield break;
            after = sort;
        }
    }
}
