using System.Numerics;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Copies;

/// <summary>
/// In-memory multi-index hashing over the library's fingerprints: each 64-bit hash is cut into four
/// 16-bit bands, and each band value lists the samples that have it. A query hash probes every band
/// at its value and at the 16 values one bit away, so any sample within 7 bits is found for sure and
/// most within ~20; hits are verified on the full hash and vote for their video. Both hashes of a
/// sample (whole picture, central part) are indexed; colour layouts are kept for alignment only.
/// Samples live in flat arrays (28 bytes each plus 32 bytes of postings) so 10,000 hours fit in memory.
/// </summary>
public sealed class FingerprintIndex
{
    public const int Bands = 4, BandBits = 16, BandValues = 1 << BandBits;

    private readonly ulong[] _hashes;
    private readonly ulong[] _cropped;
    private readonly ulong[]? _chroma;       // null when no video has colour layouts
    private readonly float[] _times;
    private readonly int[] _starts;          // first sample of each video, plus the total at the end
    private readonly int[][] _offsets;       // per band: BandValues + 1 offsets into _postings
    private readonly int[][] _postings;      // per band: sample ids grouped by band value

    public IReadOnlyList<StoredFingerprint> Videos { get; }
    public int SampleCount => _hashes.Length;
    public long MemoryBytes => _hashes.Length * (8L + (ReferenceEquals(_cropped, _hashes) ? 0 : 8L) + (_chroma is null ? 0 : 8L) + 4L + 2 * Bands * 4L)
        + Bands * (BandValues + 1) * 4L + _starts.Length * 4L;

    public static FingerprintIndex Build(IReadOnlyList<StoredFingerprint> videos)
    {
        var starts = new int[videos.Count + 1];
        long total = 0;
        for (var v = 0; v < videos.Count; v++)
        {
            starts[v] = (int)total;
            total += videos[v].Fingerprint.Count;
            if (total > int.MaxValue / 2) throw new InvalidOperationException("too many fingerprint samples for one index");
        }
        starts[^1] = (int)total;
        var hashes = new ulong[total];
        var cropped = new ulong[total];
        var times = new float[total];
        var chroma = videos.Any(v => v.Fingerprint.Chroma is not null) ? new ulong[total] : null;
        for (var v = 0; v < videos.Count; v++)
        {
            videos[v].Fingerprint.Hashes.CopyTo(hashes, starts[v]);
            videos[v].Fingerprint.Cropped.CopyTo(cropped, starts[v]);
            videos[v].Fingerprint.Times.CopyTo(times, starts[v]);
            if (chroma is not null) videos[v].Fingerprint.Chroma?.CopyTo(chroma, starts[v]);
        }
        return new FingerprintIndex(videos, starts, hashes, cropped, times, chroma);
    }

    /// <summary>From flat arrays (the benchmark's synthetic libraries): video v owns samples starts[v]..starts[v+1].</summary>
    /// <param name="chroma">Colour layouts, for the videos whose fingerprint has them (null: none has).</param>
    public FingerprintIndex(IReadOnlyList<StoredFingerprint> videos, int[] starts, ulong[] hashes, ulong[] cropped, float[] times, ulong[]? chroma = null)
    {
        if (starts.Length != videos.Count + 1 || starts[^1] != hashes.Length || times.Length != hashes.Length || cropped.Length != hashes.Length
            || (chroma is not null && chroma.Length != hashes.Length))
            throw new ArgumentException("starts, hashes and times do not describe the videos");
        Videos = videos;
        _chroma = chroma;
        _starts = starts;
        _hashes = hashes;
        _cropped = cropped;
        _times = times;
        var n = hashes.Length;
        _offsets = new int[Bands][];
        _postings = new int[Bands][];
        for (var b = 0; b < Bands; b++)
        {
            // Counting sort by band value: offsets, then postings in sample order (id n + i: sample i's cropped hash).
            var off = new int[BandValues + 1];
            var shift = b * BandBits;
            foreach (var h in hashes) off[(int)((h >> shift) & 0xFFFF) + 1]++;
            foreach (var h in cropped) off[(int)((h >> shift) & 0xFFFF) + 1]++;
            for (var i = 0; i < BandValues; i++) off[i + 1] += off[i];
            var fill = (int[])off.Clone();
            var post = new int[2 * n];
            for (var i = 0; i < n; i++) post[fill[(int)((hashes[i] >> shift) & 0xFFFF)]++] = i;
            for (var i = 0; i < n; i++) post[fill[(int)((cropped[i] >> shift) & 0xFFFF)]++] = n + i;
            _offsets[b] = off;
            _postings[b] = post;
        }
    }

    public ReadOnlySpan<ulong> HashesOf(int video) => _hashes.AsSpan(_starts[video], _starts[video + 1] - _starts[video]);
    public ReadOnlySpan<ulong> CroppedOf(int video) => _cropped.AsSpan(_starts[video], _starts[video + 1] - _starts[video]);
    /// <summary>The video's colour layouts, or empty when its fingerprint has none.</summary>
    public ReadOnlySpan<ulong> ChromaOf(int video) =>
        _chroma is not null && Videos[video].Fingerprint.Chroma is not null ? _chroma.AsSpan(_starts[video], _starts[video + 1] - _starts[video]) : default;
    public ReadOnlySpan<float> TimesOf(int video) => _times.AsSpan(_starts[video], _starts[video + 1] - _starts[video]);

    /// <summary>
    /// Videos with band hits within <paramref name="maxDistance"/> bits from at least <paramref name="minVotes"/>
    /// query samples, strongest evidence first. <paramref name="exclude"/> leaves one video out (a library
    /// video against the rest). Each voting sample weighs by its nearest hit, ((D + 1 − d) / (D + 1))²:
    /// in a large library nearly every video has some frame 18-20 bits from any query frame by chance (at
    /// 10,000 h of synthetic footage every video got a vote from almost every query sample, so plain vote
    /// counts tied and the copy was found for 65 % of queries), while a copy's frames are a few bits away.
    /// </summary>
    /// <param name="videosPerSample">When given (one slot per query sample): how many videos each query
    /// sample was found in within <paramref name="commonDistance"/> bits, so alignment can tell a frame
    /// of one video from a picture common to many (a test pattern, a lattice-like fractal).</param>
    public List<(int Video, int Votes)> Candidates(ReadOnlySpan<ulong> query, int maxDistance, int minVotes, int maxCandidates,
        int maxBucketSize, int exclude = -1, double minVoteFraction = 0, Span<int> videosPerSample = default, int commonDistance = 0)
    {
        var votes = new Dictionary<int, (int LastQ, int BestD, int Votes, double Weight)>();
        var counting = videosPerSample.Length == query.Length && query.Length > 0;
        if (counting) videosPerSample.Clear();
        for (var q = 0; q < query.Length; q++)
        {
            var h = query[q];
            for (var b = 0; b < Bands; b++)
            {
                var shift = b * BandBits;
                var value = (int)((h >> shift) & 0xFFFF);
                for (var flip = -1; flip < BandBits; flip++)
                {
                    var probe = flip < 0 ? value : value ^ (1 << flip);
                    int from = _offsets[b][probe], to = _offsets[b][probe + 1];
                    if (to - from > maxBucketSize) continue;
                    var post = _postings[b];
                    var n = _hashes.Length;
                    for (var k = from; k < to; k++)
                    {
                        var id = post[k];
                        var stored = id < n ? _hashes[id] : _cropped[id -= n];
                        var d = BitOperations.PopCount(stored ^ h);
                        if (d > maxDistance) continue;
                        var video = VideoOf(id);
                        if (video == exclude) continue;
                        // One vote per query sample and video, however many bands or samples agree, weighed by the nearest;
                        // the video counts for the sample's commonness once its nearest hit comes within commonDistance.
                        var seen = votes.TryGetValue(video, out var v) && v.LastQ == q;
                        if (seen && d >= v.BestD) continue;
                        if (counting && d <= commonDistance && !(seen && v.BestD <= commonDistance)) videosPerSample[q]++;
                        votes[video] = seen
                            ? v with { BestD = d, Weight = v.Weight - Weight(v.BestD, maxDistance) + Weight(d, maxDistance) }
                            : (q, d, v.Votes + 1, v.Weight + Weight(d, maxDistance));
                    }
                }
            }
        }
        var best = votes.Count == 0 ? 0 : votes.Values.Max(v => v.Weight);
        return votes.Where(kv => kv.Value.Votes >= minVotes && kv.Value.Weight >= best * minVoteFraction)
            .OrderByDescending(kv => kv.Value.Weight).ThenBy(kv => kv.Key)
            .Take(maxCandidates)
            .Select(kv => (kv.Key, kv.Value.Votes))
            .ToList();
    }

    private static double Weight(int d, int maxDistance)
    {
        var w = (maxDistance + 1 - d) / (double)(maxDistance + 1);
        return w * w;
    }

    private int VideoOf(int sample)
    {
        var i = Array.BinarySearch(_starts, sample);
        if (i >= 0)
        {
            // Empty videos share a start: the owner is the last video starting here.
            while (i + 1 < _starts.Length - 1 && _starts[i + 1] == sample) i++;
            return i;
        }
        return ~i - 1;
    }
}
