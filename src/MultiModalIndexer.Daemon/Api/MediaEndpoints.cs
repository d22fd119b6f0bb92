using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Daemon.Configuration;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>
/// GET /media/{videoId}: the video file, with HTTP range requests. The file is found by id (never by
/// a client path) and the answer is re-checked: after resolving every symlink it must be a regular
/// file strictly inside a configured source root.
/// </summary>
internal static class MediaEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods("/media/{videoId}", [HttpMethods.Get, HttpMethods.Head], (string videoId, IIndexingBackend indexing, SourceCatalog sources, ILoggerFactory logs) =>
        {
            var path = Ids.IsVideoId(videoId) ? indexing.ResolveMediaPath(videoId) : null;
            var safe = path is null ? null : MediaGuard.Check(path, sources.CanonicalRoots);
            if (safe is null)
            {
                if (path is not null)
                    logs.CreateLogger("MultiModalIndexer.Daemon.Media").LogWarning(
                        "Refused to serve video {VideoId}: its file {Path} is not under a configured source root.", videoId, path);
                return ApiProblems.NotFound($"No video with id '{Ids.Clip(videoId)}'.");
            }
            if (!ContentTypes.TryGetContentType(safe, out var contentType)) contentType = "application/octet-stream";
            return Results.File(safe, contentType, enableRangeProcessing: true);
        })
        .WithTags("media")
        .WithName("GetMedia")
        .WithSummary("Streams a video by id (supports Range requests; use #t=start in the player).")
        .Produces(200).Produces(206).ProducesProblem(404);
    }

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var p = new FileExtensionContentTypeProvider();
        p.Mappings[".mkv"] = "video/x-matroska";
        p.Mappings[".mov"] = "video/quicktime";
        p.Mappings[".m4v"] = "video/mp4";
        p.Mappings[".ts"] = "video/mp2t";
        p.Mappings[".webm"] = "video/webm";
        p.Mappings[".flv"] = "video/x-flv";
        return p;
    }
}

public static class MediaGuard
{
    /// <summary>
    /// The canonical path of <paramref name="path"/> when it is an existing regular file strictly under
    /// one of <paramref name="canonicalRoots"/> (symlinks resolved), otherwise null.
    /// </summary>
    public static string? Check(string path, IReadOnlyList<string> canonicalRoots)
    {
        if (canonicalRoots.Count == 0 || string.IsNullOrEmpty(path) || path.Contains('\0') || !Path.IsPathRooted(path))
            return null;
        var real = RealPath.Resolve(path);
        if (real is null || !RealPath.IsUnder(real, canonicalRoots)) return null;
        try
        {
            var attributes = File.GetAttributes(real);
            return (attributes & (FileAttributes.Directory | FileAttributes.Device)) == 0 ? real : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
