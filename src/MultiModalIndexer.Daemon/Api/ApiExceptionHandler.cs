using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>
/// Every exception becomes an RFC 7807 problem: client mistakes say what to fix, server faults are
/// logged with their stack trace and answered with a generic message (no internals to clients).
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = Classify(http, exception);
        if (status == 503)
            logger.LogError("Storage unavailable on {Method} {Path}: {Detail}", http.Request.Method, http.Request.Path, detail);
        else if (status >= 500)
            logger.LogError(exception, "Unhandled error on {Method} {Path}.", http.Request.Method, http.Request.Path);
        else
            logger.LogDebug("Client error {Status} on {Method} {Path}: {Detail}", status, http.Request.Method, http.Request.Path, detail);

        if (http.Response.HasStarted) return true; // mid-stream (e.g. a media range): nothing sane left to send
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    private static (int Status, string Title, string Detail) Classify(HttpContext http, Exception e) => e switch
    {
        SearchValidationException v => (400, "Invalid request", v.Message),
        _ when StorageErrors.Describe(e, null) is { } s => (503, "Store unavailable", s.Message),
        UnsupportedMediaException u => (415, "Unsupported media type", u.Message),
        BadHttpRequestException { StatusCode: 413 } => (413, "Payload too large", "The request body is larger than allowed here."),
        BadHttpRequestException { InnerException: JsonException j } => (400, "Invalid JSON", Json(j)),
        BadHttpRequestException b when b.Message.Contains("was not provided", StringComparison.Ordinal) =>
            (400, "Bad request", "The request body is empty or null: send a JSON object."),
        BadHttpRequestException b => (b.StatusCode is >= 400 and < 500 ? b.StatusCode : 400, "Bad request", Short(Plain(b.Message))),
        JsonException j => (400, "Invalid JSON", Json(j)),
        InvalidDataException d => (400, "Bad request", Short(d.Message)), // malformed multipart
        OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The request was cancelled."),
        _ => (500, "Internal server error", "Something went wrong on the server; the error is in the daemon's log."),
    };

    private static string Short(string message) => message.Length <= 300 ? message : message[..300] + "…";

    /// <summary>Where the JSON went wrong, in the client's terms: System.Text.Json's own message names .NET types.</summary>
    private static string Json(JsonException j) => j.Path is { Length: > 1 } path
        ? $"The value at '{path}' has the wrong type or is not allowed there (see /openapi/v1.json for the expected shape)."
        : j.LineNumber is not null
            ? $"The body is not valid JSON (line {j.LineNumber + 1}, byte {j.BytePositionInLine + 1})."
            : "The body is not valid JSON for this endpoint.";

    [GeneratedRegex(@"""[\w.`<>?\[\], ]+ (\w+)""")]
    private static partial Regex TypedParameter();

    /// <summary>ASP.NET quotes parameters as "TypeName name": keep the name, drop the .NET type.</summary>
    private static string Plain(string message) => TypedParameter().Replace(message, m => $"\"{m.Groups[1].Value}\"");
}
