using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>Segments, videos and thumbnails by id.</summary>
internal static class CatalogEndpoints
{
    public const int MaxVideoPage = 500;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("catalog");

        api.MapGet("/segments/{id}", async (string id, ISegmentStore store, CancellationToken ct) =>
            Ids.IsSegmentId(id) && await store.GetSegmentAsync(id, ct) is { } s
                ? Results.Ok(ApiMapping.Segment(s))
                : ApiProblems.NotFound($"No segment with id '{Ids.Clip(id)}'."))
        .WithName("GetSegment").Produces<SegmentDto>().ProducesProblem(404);

        api.MapGet("/videos", async (int? from, int? size, ISegmentStore store, CancellationToken ct) =>
        {
            var f = from ?? 0;
            var s = size ?? 50;
            if (f < 0 || s is < 1 or > MaxVideoPage)
                throw new SearchValidationException($"from must be >= 0 and size between 1 and {MaxVideoPage}.");
            var videos = await store.ListVideosAsync(f, s, ct);
            return Results.Ok(new VideoListDto(f, s, videos.Select(ApiMapping.Video).ToArray()));
        })
        .WithName("ListVideos").Produces<VideoListDto>();

        api.MapGet("/videos/{id}", async (string id, ISegmentStore store, CancellationToken ct) =>
            Ids.IsVideoId(id) && await store.GetVideoAsync(id, ct) is { } v
                ? Results.Ok(ApiMapping.Video(v))
                : ApiProblems.NotFound($"No video with id '{Ids.Clip(id)}'."))
        .WithName("GetVideo").Produces<VideoDto>().ProducesProblem(404);

        api.MapGet("/videos/{id}/segments", async (string id, ISegmentStore store, CancellationToken ct) =>
        {
            if (!Ids.IsVideoId(id) || await store.GetVideoAsync(id, ct) is null)
                return ApiProblems.NotFound($"No video with id '{Ids.Clip(id)}'.");
            var segments = await store.GetSegmentsOfVideoAsync(id, ct);
            return Results.Ok(segments.Select(ApiMapping.Segment).ToArray());
        })
        .WithName("GetVideoSegments").Produces<SegmentDto[]>().ProducesProblem(404);

        api.MapGet("/thumbnails/{segmentId}", async (string segmentId, ISegmentStore store, IIndexingBackend indexing, HttpContext http, CancellationToken ct) =>
        {
            if (!Ids.IsSegmentId(segmentId) || await store.GetSegmentAsync(segmentId, ct) is not { ThumbnailRef: { } thumbRef })
                return ApiProblems.NotFound($"No thumbnail for segment '{Ids.Clip(segmentId)}'.");
            var bytes = await indexing.GetThumbnailAsync(thumbRef, ct);
            if (bytes is null) return ApiProblems.NotFound($"No thumbnail for segment '{Ids.Clip(segmentId)}'.");
            // Segment ids are deterministic per content, so a thumbnail can be cached for a while.
            http.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(bytes, "image/jpeg");
        })
        .WithName("GetThumbnail").Produces(200, contentType: "image/jpeg").ProducesProblem(404);
    }
}

/// <summary>Ids as the core makes them; anything else is a 404 before any lookup.</summary>
internal static class Ids
{
    public static bool IsVideoId(string id) => id.Length is > 0 and <= 128 && id.All(IsIdChar);
    public static bool IsSegmentId(string id) => id.Length is > 0 and <= 160 && id.All(IsIdChar);
    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    /// <summary>Echo at most a short, printable prefix of a client-supplied id.</summary>
    public static string Clip(string id)
    {
        var s = new string(id.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return id.Length > 64 ? s + "…" : s;
    }
}
