using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon.Configuration;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>
/// Per-request body limits: JSON endpoints get Api:MaxJsonBodyBytes, the image upload
/// Api:MaxUploadBytes. A declared Content-Length over the limit is refused before reading;
/// chunked bodies are cut off by Kestrel at the same limit (413 either way).
/// </summary>
internal static class RequestLimits
{
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var options = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
        var limit = http.Request.Path.StartsWithSegments("/api/search/image", StringComparison.OrdinalIgnoreCase)
            ? options.MaxUploadBytes
            : http.Request.Path.StartsWithSegments(CopyEndpoints.Path, StringComparison.OrdinalIgnoreCase)
                ? CopyEndpoints.UploadLimit(http.RequestServices.GetService<MultiModalIndexer.Copies.CopyOptions>() ?? new())
                : options.MaxJsonBodyBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        if (http.Request.ContentLength is { } length && length > limit)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            // The unread body is discarded; closing keeps a client from streaming megabytes at us.
            http.Response.Headers.Connection = "close";
            await ApiProblems.TooLarge(limit).ExecuteAsync(http);
            return;
        }
        await next(http);
    });

}
