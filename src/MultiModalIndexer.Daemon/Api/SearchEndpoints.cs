using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Daemon.Configuration;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>POST /api/search, POST /api/search/image, GET /api/segments/{id}/similar.</summary>
internal static class SearchEndpoints
{
    public const int MaxSize = SearchLimits.MaxSize;
    public const int MaxWindow = SearchLimits.MaxWindow;
    public const int MaxQueryChars = SearchLimits.MaxQueryChars;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("search");

        api.MapPost("/search", async (SearchBody body, ISearchBackend search, CancellationToken ct) =>
        {
            var request = ToRequest(body);
            var response = await search.SearchAsync(request, ct);
            return Results.Ok(ApiMapping.Result(response, request));
        })
        .WithName("Search")
        .WithSummary("Find moments by text (transcript, OCR, title) and/or what is seen (CLIP).")
        .Produces<SearchResultDto>()
        .ProducesValidationProblem();

        api.MapPost("/search/image", SearchByImage)
        .WithName("SearchByImage")
        .WithSummary("Find moments that look like an uploaded image (multipart/form-data, one file field).")
        .Accepts<IFormFile>("multipart/form-data")
        .Produces<SearchResultDto>()
        .DisableAntiforgery();

        api.MapGet("/segments/{id}/similar", async (string id, int? from, int? size, string? source, bool? collapse,
                ISearchBackend search, ISegmentStore store, CancellationToken ct) =>
        {
            if (!Ids.IsSegmentId(id) || await store.GetSegmentAsync(id, ct) is null)
                return ApiProblems.NotFound($"No segment with id '{Ids.Clip(id)}'.");
            var request = Paging(new SearchRequest { Mode = SearchMode.Vector, SimilarToSegmentId = id }, from, size, source, collapse);
            var response = await search.SimilarAsync(id, request, ct);
            return Results.Ok(ApiMapping.Result(response, request));
        })
        .WithName("SimilarSegments")
        .WithSummary("Moments that look like this one (excluding itself).")
        .Produces<SearchResultDto>();
    }

    private static async Task<IResult> SearchByImage(HttpRequest http, ISearchBackend search, IOptions<ApiOptions> options,
        int? from, int? size, string? source, bool? collapse, CancellationToken ct)
    {
        if (!http.HasFormContentType)
            throw new SearchValidationException("Send the image as multipart/form-data with one file field (e.g. curl -F image=@photo.jpg).");
        var form = await http.ReadFormAsync(ct);
        var file = (form.Files.Count > 0 ? form.Files[0] : null)
            ?? throw new SearchValidationException("No file in the upload: add one file field (e.g. curl -F image=@photo.jpg).");
        if (file.Length == 0) throw new SearchValidationException("The uploaded file is empty.");
        if (file.Length > options.Value.MaxUploadBytes)
            return ApiProblems.TooLarge(options.Value.MaxUploadBytes);

        var request = Paging(new SearchRequest { Mode = SearchMode.Vector }, from, size, source, collapse);
        var temp = Path.Combine(Path.GetTempPath(), $"mmi-upload-{Guid.NewGuid():N}");
        try
        {
            string extension;
            await using (var input = file.OpenReadStream())
            {
                var head = new byte[16];
                var n = await input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
                extension = ImageSniffer.Extension(head.AsSpan(0, n))
                    ?? throw new UnsupportedMediaException("The upload is not a JPEG, PNG, WebP, GIF or BMP image.");
                temp += extension;
                await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                await output.WriteAsync(head.AsMemory(0, n), ct);
                await input.CopyToAsync(output, ct);
            }
            var response = await search.SearchByImageAsync(temp, request, ct);
            return Results.Ok(ApiMapping.Result(response, request));
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { /* temp folder cleanup is best effort */ }
        }
    }

    internal static SearchRequest ToRequest(SearchBody body)
    {
        var mode = body.Mode ?? SearchMode.Hybrid;
        var query = body.Query?.Trim();
        if (query is { Length: > MaxQueryChars })
            throw new SearchValidationException($"query is {query.Length} characters long; the limit is {MaxQueryChars}.");
        if (string.IsNullOrEmpty(query))
            throw new SearchValidationException("query is empty: type some words to search for.");
        if (mode is not (SearchMode.Hybrid or SearchMode.Text or SearchMode.Vector))
            throw new SearchValidationException("mode must be hybrid, text or vector.");
        if (body.Fusion is { } f && f is not (FusionMethod.MinMaxArithmeticMean or FusionMethod.Rrf))
            throw new SearchValidationException("fusion must be minMaxArithmeticMean or rrf.");

        var textWeight = 0.5;
        if (body.TextWeight is { } tw)
        {
            if (double.IsNaN(tw) || tw is < 0 or > 1) throw new SearchValidationException("textWeight must be between 0 and 1.");
            textWeight = tw;
        }
        else if (body.Weights is { } w)
        {
            var t = w.Text ?? 0.5;
            var v = w.Vector ?? 0.5;
            if (double.IsNaN(t) || double.IsNaN(v) || t < 0 || v < 0 || t + v <= 0)
                throw new SearchValidationException("weights.text and weights.vector must be >= 0 and not both 0.");
            textWeight = t / (t + v);
        }

        var filters = body.Filters ?? new SearchFilters();
        if (!string.IsNullOrWhiteSpace(body.Source)) filters = filters with { Storage = body.Source.Trim() };
        if (filters.MinDuration is < 0 || filters.MaxDuration is < 0)
            throw new SearchValidationException("filters.minDuration and filters.maxDuration must be >= 0.");

        var request = new SearchRequest
        {
            Query = query,
            Mode = mode,
            Fusion = body.Fusion ?? FusionMethod.MinMaxArithmeticMean,
            TextWeight = textWeight,
            Filters = filters,
        };
        return Paging(request, body.From, body.Size, null, body.Collapse);
    }

    internal static SearchRequest Paging(SearchRequest request, int? from, int? size, string? source, bool? collapse)
    {
        var f = from ?? 0;
        var s = size ?? 10;
        if (f < 0) throw new SearchValidationException("from must be >= 0.");
        if (s is < 1 or > MaxSize) throw new SearchValidationException($"size must be between 1 and {MaxSize}.");
        if (f + s > MaxWindow) throw new SearchValidationException($"from + size must be <= {MaxWindow}; narrow the query instead of paging deeper.");
        var filters = string.IsNullOrWhiteSpace(source) ? request.Filters : request.Filters with { Storage = source.Trim() };
        return request with { From = f, Size = s, Filters = filters, CollapseByVideo = collapse ?? request.CollapseByVideo };
    }
}

/// <summary>Recognises image uploads by their first bytes (never by the client's file name).</summary>
internal static class ImageSniffer
{
    public static string? Extension(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(stackalloc byte[] { 0xFF, 0xD8, 0xFF })) return ".jpg";
        if (head.StartsWith(stackalloc byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return ".png";
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return ".webp";
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return ".gif";
        if (head.StartsWith("BM"u8)) return ".bmp";
        return null;
    }
}

internal sealed class UnsupportedMediaException(string message) : Exception(message);
