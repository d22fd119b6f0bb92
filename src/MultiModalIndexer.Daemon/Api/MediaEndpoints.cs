using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Common;
using MultiModalIndexer.Daemon.Backend;
using Microsoft.Extensions.Options;
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
        app.MapMethods("/media/{videoId}", [HttpMethods.Get, HttpMethods.Head], async (string videoId, HttpContext http, IIndexingBackend indexing,
            SourceCatalog sources, IOptions<ApiOptions> api, ILoggerFactory logs) =>
        {
            var path = Ids.IsVideoId(videoId) ? indexing.ResolveMediaPath(videoId) : null;
            var safe = path is null ? null : MediaGuard.Check(path, sources.CanonicalRoots);
            var log = logs.CreateLogger("MultiModalIndexer.Daemon.Media");
            if (safe is null)
            {
                if (path is not null)
                    log.LogWarning("Refused to serve video {VideoId}: its file {Path} is not under a configured source root.", videoId, path);
                return ApiProblems.NotFound($"No video with id '{Ids.Clip(videoId)}'.");
            }
            var stream = await RegularFile.TryOpenReadAsync(safe, TimeSpan.FromSeconds(api.Value.MediaOpenTimeoutSeconds), http.RequestAborted);
            if (stream is null)
            {
                log.LogWarning("Refused to serve video {VideoId}: {Path} is not a regular file with content (FIFO, device, empty) or did not open in time.", videoId, safe);
                return ApiProblems.NotFound($"No video with id '{Ids.Clip(videoId)}'.");
            }
            // Only byte ranges exist for files; another unit (items=0-1) is ignored as RFC 9110 says, not read as bytes.
            if (http.Request.Headers.Range.ToString() is { Length: > 0 } range && !range.TrimStart().StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
                http.Request.Headers.Remove("Range");
            if (!ContentTypes.TryGetContentType(safe, out var contentType)) contentType = "application/octet-stream";
            return Results.Stream(stream, contentType, lastModified: File.GetLastWriteTimeUtc(safe), enableRangeProcessing: true);
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

/// <summary>
/// Opens a file for reading only if it is a regular file with content, without ever blocking on a
/// FIFO or a device: on Linux open(2) gets O_NONBLOCK (a FIFO with no writer then opens at once and is
/// refused as unseekable); the open also runs under a timeout for hung mounts.
/// </summary>
public static partial class RegularFile
{
    private const int ONonblock = 0x800, OCloexec = 0x80000, ONoctty = 0x100;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "open", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    public static async Task<Stream?> TryOpenReadAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        var fi = new FileInfo(path);
        if (!fi.Exists || fi.Length == 0) return null; // FIFOs, sockets and character devices report 0 bytes
        var open = Task.Run(() => OpenChecked(path), CancellationToken.None);
        try
        {
            return await open.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            _ = open.ContinueWith(t => t.Result?.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            return null;
        }
    }

    private static Stream? OpenChecked(string path)
    {
        FileStream stream;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var fd = Open(path, ONonblock | OCloexec | ONoctty); // O_RDONLY is 0
                if (fd < 0) return null;
                var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
                stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            }
            else stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
        // The checks run on the opened handle, so a file swapped for a FIFO after the path check is still refused.
        if (!stream.CanSeek || stream.Length == 0)
        {
            stream.Dispose();
            return null;
        }
        return stream;
    }
}
