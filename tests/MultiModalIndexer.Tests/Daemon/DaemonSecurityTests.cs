using System.Net;
using System.Net.Http.Json;
using System.Text;
using MultiModalIndexer.Common;
using MultiModalIndexer.Daemon.Configuration;

namespace MultiModalIndexer.Tests.Daemon;

public sealed class DaemonSecurityTests
{
    private const string AdminKey = "test-admin-key-0123456789abcdef";

    [Fact]
    public async Task Media_never_serves_a_file_outside_the_roots()
    {
        string outside = null!;
        await using var s = await DaemonTestServer.StartAsync("daemon-sec", prepareMediaRoot: media =>
        {
            // A folder beside the root with a video and a secret, and links from inside pointing out.
            outside = Path.Combine(Path.GetDirectoryName(media)!, "outside");
            Directory.CreateDirectory(Path.Combine(outside, "deep"));
            File.WriteAllText(Path.Combine(outside, "secret.txt"), "root:x:0:0");
            File.Copy(TestMedia.VideoFixture, Path.Combine(outside, "inside.webm"));
            File.CreateSymbolicLink(Path.Combine(media, "link-to-secret.webm"), Path.Combine(outside, "secret.txt"));
            File.CreateSymbolicLink(Path.Combine(media, "relative-link.webm"), "../outside/secret.txt");
            Directory.CreateSymbolicLink(Path.Combine(media, "linked-dir"), outside);
            Directory.CreateSymbolicLink(Path.Combine(media, "deep-link"), Path.Combine(outside, "deep"));
        });
        var good = await s.AddVideoAsync("good.webm", "good", [(0, 12, "hello", "")]);
        File.CreateSymbolicLink(Path.Combine(s.MediaRoot, "alias.webm"), Path.Combine(s.MediaRoot, "good.webm"));
        File.Copy(TestMedia.VideoFixture, Path.Combine(s.MediaRoot, "inside.webm")); // the lexical reading of id 6

        // Ids the resolver maps to hostile paths (a compromised ledger must still not leak files).
        var hostile = new Dictionary<string, string>
        {
            ["aaaaaaaaaaaaaaaaaaaaaaa1"] = "/etc/passwd",
            ["aaaaaaaaaaaaaaaaaaaaaaa2"] = Path.Combine(s.MediaRoot, "..", "outside", "secret.txt"),
            ["aaaaaaaaaaaaaaaaaaaaaaa3"] = Path.Combine(s.MediaRoot, "link-to-secret.webm"),
            ["aaaaaaaaaaaaaaaaaaaaaaa4"] = Path.Combine(s.MediaRoot, "relative-link.webm"),
            ["aaaaaaaaaaaaaaaaaaaaaaa5"] = Path.Combine(s.MediaRoot, "linked-dir", "inside.webm"),
            // Lexically inside the root, but ".." after a symlink climbs from the link's target (outside).
            ["aaaaaaaaaaaaaaaaaaaaaaa6"] = s.MediaRoot + "/deep-link/../inside.webm",
            ["aaaaaaaaaaaaaaaaaaaaaaa7"] = "relative/good.webm",
            ["aaaaaaaaaaaaaaaaaaaaaaa8"] = s.MediaRoot, // the root folder itself
            ["aaaaaaaaaaaaaaaaaaaaaaa9"] = s.MediaRoot + "/good.webm\0/etc/passwd",
        };
        foreach (var (id, path) in hostile) s.Indexing.MediaPaths[id] = path;
        s.Indexing.MediaPaths["aaaaaaaaaaaaaaaaaaaaaa10"] = Path.Combine(s.MediaRoot, "alias.webm");

        foreach (var id in hostile.Keys)
        {
            var r = await s.Http.GetAsync(s.Url($"media/{id}"));
            Assert.True(r.StatusCode == HttpStatusCode.NotFound, $"{hostile[id]} answered {(int)r.StatusCode}");
            Assert.DoesNotContain("root:x", await r.Content.ReadAsStringAsync());
        }

        // Client-supplied paths in every spelling never reach the file system.
        string[] raw =
        [
            "/media/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/media/../../../../etc/passwd",
            "/media/%2Fetc%2Fpasswd", "/media//etc/passwd", "/media/..%5C..%5Cetc%5Cpasswd", "/media/%00", "/media/%252e%252e%252fetc%252fpasswd",
            $"/media/{good.Id}/../../../../etc/passwd", $"/media/{good.Id}%2F..%2F..%2Fouside%2Fsecret.txt", "/media/" + Uri.EscapeDataString(outside + "/secret.txt"),
            "/../../../../etc/passwd", "/..%2F..%2Fetc%2Fpasswd", "/api/thumbnails/..%2F..%2Fetc%2Fpasswd", "/api/segments/..%2F..%2F",
        ];
        foreach (var target in raw)
        {
            var code = await s.RawAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            Assert.True(code is 400 or 404, $"GET {target} answered {code}");
        }

        // The legitimate file and a symlink to it inside the root are served.
        Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync(s.Url($"media/{good.Id}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync(s.Url("media/aaaaaaaaaaaaaaaaaaaaaa10"))).StatusCode);
    }

    [Fact]
    public async Task Admin_endpoints_refuse_without_the_key_and_accept_with_it()
    {
        await using (var off = await DaemonTestServer.StartAsync("daemon-nokey"))
        {
            var r = await off.Http.PostAsync(off.Url("api/crawl"), null);
            Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
            Assert.Contains("MMI__Api__AdminKey", await r.Content.ReadAsStringAsync());
        }

        await using var s = await DaemonTestServer.StartAsync("daemon-key", new() { ["Api:AdminKey"] = AdminKey });
        var none = await s.Http.PostAsync(s.Url("api/crawl"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);

        foreach (var wrong in new[] { "nope", AdminKey + "x", AdminKey[..^1], AdminKey.ToUpperInvariant() })
        {
            var req = new HttpRequestMessage(HttpMethod.Post, s.Url("api/crawl"));
            req.Headers.Add("X-Api-Key", wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, (await s.Http.SendAsync(req)).StatusCode);
        }

        var withHeader = new HttpRequestMessage(HttpMethod.Post, s.Url("api/crawl"));
        withHeader.Headers.Add("X-Api-Key", AdminKey);
        Assert.Equal(HttpStatusCode.Accepted, (await s.Http.SendAsync(withHeader)).StatusCode);

        var withBearer = new HttpRequestMessage(HttpMethod.Post, s.Url("api/crawl?source=media"));
        withBearer.Headers.Authorization = new("Bearer", AdminKey);
        Assert.Equal(HttpStatusCode.Accepted, (await s.Http.SendAsync(withBearer)).StatusCode);

        var unknown = new HttpRequestMessage(HttpMethod.Post, s.Url("api/crawl?source=nope"));
        unknown.Headers.Authorization = new("Bearer", AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, (await s.Http.SendAsync(unknown)).StatusCode);

        // Both accepted requests ran (one at a time) without anyone else asking.
        for (var i = 0; i < 2; i++) Assert.True(await s.Indexing.RunStarted.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Oversize_bodies_are_refused_with_413()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-size", new()
        {
            ["Api:MaxJsonBodyBytes"] = "65536",
            ["Api:MaxUploadBytes"] = "131072",
        });
        var big = "{\"query\": \"" + new string('a', 200_000) + "\"}";
        var declared = await s.Http.PostAsync(s.Url("api/search"), new StringContent(big, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal("application/problem+json", declared.Content.Headers.ContentType?.MediaType);

        // Chunked (no Content-Length): Kestrel stops reading at the limit. Raw, because the server
        // answers and closes before the client has sent everything.
        var host = $"Host: {s.BaseAddress.Host}:{s.BaseAddress.Port}\r\n";
        var chunk = "{\"input\": \"" + new string('a', 200_000) + "\"}";
        Assert.Equal(413, await s.RawAsync($"POST /api/embed HTTP/1.1\r\n{host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{chunk.Length:x}\r\n{chunk}\r\n0\r\n\r\n"));

        // An upload over Api:MaxUploadBytes, declared and chunked.
        var part = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" + new string('\xFF', 300_000) + "\r\n--b--\r\n";
        Assert.Equal(413, await s.RawAsync($"POST /api/search/image HTTP/1.1\r\n{host}Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {part.Length}\r\n\r\n{part}"));
        Assert.Equal(413, await s.RawAsync($"POST /api/search/image HTTP/1.1\r\n{host}Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n{part.Length:x}\r\n{part}\r\n0\r\n\r\n"));

        // Under the limits everything still works.
        Assert.Equal(HttpStatusCode.OK, (await s.Http.PostAsJsonAsync(s.Url("api/embed"), new { input = "ok" })).StatusCode);
    }

    [Fact]
    public async Task Server_stays_up_through_a_thousand_mixed_bad_requests()
    {
        await using var s = await DaemonTestServer.StartAsync("daemon-fuzz", new() { ["Api:AdminKey"] = AdminKey });
        var video = await s.AddVideoAsync("v.webm", "v", [(0, 12, "some words", "SOME TEXT")]);
        var rng = new Random(1234);
        var hostPort = $"{s.BaseAddress.Host}:{s.BaseAddress.Port}";
        var answered = new Dictionary<int, int>();
        for (var i = 0; i < 1000; i++)
        {
            int code;
            switch (i % 12)
            {
                case 0: // binary garbage instead of HTTP
                    var junk = new byte[rng.Next(1, 2048)];
                    rng.NextBytes(junk);
                    code = await s.RawAsync(Encoding.Latin1.GetString(junk) + "\r\n\r\n");
                    break;
                case 1:
                    code = (int)(await s.Http.PostAsync(s.Url("api/search"), new StringContent("{\"query\": [1,2,{", Encoding.UTF8, "application/json"))).StatusCode;
                    break;
                case 2: // oversized header block
                    code = await s.RawAsync($"GET /api/status HTTP/1.1\r\nHost: {hostPort}\r\nX-Big: {new string('x', 70_000)}\r\n\r\n");
                    break;
                case 3:
                    code = await s.RawAsync($"BREW /api/search HTTP/1.1\r\nHost: {hostPort}\r\nConnection: close\r\n\r\n");
                    break;
                case 4:
                    code = await s.RawAsync($"GET /media/..%2f..%2f{rng.Next()}%2fetc%2fpasswd HTTP/1.1\r\nHost: {hostPort}\r\nConnection: close\r\n\r\n");
                    break;
                case 5:
                    var req = new HttpRequestMessage(HttpMethod.Get, s.Url($"media/{video.Id}"));
                    req.Headers.TryAddWithoutValidation("Range", $"bytes={rng.Next(-5, 5)}-{rng.Next(-5, 5)},x-y,{new string('9', 30)}-");
                    code = (int)(await s.Http.SendAsync(req)).StatusCode;
                    // RFC 9110: an unparseable Range is ignored and the whole file served.
                    if (code is 200 or 206) code = 416;
                    break;
                case 6:
                    code = (int)(await s.Http.PostAsJsonAsync(s.Url("api/embed"), new { input = new object[] { 1, "x", null! } })).StatusCode;
                    break;
                case 7:
                    code = (int)(await s.Http.PostAsJsonAsync(s.Url("api/search"), new { query = "x", size = rng.Next(-1000, 0), from = -1, mode = "vector" })).StatusCode;
                    break;
                case 8:
                    code = await s.RawAsync($"POST /api/search HTTP/1.1\r\nHost: {hostPort}\r\nContent-Length: -5\r\nConnection: close\r\n\r\n");
                    break;
                case 9: // headers cut off mid-way, connection dropped
                    code = await s.RawAsync($"POST /api/crawl HTTP/1.1\r\nHost: {hostPort}\r\nContent-Le", hangUp: true);
                    break;
                case 10:
                    var crawl = new HttpRequestMessage(HttpMethod.Post, s.Url("api/crawl"));
                    crawl.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string((char)rng.Next(33, 126), rng.Next(1, 64)));
                    code = (int)(await s.Http.SendAsync(crawl)).StatusCode;
                    break;
                default:
                    using (var form = new MultipartFormDataContent("--bad--"))
                    {
                        form.Add(new ByteArrayContent([0xFF, 0xD8, 0xFF, 0, 1, 2]), "image", "x.jpg");
                        var multipart = new HttpRequestMessage(HttpMethod.Post, s.Url("api/search/image?size=0")) { Content = form };
                        code = (int)(await s.Http.SendAsync(multipart)).StatusCode;
                    }
                    break;
            }
            answered[code] = answered.GetValueOrDefault(code) + 1;
            Assert.True(code is 0 or (>= 400 and < 500), $"request {i} (kind {i % 12}) answered {code}");
        }
        Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync(s.Url("healthz"))).StatusCode);
        var ok = await s.Http.PostAsJsonAsync(s.Url("api/search"), new { query = "some words", mode = "text" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(answered.Keys.Count(k => k != 0) >= 5, string.Join(", ", answered.Select(kv => $"{kv.Key}:{kv.Value}")));
    }
}

public sealed class RealPathTests
{
    [Fact]
    public void Resolves_symlinks_component_by_component_like_realpath()
    {
        var dir = TestPaths2.Scratch("realpath");
        var a = Directory.CreateDirectory(Path.Combine(dir, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(dir, "b", "c")).FullName;
        File.WriteAllText(Path.Combine(dir, "b", "file.txt"), "x");
        Directory.CreateSymbolicLink(Path.Combine(a, "to-c"), b);
        File.CreateSymbolicLink(Path.Combine(a, "loop1"), Path.Combine(a, "loop2"));
        File.CreateSymbolicLink(Path.Combine(a, "loop2"), Path.Combine(a, "loop1"));

        Assert.Equal(Path.Combine(dir, "b", "file.txt"), RealPath.Resolve(Path.Combine(a, "to-c", "..", "file.txt")));
        Assert.Equal(b, RealPath.Resolve(Path.Combine(a, "to-c")));
        Assert.Null(RealPath.Resolve(Path.Combine(a, "loop1")));
        Assert.Null(RealPath.Resolve(Path.Combine(a, "missing")));
        Assert.True(RealPath.IsUnder(Path.Combine(dir, "b", "file.txt"), [Path.Combine(dir, "b")]));
        Assert.False(RealPath.IsUnder(Path.Combine(dir, "bb", "file.txt"), [Path.Combine(dir, "b")]));
        Assert.False(RealPath.IsUnder(Path.Combine(dir, "b"), [Path.Combine(dir, "b")]));
    }
}

internal static class TestPaths2
{
    public static string Scratch(string name)
    {
        var d = Common.TestPaths.NewScratchDir(name);
        return RealPath.Resolve(d)!; // the scratch folder itself may sit behind a symlink
    }
}
