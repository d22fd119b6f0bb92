using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>One copied span as the API returns it (the CLI's fields plus the video's id for /media/{id}).</summary>
public sealed record CopyMatchDto(string Video, string VideoId, double Start, double End, double QueryStart, double QueryEnd, double Score, bool Mirrored);

public sealed record CopySearchResultDto(IReadOnlyList<CopyMatchDto> Matches);

/// <summary>POST /api/search/video: where does this clip come from?</summary>
internal static class CopyEndpoints
{
    public const string Path = "/api/search/video";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Path, SearchByVideo)
            .WithTags("search")
            .WithName("SearchByVideo")
            .WithSummary("Find the library videos an uploaded clip copies, with the copied spans on both sides (multipart/form-data, one file field; limit Copies:MaxUploadMegabytes).")
            .Accepts<IFormFile>("multipart/form-data")
            .Produces<CopySearchResultDto>()
            .DisableAntiforgery();
    }

    public static long UploadLimit(CopyOptions o) => o.MaxUploadMegabytes * 1024L * 1024L;

    private static async Task<IResult> SearchByVideo(HttpRequest http, [FromServices] CopyDetector detector, [FromServices] CopyOptions options, CancellationToken ct)
    {
        if (!http.HasFormContentType)
            throw new Stores.Query.SearchValidationException("Send the clip as multipart/form-data with one file field (e.g. curl -F video=@clip.mp4).");
        var limit = UploadLimit(options);
        var form = await http.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit }, ct);
        var file = (form.Files.Count > 0 ? form.Files[0] : null)
            ?? throw new Stores.Query.SearchValidationException("No file in the upload: add one file field (e.g. curl -F video=@clip.mp4).");
        if (file.Length == 0) throw new Stores.Query.SearchValidationException("The uploaded file is empty.");
        if (file.Length > limit) return ApiProblems.TooLarge(limit);

        // ffprobe decides what the bytes are; the client's file name plays no part.
        var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mmi-clip-{Guid.NewGuid():N}.bin");
        try
        {
            await using (var input = file.OpenReadStream())
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
                await input.CopyToAsync(output, ct);
            CopySearchResult result;
            try
            {
                result = await detector.FindAsync(temp, ct);
            }
            catch (MediaException e) when (e.Kind is MediaErrorKind.NotMedia or MediaErrorKind.Corrupt or MediaErrorKind.NoVideoStream or MediaErrorKind.Empty or MediaErrorKind.ToolFailed)
            {
                throw new UnsupportedMediaException("The upload is not a video that can be decoded: " + e.Reason);
            }
            return Results.Ok(new CopySearchResultDto(result.Matches
                .Select(m => new CopyMatchDto(m.Video, m.VideoId, m.Start, m.End, m.QueryStart, m.QueryEnd, m.Score, m.Mirrored)).ToList()));
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { /* temp folder cleanup is best effort */ }
        }
    }
}
