using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>
/// Every exception becomes an RFC 7807 problem: client mistakes say what to fix, server faults are
/// logged with their stack trace and answered with a generic message (no internals to clients).
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = Classify(http, exception);
        if (status >= 500)
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
        UnsupportedMediaException u => (415, "Unsupported media type", u.Message),
        BadHttpRequestException { StatusCode: 413 } => (413, "Payload too large", "The request body is larger than allowed here."),
        BadHttpRequestException { InnerException: JsonException j } => (400, "Invalid JSON", $"The body is not valid JSON for this endpoint: {Short(j.Message)}"),
        BadHttpRequestException b => (b.StatusCode is >= 400 and < 500 ? b.StatusCode : 400, "Bad request", Short(b.Message)),
        JsonException j => (400, "Invalid JSON", $"The body is not valid JSON for this endpoint: {Short(j.Message)}"),
        InvalidDataException d => (400, "Bad request", Short(d.Message)), // malformed multipart
        OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The request was cancelled."),
        _ => (500, "Internal server error", "Something went wrong on the server; the error is in the daemon's log."),
    };

    private static string Short(string message) => message.Length <= 300 ? message : message[..300] + "…";
}
