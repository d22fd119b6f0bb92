using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>
/// NDJSON _bulk writer: packs action/document pairs into requests of at most MaxBulkBytes, reads every item's
/// status, re-sends only the items refused with 429 (back-off with jitter) and reports every other refusal
/// as <see cref="OpenSearchBulkException"/> — nothing is dropped silently.
/// </summary>
internal sealed class OpenSearchBulk(OpenSearchTransport transport, OpenSearchOptions options, ILogger logger)
{
    private static readonly byte[] Newline = "\n"u8.ToArray();

    internal sealed record Item(string Index, string Id, byte[] Action, byte[] Document);

    public static Item IndexItem<T>(string index, string id, T doc, JsonTypeInfo<T> type) =>
        new(index, id,
            JsonSerializer.SerializeToUtf8Bytes(new BulkAction { Index = new BulkActionMeta(index, id) }, OpenSearchJsonContext.Default.BulkAction),
            JsonSerializer.SerializeToUtf8Bytes(doc, type));

    /// <summary>Writes all items; <paramref name="refresh"/> (e.g. "wait_for") is sent on the last request only.</summary>
    public async Task WriteAsync(IReadOnlyList<Item> items, string? refresh, CancellationToken ct)
    {
        var batches = Pack(items, options.MaxBulkBytes);
        var failures = new List<BulkItemFailure>();
        for (var b = 0; b < batches.Count; b++)
            failures.AddRange(await SendBatchAsync(batches[b], b == batches.Count - 1 ? refresh : null, ct).ConfigureAwait(false));
        if (failures.Count > 0) throw new OpenSearchBulkException(failures);
    }

    /// <summary>Greedy packing by bytes; a single pair larger than the limit travels alone.</summary>
    internal static List<List<Item>> Pack(IReadOnlyList<Item> items, int maxBytes)
    {
        var batches = new List<List<Item>>();
        var current = new List<Item>();
        long size = 0;
        foreach (var it in items)
        {
            var pair = it.Action.Length + it.Document.Length + 2;
            if (current.Count > 0 && size + pair > maxBytes)
            {
                batches.Add(current);
                current = [];
                size = 0;
            }
            current.Add(it);
            size += pair;
        }
        if (current.Count > 0) batches.Add(current);
        return batches;
    }

    internal static byte[] Encode(IReadOnlyList<Item> batch)
    {
        var w = new ArrayBufferWriter<byte>(batch.Sum(i => i.Action.Length + i.Document.Length + 2));
        foreach (var it in batch)
        {
            w.Write(it.Action); w.Write(Newline);
            w.Write(it.Document); w.Write(Newline);
        }
        return w.WrittenSpan.ToArray();
    }

    private async Task<List<BulkItemFailure>> SendBatchAsync(List<Item> batch, string? refresh, CancellationToken ct)
    {
        var pending = batch;
        var failures = new List<BulkItemFailure>();
        for (var attempt = 0; ; attempt++)
        {
            var query = refresh is null ? null : new Dictionary<string, string> { ["refresh"] = refresh };
            using var resp = await transport.SendAsync(HttpMethod.Post, "_bulk", query, Encode(pending), ndjson: true, ct).ConfigureAwait(false);
            var result = await OpenSearchTransport.ReadAsync(resp, HttpMethod.Post, "_bulk", OpenSearchJsonContext.Default.BulkResponse, ct).ConfigureAwait(false);
            if (result.Items.Count != pending.Count)
                throw new OpenSearchException($"OpenSearch _bulk answered {result.Items.Count} items for {pending.Count} documents; cannot tell which were written.");
            var retry = new List<Item>();
            for (var i = 0; i < pending.Count; i++)
            {
                var r = result.Items[i].Values.FirstOrDefault();
                var status = r?.Status ?? 0;
                if (status is >= 200 and < 300) continue;
                if (OpenSearchTransport.IsTransient((HttpStatusCode)status) && attempt < options.MaxRetries)
                    retry.Add(pending[i]);
                else
                    failures.Add(new BulkItemFailure(pending[i].Index, pending[i].Id, status, r?.Error?.Type, r?.Error?.Reason ?? r?.Error?.CausedBy?.Reason));
            }
            if (retry.Count == 0) return failures;
            var delay = BackoffDelay(options.RetryBaseDelay, attempt);
            logger.LogWarning("OpenSearch refused {Count} bulk item(s) with 429/5xx; re-sending them in {Delay} ms", retry.Count, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, ct).ConfigureAwait(false);
            pending = retry;
        }
    }

    /// <summary>Exponential back-off with full jitter: uniform in [0.5, 1.5) × base × 2^attempt, capped at 30 s.</summary>
    internal static TimeSpan BackoffDelay(TimeSpan baseDelay, int attempt)
    {
        var ms = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16)) * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(ms, 30_000));
    }
}
