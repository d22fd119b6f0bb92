using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon.Configuration;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>
/// Guards admin endpoints: X-Api-Key or Authorization: Bearer must equal Api:AdminKey (compared in
/// constant time). With no key configured, admin endpoints are off (403) rather than open.
/// </summary>
internal sealed class AdminKeyFilter(IOptions<ApiOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var configured = options.Value.AdminKey;
        if (string.IsNullOrEmpty(configured))
            return ApiProblems.Forbidden("Admin endpoints are disabled because no admin key is configured: set Api:AdminKey (environment variable MMI__Api__AdminKey) and send it as X-Api-Key or Authorization: Bearer.");
        var presented = Presented(context.HttpContext.Request);
        if (presented is null)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiProblems.Unauthorized("This endpoint needs the admin key: send it as X-Api-Key or Authorization: Bearer.");
        }
        if (!FixedTimeEquals(presented, configured))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return ApiProblems.Unauthorized("The admin key is wrong.");
        }
        return await next(context);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var key) && key.Count == 1 && !string.IsNullOrEmpty(key[0]))
            return key[0];
        var auth = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return auth.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && auth.Length > bearer.Length
            ? auth[bearer.Length..].Trim()
            : null;
    }

    /// <summary>Hashing first makes the comparison constant-time regardless of the lengths.</summary>
    internal static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(a)),
            SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
