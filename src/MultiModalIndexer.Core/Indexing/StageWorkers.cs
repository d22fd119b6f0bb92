using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Ocr;

namespace MultiModalIndexer.Indexing;

/// <summary>Wall time spent per pipeline stage (summed over workers), for progress and the benchmark.</summary>
public sealed class PipelineStats
{
    private readonly ConcurrentDictionary<string, long> _ticks = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public void Add(string stage, TimeSpan elapsed, int count = 1)
    {
        _ticks.AddOrUpdate(stage, elapsed.Ticks, (_, t) => t + elapsed.Ticks);
        _counts.AddOrUpdate(stage, count, (_, c) => c + count);
    }

    public IReadOnlyDictionary<string, double> Seconds =>
        _ticks.ToDictionary(kv => kv.Key, kv => TimeSpan.FromTicks(kv.Value).TotalSeconds);

    public IReadOnlyDictionary<string, long> Counts => _counts.ToDictionary(kv => kv.Key, kv => kv.Value);
}

/// <summary>
/// Batches keyframes from every video in flight into one CLIP encoder (one consumer thread, so
/// the encoder's own intra-op threads have the cores): a batch is whatever is queued, up to the
/// batch size, after a short linger. The bounded queue pauses the keyframe decoders when CLIP lags.
/// </summary>
internal sealed class ClipBatcher : IAsyncDisposable
{
    private sealed record Request(ReadOnlyMemory<byte> Rgb, TaskCompletionSource<float[]> Done);

    private readonly IImageEncoder _encoder;
    private readonly int _batch;
    private readonly PipelineStats _stats;
    private readonly Channel<Request> _queue;
    private readonly Task _loop;

    public ClipBatcher(IImageEncoder encoder, int batchSize, int capacity, PipelineStats stats)
    {
        _encoder = encoder;
        _batch = Math.Max(1, batchSize);
        _stats = stats;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(Math.Max(capacity, _batch)) { SingleReader = true });
        _loop = Task.Factory.StartNew(LoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public async Task<float[]> EncodeAsync(ReadOnlyMemory<byte> rgb, CancellationToken ct)
    {
        var done = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Request(rgb, done), ct);
        return await done.Task.WaitAsync(ct);
    }

    private async Task LoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Request>(_batch);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _batch && reader.TryRead(out var r)) batch.Add(r);
            if (batch.Count < _batch)
            {
                await Task.Delay(15);
                while (batch.Count < _batch && reader.TryRead(out var r)) batch.Add(r);
            }
            var sw = Stopwatch.StartNew();
            try
            {
                var vectors = _encoder.Encode(batch.Select(b => b.Rgb).ToList());
                for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(vectors[i]);
            }
            catch (Exception e)
            {
                foreach (var b in batch) b.Done.TrySetException(e);
            }
            _stats.Add("clip", sw.Elapsed, batch.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }
}

/// <summary>OCR workers, one per pooled Tesseract engine, fed by a bounded queue.</summary>
internal sealed class OcrWorkers : IAsyncDisposable
{
    private sealed record Request(GreyImage Image, OcrResult? Previous, TaskCompletionSource<OcrResult> Done);

    private readonly Channel<Request> _queue;
    private readonly Task[] _workers;

    public OcrWorkers(OcrEnginePool pool, int workers, int capacity, PipelineStats stats)
    {
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(Math.Max(1, capacity)));
        _workers = Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Factory.StartNew(async () =>
        {
            while (await _queue.Reader.WaitToReadAsync())
                while (_queue.Reader.TryRead(out var r))
                {
                    var sw = Stopwatch.StartNew();
                    try { r.Done.TrySetResult(r.Previous is null ? pool.Recognize(r.Image) : pool.Reread(r.Image, r.Previous, CancellationToken.None)); }
                    catch (Exception e) { r.Done.TrySetException(e); }
                    stats.Add("ocr", sw.Elapsed);
                }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
    }

    /// <param name="previous">The read of the same, unchanged picture this is a second look at (null: a full read).</param>
    public async Task<OcrResult> RecognizeAsync(GreyImage image, OcrResult? previous, CancellationToken ct)
    {
        var done = new TaskCompletionSource<OcrResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new Request(image, previous, done), ct);
        return await done.Task.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers);
    }
}
