using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Media;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Copies;

/// <summary>A copy inside the library: one video's span repeated in another (<paramref name="Mirrored"/>: flipped left to right).</summary>
public sealed record DuplicatePair(string VideoA, double StartA, double EndA, string VideoB, double StartB, double EndB, double Score, bool Mirrored = false);

/// <summary>
/// "Where does this clip come from?": query fingerprints → band lookups for candidate videos →
/// temporal alignment per candidate (as shown and mirrored) → spans, best first. A reader like
/// search: the lookup index is built from the store on first use and rebuilt when the store's
/// fingerprint version changes (any write, by this process or another).
/// </summary>
public sealed class CopyDetector(IFingerprintStore store, QueryFingerprinter fingerprinter, CopyOptions options, ILogger<CopyDetector>? logger = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Version, FingerprintIndex Index)? _cached;

    public async Task<FingerprintIndex> GetIndexAsync(CancellationToken ct = default)
    {
        var version = await store.FingerprintVersionAsync(ct).ConfigureAwait(false);
        if (_cached is { } c && c.Version == version) return c.Index;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            version = await store.FingerprintVersionAsync(ct).ConfigureAwait(false);
            if (_cached is { } c2 && c2.Version == version) return c2.Index;
            var sw = Stopwatch.StartNew();
            var videos = new List<StoredFingerprint>();
            await foreach (var f in store.ReadFingerprintsAsync(ct).ConfigureAwait(false)) videos.Add(f);
            var index = FingerprintIndex.Build(videos);
            logger?.LogInformation("Copy index: {Videos} videos, {Samples} samples, {MB:0.0} MB, built in {Ms} ms",
                videos.Count, index.SampleCount, index.MemoryBytes / 1e6, sw.ElapsedMilliseconds);
            _cached = (version, index);
            return index;
        }
        finally { _gate.Release(); }
    }

    public async Task<CopySearchResult> FindAsync(string queryPath, CancellationToken ct = default)
    {
        var queryTask = fingerprinter.FingerprintAsync(queryPath, ct);
        var index = await GetIndexAsync(ct).ConfigureAwait(false);
        var query = await queryTask.ConfigureAwait(false);
        return new CopySearchResult(Match(index, query, options));
    }

    /// <summary>Aligns the query (as shown and mirrored) against its candidates; spans best first.</summary>
    public static List<CopyMatch> Match(FingerprintIndex index, QueryFingerprint query, CopyOptions o, int exclude = -1)
    {
        var matches = new List<CopyMatch>();
        if (query.Hashes.Length == 0) return matches;
        var probes = query.Hashes.Concat(query.Mirrored).ToArray();
        var found = new int[probes.Length];
        var candidates = index.Candidates(probes, o.CandidateDistance, o.MinCandidateVotes, o.MaxCandidates, o.MaxBucketSize, exclude, o.MinVoteFraction,
            found, o.CommonFrameDistance);
        // A frame found in many videos is a common picture, not evidence for any one of them: its weight is shared out.
        var weights = found.Select(n => n <= o.CommonFrameVideos ? 1f : (float)o.CommonFrameVideos / n).ToArray();
        var n0 = query.Hashes.Length;
        // A flipped copy's colours are flipped too.
        var chroma = query.Chroma is { } c && c.Length == n0 ? c : null;
        var mirroredChroma = chroma?.Select(PerceptualHash.MirrorChroma).ToArray();
        foreach (var (v, _) in candidates)
        {
            var stored = index.Videos[v];
            var refFps = stored.Fingerprint.Fps > 0 ? stored.Fingerprint.Fps : o.FingerprintFps;
            var spans = new List<(AlignedSpan Span, bool Mirrored)>();
            foreach (var mirrored in query.Mirrored.Length == query.Hashes.Length ? (bool[])[false, true] : [false])
                foreach (var s in CopyMatcher.Align(query.Times, mirrored ? query.Mirrored : query.Hashes, query.Fps,
                             index.TimesOf(v), index.HashesOf(v), index.CroppedOf(v), refFps, o,
                             weights.AsSpan(mirrored ? n0 : 0, n0), mirrored ? mirroredChroma : chroma, index.ChromaOf(v)))
                    spans.Add((s, mirrored));
            // A picture and its mirror image can both align over the same query time: keep the better.
            foreach (var (s, m) in spans.OrderByDescending(x => x.Span.Score))
            {
                if (matches.Any(x => x.VideoId == stored.VideoId && Overlap(x.QueryStart, x.QueryEnd, s.QueryStart, s.QueryEnd) > 0)) continue;
                matches.Add(new CopyMatch(stored.SourcePath, Round(s.RefStart), Round(Math.Min(s.RefEnd, Math.Max(stored.Duration, s.RefStart))),
                    Round(s.QueryStart), Round(Math.Min(s.QueryEnd, Math.Max(query.Duration, s.QueryStart))), Math.Round(s.Score, 4))
                { VideoId = stored.VideoId, Mirrored = m });
            }
        }
        return matches.OrderByDescending(m => m.Score).ThenBy(m => m.Video, StringComparer.Ordinal).Take(o.MaxMatches).ToList();
    }

    /// <summary>Copies within the library: every video against all others, each pair reported once.</summary>
    public async Task<IReadOnlyList<DuplicatePair>> FindDuplicatesAsync(CancellationToken ct = default)
    {
        var index = await GetIndexAsync(ct).ConfigureAwait(false);
        var pairs = new List<DuplicatePair>();
        for (var v = 0; v < index.Videos.Count; v++)
        {
            ct.ThrowIfCancellationRequested();
            var f = index.Videos[v];
            if (f.Fingerprint.Count == 0) continue;
            // A library video is a query sampled at the library rate.
            var times = index.TimesOf(v).ToArray();
            var hashes = index.HashesOf(v).ToArray();
            // Stored samples keep only the picture as shown; the mirror image's hashes are derived (flipped re-uploads).
            var query = new QueryFingerprint(f.Duration, f.Fingerprint.Fps, times, hashes, hashes.Select(PerceptualHash.MirrorOf).ToArray(),
                index.ChromaOf(v).ToArray() is { Length: > 0 } chroma ? chroma : null);
            foreach (var m in Match(index, query, options, exclude: v))
            {
                // Each pair once: from the video that sorts first.
                if (string.CompareOrdinal(f.VideoId, m.VideoId) > 0) continue;
                pairs.Add(new DuplicatePair(f.SourcePath, m.QueryStart, m.QueryEnd, m.Video, m.Start, m.End, m.Score, m.Mirrored));
            }
        }
        return pairs.OrderByDescending(p => p.Score).ToList();
    }

    private static double Overlap(double a0, double a1, double b0, double b1) => Math.Max(0, Math.Min(a1, b1) - Math.Max(a0, b0));
    private static double Round(double s) => Math.Round(s, 2);
}
