using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace MultiModalIndexer.Stores.OpenSearch;

/// <summary>An OpenSearch error answer, with the server's error type and reason.</summary>
public sealed class OpenSearchException(string message, HttpStatusCode? status = null, string? errorType = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
    public string? ErrorType { get; } = errorType;
}

/// <summary>One bulk item OpenSearch refused (mapping error, rejected after retries, ...).</summary>
public sealed record BulkItemFailure(string Index, string Id, int Status, string? ErrorType, string? Reason);

/// <summary>Some documents of a bulk write were refused; nothing is dropped silently.</summary>
public sealed class OpenSearchBulkException(IReadOnlyList<BulkItemFailure> failures)
    : Exception($"{failures.Count} document(s) rejected by OpenSearch; first: {failures[0].Id} → {failures[0].Status} {failures[0].ErrorType}: {failures[0].Reason}")
{
    public IReadOnlyList<BulkItemFailure> Failures { get; } = failures;
}

/// <summary>
/// Sends REST calls: absolute URLs from options.Url, basic auth per request (so any HttpClient works),
/// retries with exponential back-off + jitter on 429/502/503/504 and connection failures (Polly.Core).
/// Bodies are serialised once to bytes so a retry resends the identical request.
/// </summary>
internal sealed class OpenSearchTransport
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue NdJson = new("application/x-ndjson");

    private readonly OpenSearchOptions _options;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Uri _base;
    private readonly AuthenticationHeaderValue? _auth;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;

    public OpenSearchTransport(OpenSearchOptions options, HttpClient http, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException("Invalid OpenSearch configuration: " + string.Join(" ", problems), nameof(options));
        _options = options;
        _http = http;
        _logger = logger ?? NullLogger.Instance;
        _base = new Uri(options.Url.TrimEnd('/') + "/", UriKind.Absolute);
        _auth = BasicAuth(options.Username, options.Password);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
                OnRetry = args =>
                {
                    _logger.LogWarning("OpenSearch {Outcome}; retry {Attempt} in {Delay} ms",
                        args.Outcome.Result?.StatusCode.ToString() ?? args.Outcome.Exception?.Message,
                        args.AttemptNumber + 1, (int)args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        _retry = builder.Build();
    }

    internal static bool IsTransient(HttpStatusCode s) =>
        s is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    internal static AuthenticationHeaderValue? BasicAuth(string? user, string? password) =>
        string.IsNullOrEmpty(user) ? null
        : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public Uri BuildUri(string path, IReadOnlyDictionary<string, string>? query)
    {
        var sb = new StringBuilder(path.TrimStart('/'));
        if (query is { Count: > 0 })
        {
            sb.Append('?');
            sb.AppendJoin('&', query.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        }
        return new Uri(_base, sb.ToString());
    }

    /// <summary>Sends with retries; the caller owns (and disposes) the response.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, IReadOnlyDictionary<string, string>? query,
        byte[]? body, bool ndjson, CancellationToken ct)
    {
        var uri = BuildUri(path, query);
        try
        {
            return await _retry.ExecuteAsync(async token =>
            {
                using var req = new HttpRequestMessage(method, uri);
                if (_auth is not null) req.Headers.Authorization = _auth;
                if (body is not null)
                {
                    req.Content = new ByteArrayContent(body);
                    req.Content.Headers.ContentType = ndjson ? NdJson : Json;
                }
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    return await _http.SendAsync(req, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!token.IsCancellationRequested)
                {
                    // A request timeout is a transport failure (retried), not the caller's cancellation.
                    throw new HttpRequestException($"OpenSearch did not answer {method} /{path} within {_options.RequestTimeout.TotalSeconds:0}s", e);
                }
            }, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new OpenSearchException($"OpenSearch unreachable at {_base} ({method} /{path.TrimStart('/')}): {e.Message}", null, null, e);
        }
    }

    public async Task<TResponse> SendJsonAsync<TBody, TResponse>(HttpMethod method, string path, IReadOnlyDictionary<string, string>? query,
        TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, bodyType);
        using var resp = await SendAsync(method, path, query, bytes, false, ct).ConfigureAwait(false);
        return await ReadAsync(resp, method, path, responseType, ct).ConfigureAwait(false);
    }

    public async Task<TResponse> SendNoBodyAsync<TResponse>(HttpMethod method, string path, IReadOnlyDictionary<string, string>? query,
        JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        using var resp = await SendAsync(method, path, query, null, false, ct).ConfigureAwait(false);
        return await ReadAsync(resp, method, path, responseType, ct).ConfigureAwait(false);
    }

    /// <summary>True on 2xx, false on 404, throws otherwise (HEAD existence checks).</summary>
    public async Task<bool> ExistsAsync(string path, CancellationToken ct)
    {
        using var resp = await SendAsync(HttpMethod.Head, path, null, null, false, ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) return false;
        if (resp.IsSuccessStatusCode) return true;
        throw await ErrorAsync(resp, HttpMethod.Head, path, ct).ConfigureAwait(false);
    }

    public static async Task<TResponse> ReadAsync<TResponse>(HttpResponseMessage resp, HttpMethod method, string path,
        JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        if (!resp.IsSuccessStatusCode) throw await ErrorAsync(resp, method, path, ct).ConfigureAwait(false);
        await using var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, responseType, ct).ConfigureAwait(false)
                ?? throw new OpenSearchException($"OpenSearch answered {method} /{path.TrimStart('/')} with an empty body");
        }
        catch (JsonException e)
        {
            throw new OpenSearchException($"OpenSearch answered {method} /{path.TrimStart('/')} with JSON this client cannot read: {e.Message}", resp.StatusCode, null, e);
        }
    }

    public static async Task<OpenSearchException> ErrorAsync(HttpResponseMessage resp, HttpMethod method, string path, CancellationToken ct)
    {
        var text = resp.Content is null ? "" : await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        string? type = null, reason = null;
        try
        {
            var env = JsonSerializer.Deserialize(text, OpenSearchJsonContext.Default.ErrorEnvelope);
            if (env?.Error.ValueKind == JsonValueKind.Object)
            {
                var root = env.Error.TryGetProperty("root_cause", out var rc) && rc.ValueKind == JsonValueKind.Array && rc.GetArrayLength() > 0 ? rc[0] : env.Error;
                type = env.Error.TryGetProperty("type", out var t) ? t.GetString() : null;
                reason = root.TryGetProperty("reason", out var r) ? r.GetString() : null;
            }
            else if (env?.Error.ValueKind == JsonValueKind.String) reason = env.Error.GetString();
        }
        catch (JsonException) { /* not JSON: report the raw text below */ }
        reason ??= text.Length > 300 ? text[..300] : text;
        return new OpenSearchException(
            $"OpenSearch {method} /{path.TrimStart('/')} failed: {(int)resp.StatusCode} {type} {reason}".TrimEnd(),
            resp.StatusCode, type);
    }
}
