using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace MultiModalIndexer.Tests.Daemon;

public sealed class DaemonApiFixture : IAsyncLifetime
{
    internal DaemonTestServer Server { get; private set; } = null!;
    internal TestVideo Manifesto { get; private set; } = null!;
    internal TestVideo Lecture { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await DaemonTestServer.StartAsync("daemon-api");
        Manifesto = await Server.AddVideoAsync("books/manifesto.webm", "manifesto",
        [
            (0, 4, "A spectre is haunting Europe, the spectre of communism.", "MANIFESTO OF THE COMMUNIST PARTY"),
            (4, 8, "一个幽灵，共产主义的幽灵，在欧洲游荡。", "共产党宣言"),
            (8, 12, "Workers of the world, unite! <script>alert(1)</script>", "Chapter I"),
        ]);
        Lecture = await Server.AddVideoAsync("lecture.webm", "lecture",
        [
            (0, 6, "Today we talk about gradient descent.", "Lecture 3: Optimisation"),
            (6, 12, "The learning rate controls the step size.", "learning rate η"),
        ]);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class DaemonApiTests(DaemonApiFixture fx) : IClassFixture<DaemonApiFixture>
{
    private DaemonTestServer S => fx.Server;

    private static async Task<JsonElement> Json(HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private static async Task AssertProblem(HttpResponseMessage r, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var body = await r.Content.ReadAsStringAsync();
        var p = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, p.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, p.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", body); // no stack traces
    }

    [Fact]
    public async Task Health_ready_and_openapi_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await S.Http.GetAsync(S.Url("healthz"))).StatusCode);
        var ready = await S.Http.GetAsync(S.Url("readyz"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var openapi = await Json(await S.Http.GetAsync(S.Url("openapi/v1.json")));
        var paths = openapi.GetProperty("paths");
        foreach (var p in new[] { "/api/search", "/api/search/image", "/api/search/video", "/api/segments/{id}", "/api/segments/{id}/similar", "/api/videos",
                     "/api/videos/{id}", "/api/thumbnails/{segmentId}", "/media/{videoId}", "/api/embed", "/api/crawl", "/api/status" })
            Assert.True(paths.TryGetProperty(p, out _), $"OpenAPI lacks {p}");
    }

    [Fact]
    public async Task Search_returns_moment_with_highlight_thumbnail_and_media_link()
    {
        var r = await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "communist party", mode = "text", size = 5 });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await Json(r);
        var hit = body.GetProperty("hits")[0];
        Assert.Equal(fx.Manifesto.Segments[0].Id, hit.GetProperty("segmentId").GetString());
        Assert.Equal("manifesto", hit.GetProperty("video").GetProperty("title").GetString());
        Assert.Equal(fx.Manifesto.Path, hit.GetProperty("video").GetProperty("path").GetString());
        Assert.Equal("media", hit.GetProperty("video").GetProperty("source").GetString());
        Assert.Equal(0, hit.GetProperty("start").GetDouble());
        Assert.Equal(4, hit.GetProperty("end").GetDouble());
        Assert.True(hit.GetProperty("score").GetDouble() > 0);
        Assert.Contains("<em>", hit.GetProperty("ocrHighlights")[0].GetString());
        Assert.Equal($"/media/{fx.Manifesto.Id}#t=0,4", hit.GetProperty("mediaUrl").GetString());
        var thumbUrl = hit.GetProperty("thumbnailUrl").GetString()!;
        var thumb = await S.Http.GetAsync(S.Url(thumbUrl.TrimStart('/')));
        Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
        Assert.Equal("image/jpeg", thumb.Content.Headers.ContentType?.MediaType);
        var jpeg = await thumb.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg[..2]);
    }

    [Fact]
    public async Task Chinese_query_finds_the_chinese_moment_and_highlights_are_escaped()
    {
        var body = await Json(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "共产党宣言", mode = "hybrid" }));
        var hit = body.GetProperty("hits")[0];
        Assert.Equal(fx.Manifesto.Segments[1].Id, hit.GetProperty("segmentId").GetString());
        Assert.Equal(4, hit.GetProperty("start").GetDouble());

        var xss = await Json(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "workers unite", mode = "text" }));
        var fragment = xss.GetProperty("hits")[0].GetProperty("transcriptHighlights")[0].GetString()!;
        Assert.DoesNotContain("<script>", fragment);
        Assert.Contains("&lt;script&gt;", fragment);
    }

    [Fact]
    public async Task Source_filter_collapse_and_paging_are_applied()
    {
        var other = await Json(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "learning rate", mode = "text", source = "elsewhere" }));
        Assert.Equal(0, other.GetProperty("hits").GetArrayLength());
        var mine = await Json(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "learning rate", mode = "text", source = "media" }));
        Assert.Equal(fx.Lecture.Id, mine.GetProperty("hits")[0].GetProperty("video").GetProperty("id").GetString());

        var all = await Json(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "spectre communism workers", mode = "text", size = 10 }));
        Assert.True(all.GetProperty("hits").GetArrayLength() >= 2);
        var collapsed = await Json(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "spectre communism workers", mode = "text", collapse = true }));
        var videos = collapsed.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("video").GetProperty("id").GetString()).ToList();
        Assert.Equal(videos.Distinct().Count(), videos.Count);

        var page2 = await Json(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "spectre communism workers", mode = "text", from = 1, size = 1 }));
        Assert.Equal(all.GetProperty("hits")[1].GetProperty("segmentId").GetString(), page2.GetProperty("hits")[0].GetProperty("segmentId").GetString());
    }

    [Fact]
    public async Task Invalid_search_input_is_a_400_problem_saying_what_to_fix()
    {
        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "" }), HttpStatusCode.BadRequest, "query is empty");
        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "x", size = 1000 }), HttpStatusCode.BadRequest, "size must be between 1 and 100");
        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = "x", textWeight = 3 }), HttpStatusCode.BadRequest, "textWeight");
        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/search"), new { query = new string('a', 2000) }), HttpStatusCode.BadRequest, "limit");
        await AssertProblem(await S.Http.PostAsync(S.Url("api/search"), new StringContent("{\"query\": ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "JSON");
        await AssertProblem(await S.Http.PostAsync(S.Url("api/search"), new StringContent("{\"query\": \"x\", \"mode\": \"psychic\"}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "JSON");
        var wrongType = await S.Http.PostAsync(S.Url("api/search"), new StringContent("query=x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
    }

    [Fact]
    public async Task Segments_videos_and_similar_by_id()
    {
        var seg = await Json(await S.Http.GetAsync(S.Url($"api/segments/{fx.Manifesto.Segments[1].Id}")));
        Assert.Equal("共产党宣言", seg.GetProperty("ocr").GetString());
        Assert.True(seg.GetProperty("hasVector").GetBoolean());
        Assert.False(seg.TryGetProperty("vector", out _));

        var list = await Json(await S.Http.GetAsync(S.Url("api/videos")));
        Assert.Equal(2, list.GetProperty("videos").GetArrayLength());
        var video = await Json(await S.Http.GetAsync(S.Url($"api/videos/{fx.Lecture.Id}")));
        Assert.Equal(2, video.GetProperty("segmentCount").GetInt32());
        var segments = await Json(await S.Http.GetAsync(S.Url($"api/videos/{fx.Lecture.Id}/segments")));
        Assert.Equal(2, segments.GetArrayLength());

        var similar = await Json(await S.Http.GetAsync(S.Url($"api/segments/{fx.Manifesto.Segments[0].Id}/similar?size=3")));
        var ids = similar.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("segmentId").GetString()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.DoesNotContain(fx.Manifesto.Segments[0].Id, ids);

        await AssertProblem(await S.Http.GetAsync(S.Url("api/segments/nope-00000")), HttpStatusCode.NotFound, "No segment");
        await AssertProblem(await S.Http.GetAsync(S.Url("api/videos/0123456789abcdef01234567")), HttpStatusCode.NotFound, "No video");
        await AssertProblem(await S.Http.GetAsync(S.Url("api/segments/nope-00000/similar")), HttpStatusCode.NotFound, "No segment");
        await AssertProblem(await S.Http.GetAsync(S.Url("api/thumbnails/nope-00000")), HttpStatusCode.NotFound, "No thumbnail");
        Assert.Equal(HttpStatusCode.NotFound, (await S.Http.GetAsync(S.Url("api/no-such-endpoint"))).StatusCode);
    }

    [Fact]
    public async Task Media_streams_whole_file_and_byte_ranges()
    {
        var bytes = await File.ReadAllBytesAsync(fx.Manifesto.Path);
        var whole = await S.Http.GetAsync(S.Url($"media/{fx.Manifesto.Id}"));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("video/webm", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal(bytes, await whole.Content.ReadAsByteArrayAsync());

        var req = new HttpRequestMessage(HttpMethod.Get, S.Url($"media/{fx.Manifesto.Id}"));
        req.Headers.Range = new RangeHeaderValue(100, 1099);
        var part = await S.Http.SendAsync(req);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(100, part.Content.Headers.ContentRange!.From);
        Assert.Equal(1099, part.Content.Headers.ContentRange!.To);
        Assert.Equal(bytes.Length, part.Content.Headers.ContentRange!.Length);
        Assert.Equal(bytes[100..1100], await part.Content.ReadAsByteArrayAsync());

        var bad = new HttpRequestMessage(HttpMethod.Get, S.Url($"media/{fx.Manifesto.Id}"));
        bad.Headers.Range = new RangeHeaderValue(bytes.Length + 10, bytes.Length + 20);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await S.Http.SendAsync(bad)).StatusCode);
    }

    [Fact]
    public async Task Embed_speaks_the_openai_embeddings_shape()
    {
        var one = await Json(await S.Http.PostAsJsonAsync(S.Url("api/embed"), new { input = "a red car", model = "clip" }));
        Assert.Equal("list", one.GetProperty("object").GetString());
        Assert.Equal("clip", one.GetProperty("model").GetString());
        var item = one.GetProperty("data")[0];
        Assert.Equal("embedding", item.GetProperty("object").GetString());
        Assert.Equal(0, item.GetProperty("index").GetInt32());
        Assert.Equal(512, item.GetProperty("embedding").GetArrayLength());
        Assert.Equal(3, one.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, one.GetProperty("usage").GetProperty("total_tokens").GetInt32());

        var many = await Json(await S.Http.PostAsJsonAsync(S.Url("api/embed"), new { input = new[] { "one", "two", "three" } }));
        Assert.Equal([0, 1, 2], many.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("index").GetInt32()));
        Assert.Equal("mmi-clip", many.GetProperty("model").GetString());

        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/embed"), new { input = 42 }), HttpStatusCode.BadRequest, "input");
        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/embed"), new { text = "x" }), HttpStatusCode.BadRequest, "missing");
        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/embed"), new { input = Array.Empty<string>() }), HttpStatusCode.BadRequest, "empty");
        await AssertProblem(await S.Http.PostAsJsonAsync(S.Url("api/embed"), new { input = Enumerable.Repeat("x", 300).ToArray() }), HttpStatusCode.BadRequest, "MaxEmbedInputs");
    }

    [Fact]
    public async Task Image_upload_is_searched_and_non_images_are_refused()
    {
        using var form = new MultipartFormDataContent();
        var jpeg = new ByteArrayContent(await File.ReadAllBytesAsync(TestMedia.ThumbnailFixture));
        jpeg.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(jpeg, "image", "frame.jpg");
        var r = await S.Http.PostAsync(S.Url("api/search/image?size=2"), form);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(2, (await Json(r)).GetProperty("hits").GetArrayLength());
        // The temp copy of the upload is gone once the request is answered.
        Assert.DoesNotContain(Directory.GetFiles(Path.GetTempPath(), "mmi-upload-*.jpg"), f => File.GetLastWriteTimeUtc(f) > DateTime.UtcNow.AddMinutes(-1));

        using var text = new MultipartFormDataContent { { new StringContent("#!/bin/sh\nrm -rf /"), "image", "evil.jpg" } };
        await AssertProblem(await S.Http.PostAsync(S.Url("api/search/image"), text), HttpStatusCode.UnsupportedMediaType, "not a JPEG");
        var json = await S.Http.PostAsJsonAsync(S.Url("api/search/image"), new { query = "x" });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Status_reports_sources_store_totals_and_indexing()
    {
        var s = await Json(await S.Http.GetAsync(S.Url("api/status")));
        Assert.True(s.GetProperty("ready").GetBoolean());
        Assert.Equal("media", s.GetProperty("sources")[0].GetProperty("name").GetString());
        Assert.Equal(2, s.GetProperty("store").GetProperty("videos").GetInt64());
        Assert.Equal(5, s.GetProperty("store").GetProperty("segments").GetInt64());
        Assert.Equal("media", s.GetProperty("indexing").GetProperty("sources")[0].GetProperty("name").GetString());
        Assert.False(s.GetProperty("crawl").GetProperty("running").GetBoolean());
    }

    [Fact]
    public async Task Page_and_assets_are_served_with_a_strict_csp()
    {
        var page = await S.Http.GetAsync(S.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"q\"", html);
        foreach (var asset in new[] { "app.js", "app.css", "favicon.svg" })
            Assert.Equal(HttpStatusCode.OK, (await S.Http.GetAsync(S.Url(asset))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await S.Http.GetAsync(S.Url("nope.js"))).StatusCode);
    }
}
