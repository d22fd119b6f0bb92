using Microsoft.AspNetCore.Http;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>RFC 7807 problem results with a message a user can act on.</summary>
internal static class ApiProblems
{
    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: 404, title: "Not found");
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: 400, title: "Invalid request");
    public static IResult Unauthorized(string detail) => Results.Problem(detail, statusCode: 401, title: "Unauthorized");
    public static IResult Forbidden(string detail) => Results.Problem(detail, statusCode: 403, title: "Forbidden");
    public static IResult Unavailable(string detail) => Results.Problem(detail, statusCode: 503, title: "Service unavailable");

    public static IResult TooLarge(long limit) => Results.Problem(
        $"The request body is larger than the {limit} bytes allowed here.", statusCode: 413, title: "Payload too large");
}
