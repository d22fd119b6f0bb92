using System.Numerics.Tensors;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Stores.Embedded;

/// <summary>What filters need to know about a segment, kept in memory beside its vector.</summary>
internal struct SlotMeta
{
    public long Seq;            // segments.seq; 0 = free slot
    public bool HasVector;
    public float QuantScale;
    public string VideoId;
    public string SourcePath;
    public string Storage;
    public string? Language;
    public double Duration;
    public long IndexedAtMs;
}

/// <summary>One row the store hands to the catalog after a commit.</summary>
internal sealed record CatalogRow(long Seq, string VideoId, string SourcePath, string Storage, string? Language,
    double Duration, long IndexedAtMs, float[]? Vector);

/// <summary>A query's filters compiled for the in-memory scan (and for filtering FTS results).</summary>
internal sealed class SlotFilter(SearchFilters f)
{
    private readonly long? _after = f.IndexedAfter?.ToUnixTimeMilliseconds();
    private readonly long? _before = f.IndexedBefore?.ToUnixTimeMilliseconds();
    public bool IsEmpty { get; } = f.PathPrefix is null && f.Storage is null && f.MinDuration is null && f.MaxDuration is null
        && f.IndexedAfter is null && f.IndexedBefore is null && f.Language is null && f.VideoId is null;

    public bool Matches(in SlotMeta m) =>
        (f.VideoId is null || string.Equals(m.VideoId, f.VideoId, StringComparison.Ordinal))
        && (f.Storage is null || string.Equals(m.Storage, f.Storage, StringComparison.Ordinal))
        && (f.PathPrefix is null || m.SourcePath.StartsWith(f.PathPrefix, StringComparison.Ordinal))
        && (f.Language is null || string.Equals(m.Language, f.Language, StringComparison.OrdinalIgnoreCase))
        && (f.MinDuration is null || m.Duration >= f.MinDuration)
        && (f.MaxDuration is null || m.Duration <= f.MaxDuration)
        && (_after is null || m.IndexedAtMs >= _after)
        && (_before is null || m.IndexedAtMs <= _before);
}

/// <summary>
/// The segments' vectors as a contiguous float32 matrix (chunks of 4096 rows, so growth never copies
/// hundreds of MB) plus filter metadata; searched exactly with TensorPrimitives.Dot, or first with an
/// int8 copy and then re-scored exactly. Kept in sync by the store after each committed write.
/// Thread-safety: scans take the read lock, writes the write lock.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "ReaderWriterLockSlim holds no OS handle here; the catalog lives as long as its store and searches may still hold it.")]
internal sealed class SegmentCatalog
{
    public const int Dim = SearchLimits.VectorDimension;
    private const int ChunkRows = 4096;

    private readonly bool _quantize;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly List<float[]> _chunks = [];
    private readonly List<sbyte[]> _qchunks = [];
    private SlotMeta[] _meta = new SlotMeta[1024];
    private int _slotCount;
    private readonly Stack<int> _free = new();
    private readonly Dictionary<long, int> _slotBySeq = [];
    private readonly Dictionary<string, List<int>> _slotsByVideo = new(StringComparer.Ordinal);

    public SegmentCatalog(bool quantize) => _quantize = quantize;

    public int Count
    {
        get { _lock.EnterReadLock(); try { return _slotBySeq.Count; } finally { _lock.ExitReadLock(); } }
    }

    /// <summary>Replaces a video's rows (remove old, add new) atomically for readers.</summary>
    public void ReplaceVideo(string videoId, IReadOnlyList<CatalogRow> rows)
    {
        _lock.EnterWriteLock();
        try
        {
            RemoveVideoLocked(videoId);
            foreach (var r in rows) AddLocked(r);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public void AddRange(IEnumerable<CatalogRow> rows)
    {
        _lock.EnterWriteLock();
        try { foreach (var r in rows) AddLocked(r); }
        finally { _lock.ExitWriteLock(); }
    }

    private void RemoveVideoLocked(string videoId)
    {
        if (!_slotsByVideo.Remove(videoId, out var slots)) return;
        foreach (var s in slots)
        {
            _slotBySeq.Remove(_meta[s].Seq);
            _meta[s] = default;
            _free.Push(s);
        }
    }

    /// <summary>Adds one row whose vector is given as a span (the loader reads BLOBs into one buffer).</summary>
    public void Add(CatalogRow r, ReadOnlySpan<float> vector)
    {
        _lock.EnterWriteLock();
        try { AddLocked(r, vector); }
        finally { _lock.ExitWriteLock(); }
    }

    private void AddLocked(CatalogRow r) => AddLocked(r, r.Vector);

    private void AddLocked(CatalogRow r, ReadOnlySpan<float> vector)
    {
        bool hasVector = !vector.IsEmpty;
        if (_slotBySeq.ContainsKey(r.Seq)) return;
        int slot;
        if (_free.Count > 0) slot = _free.Pop();
        else
        {
            slot = _slotCount++;
            if (slot >= _meta.Length) Array.Resize(ref _meta, _meta.Length * 2);
            if (slot / ChunkRows >= _chunks.Count)
            {
                _chunks.Add(new float[ChunkRows * Dim]);
                if (_quantize) _qchunks.Add(new sbyte[ChunkRows * Dim]);
            }
        }
        var row = _chunks[slot / ChunkRows].AsSpan(slot % ChunkRows * Dim, Dim);
        float scale = 1f;
        if (hasVector)
        {
            vector.CopyTo(row);
            if (_quantize) scale = Int8Vectors.Quantize(row, _qchunks[slot / ChunkRows].AsSpan(slot % ChunkRows * Dim, Dim));
        }
        else row.Clear();
        _meta[slot] = new SlotMeta
        {
            Seq = r.Seq, HasVector = hasVector, QuantScale = scale, VideoId = r.VideoId, SourcePath = r.SourcePath,
            Storage = r.Storage, Language = r.Language, Duration = r.Duration, IndexedAtMs = r.IndexedAtMs,
        };
        _slotBySeq[r.Seq] = slot;
        if (!_slotsByVideo.TryGetValue(r.VideoId, out var list)) _slotsByVideo[r.VideoId] = list = [];
        list.Add(slot);
    }

    /// <summary>Video id of a segment, or null when it is not (or no longer) in the catalog.</summary>
    public string? VideoIdOf(long seq)
    {
        _lock.EnterReadLock();
        try { return _slotBySeq.TryGetValue(seq, out var s) ? _meta[s].VideoId : null; }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Keeps the FTS hits (in rank order) that pass the filter, up to <paramref name="k"/>.</summary>
    public List<SubQueryHit<long>> FilterHits(IEnumerable<SubQueryHit<long>> hits, SlotFilter filter, int k)
    {
        var kept = new List<SubQueryHit<long>>(Math.Min(k, 1024));
        _lock.EnterReadLock();
        try
        {
            foreach (var h in hits)
            {
                if (kept.Count >= k) break;
                if (!_slotBySeq.TryGetValue(h.Id, out var s)) continue; // written after our snapshot
                if (filter.IsEmpty || filter.Matches(in _meta[s])) kept.Add(h);
            }
        }
        finally { _lock.ExitReadLock(); }
        return kept;
    }

    /// <summary>The stored vector of a segment (copy), or null.</summary>
    public float[]? VectorOf(long seq)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_slotBySeq.TryGetValue(seq, out var s) || !_meta[s].HasVector) return null;
            return _chunks[s / ChunkRows].AsSpan(s % ChunkRows * Dim, Dim).ToArray();
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Exact top-k by inner product (returns dot products, best first), honouring the filter.</summary>
    public List<(long Seq, float Dot)> Search(float[] query, int k, SlotFilter filter, long excludeSeq, int rescoreCandidates)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_quantize) return Finish(ScanFloat(query, k, filter, excludeSeq), k);
            // int8 first pass, then exact float re-scoring of the best candidates
            var qv = new sbyte[Dim];
            float qscale = Int8Vectors.Quantize(query, qv);
            var approx = ScanInt8(qv, qscale, Math.Max(k * 2, rescoreCandidates), filter, excludeSeq);
            var exact = new TopK(k);
            foreach (var (slot, _) in approx.Items())
                exact.Offer(TensorPrimitives.Dot(Row(slot), query), slot);
            return Finish(exact, k);
        }
        finally { _lock.ExitReadLock(); }
    }

    private ReadOnlySpan<float> Row(int slot) => _chunks[slot / ChunkRows].AsSpan(slot % ChunkRows * Dim, Dim);

    private List<(long, float)> Finish(TopK top, int k)
    {
        var items = top.Items();
        items.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : _meta[a.Slot].Seq.CompareTo(_meta[b.Slot].Seq));
        var result = new List<(long, float)>(Math.Min(k, items.Count));
        foreach (var (slot, score) in items) result.Add((_meta[slot].Seq, score));
        return result;
    }

    /// <summary>Above this many slots the scan is split across cores (memory bandwidth, not one core, is the limit).</summary>
    private const int ParallelScanSlots = 32_768;

    private TopK ScanFloat(float[] query, int k, SlotFilter filter, long excludeSeq) =>
        ScanPartitioned(k, (from, to) => ScanFloatRange(query, k, filter, excludeSeq, from, to));

    private TopK ScanFloatRange(float[] query, int k, SlotFilter filter, long excludeSeq, int from, int to)
    {
        var top = new TopK(k);
        var q = query.AsSpan();
        bool filtered = !filter.IsEmpty;
        for (int slot = from; slot < to; slot++)
        {
            ref readonly var m = ref _meta[slot];
            if (!m.HasVector || m.Seq == excludeSeq || (filtered && !filter.Matches(in m))) continue;
            top.Offer(TensorPrimitives.Dot(new ReadOnlySpan<float>(_chunks[slot / ChunkRows], slot % ChunkRows * Dim, Dim), q), slot);
        }
        return top;
    }

    /// <summary>Runs <paramref name="scan"/> over chunk-aligned slot ranges, in parallel when large, and merges.</summary>
    private TopK ScanPartitioned(int k, Func<int, int, TopK> scan)
    {
        int n = _slotCount;
        int parts = n >= ParallelScanSlots ? Math.Min(Environment.ProcessorCount, 4) : 1;
        if (parts <= 1) return scan(0, n);
        int per = (n / parts + ChunkRows - 1) / ChunkRows * ChunkRows;
        var results = new TopK[parts];
        Parallel.For(0, parts, p => results[p] = scan(Math.Min(n, p * per), p == parts - 1 ? n : Math.Min(n, (p + 1) * per)));
        var merged = new TopK(k);
        foreach (var r in results)
            foreach (var (slot, score) in r.Items()) merged.Offer(score, slot);
        return merged;
    }

    private TopK ScanInt8(sbyte[] query, float qscale, int k, SlotFilter filter, long excludeSeq) =>
        ScanPartitioned(k, (from, to) =>
        {
            var top = new TopK(k);
            var q = new ReadOnlySpan<sbyte>(query);
            bool filtered = !filter.IsEmpty;
            for (int slot = from; slot < to; slot++)
            {
                ref readonly var m = ref _meta[slot];
                if (!m.HasVector || m.Seq == excludeSeq || (filtered && !filter.Matches(in m))) continue;
                int dot = Int8Vectors.Dot(new ReadOnlySpan<sbyte>(_qchunks[slot / ChunkRows], slot % ChunkRows * Dim, Dim), q);
                top.Offer(dot / (m.QuantScale * qscale), slot);
            }
            return top;
        });

    /// <summary>Bounded min-heap keeping the k largest scores.</summary>
    private sealed class TopK(int k)
    {
        private readonly float[] _scores = new float[Math.Max(k, 1)];
        private readonly int[] _slots = new int[Math.Max(k, 1)];
        private int _n;

        public void Offer(float score, int slot)
        {
            if (k <= 0) return;
            if (_n < k)
            {
                int i = _n++;
                _scores[i] = score; _slots[i] = slot;
                while (i > 0)
                {
                    int p = (i - 1) >> 1;
                    if (_scores[p] <= _scores[i]) break;
                    Swap(i, p); i = p;
                }
                return;
            }
            if (score <= _scores[0]) return;
            _scores[0] = score; _slots[0] = slot;
            int j = 0;
            while (true)
            {
                int l = 2 * j + 1, r = l + 1, m = j;
                if (l < _n && _scores[l] < _scores[m]) m = l;
                if (r < _n && _scores[r] < _scores[m]) m = r;
                if (m == j) break;
                Swap(j, m); j = m;
            }
        }

        private void Swap(int a, int b)
        {
            (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
            (_slots[a], _slots[b]) = (_slots[b], _slots[a]);
        }

        public List<(int Slot, float Score)> Items()
        {
            var list = new List<(int, float)>(_n);
            for (int i = 0; i < _n; i++) list.Add((_slots[i], _scores[i]));
            return list;
        }
    }
}
