using System.Formats.Tar;
using System.Security.Cryptography;
using ICSharpCode.SharpZipLib.BZip2;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Models;

/// <summary>The real download code against a loopback HTTP server: resume, checksums, archives, errors, pins.</summary>
public sealed class ModelFetcherTests
{
    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    internal static byte[] TarBz2(params (string Name, byte[] Data)[] members)
    {
        var tar = new MemoryStream();
        using (var w = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, data) in members)
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        tar.Position = 0;
        var bz = new MemoryStream();
        using (var z = new BZip2OutputStream(bz) { IsStreamOwner = false })
            tar.CopyTo(z);
        return bz.ToArray();
    }

    private static ModelEntry Model(string id, params ModelFile[] files) => new() { Id = id, Default = true, Files = [.. files] };

    private static async Task<(IReadOnlyList<ModelFetchOutcome> Outcomes, List<string> Log)> Fetch(string dir, params ModelEntry[] models)
    {
        var log = new List<string>();
        using var f = new ModelFetcher(new ModelFetchOptions { ModelsDir = dir, ConnectTimeout = TimeSpan.FromSeconds(2) });
        return (await f.FetchAsync(models, null, log.Add, CancellationToken.None), log);
    }

    /// <summary>Nothing half-written: no .part anywhere, nothing in downloads, no target file.</summary>
    private static void AssertNothingLeft(string dir, params string[] targets)
    {
        foreach (var t in targets) Assert.False(File.Exists(Path.Combine(dir, t)), $"{t} was installed");
        var leftovers = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith(ModelLock.FileName, StringComparison.Ordinal)).ToList();
        Assert.True(leftovers.Count == 0, "left behind: " + string.Join(", ", leftovers));
    }

    [Fact]
    public async Task A_cut_connection_is_resumed_with_a_range_request()
    {
        await using var server = new LoopbackFileServer();
        var data = Bytes(300_000, 1);
        server.Files["m.onnx"] = data;
        server.CutAfter["m.onnx"] = 120_000;
        var dir = TestPaths.NewScratchDir("fetch-resume");

        var (outcomes, log) = await Fetch(dir, Model("m", new ModelFile { Path = "a/m.onnx", Sha256 = Sha(data), Urls = [server.Url("m.onnx")] }));

        Assert.True(outcomes[0].Ok, outcomes[0].Detail);
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(dir, "a", "m.onnx")));
        Assert.Equal(2, server.Requests.Count);
        Assert.Null(server.Requests[0].Range);
        Assert.Matches(@"^bytes=\d+-$", server.Requests[1].Range);
        Assert.True(long.Parse(server.Requests[1].Range!["bytes=".Length..^1]) > 0);
        Assert.Equal(206, server.Requests[1].Status);
        Assert.Contains(log, l => l.Contains("connection cut", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("293.0 KiB", StringComparison.Ordinal)); // the size is shown
        Assert.Empty(Directory.EnumerateFiles(dir, "*.part", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_wrong_checksum_is_one_clear_error_and_installs_nothing()
    {
        await using var server = new LoopbackFileServer();
        server.Files["m.onnx"] = Bytes(50_000, 2);
        var dir = TestPaths.NewScratchDir("fetch-sha");

        var (outcomes, _) = await Fetch(dir, Model("m", new ModelFile { Path = "a/m.onnx", Sha256 = Sha(Bytes(10, 3)), Urls = [server.Url("m.onnx")] }));

        var o = Assert.Single(outcomes);
        Assert.False(o.Ok);
        Assert.False(o.Offline);
        Assert.Contains("sha256", o.Detail);
        Assert.Contains("not installed", o.Detail);
        AssertNothingLeft(dir, "a/m.onnx");
    }

    [Fact]
    public async Task A_404_is_one_clear_error()
    {
        await using var server = new LoopbackFileServer();
        var dir = TestPaths.NewScratchDir("fetch-404");

        var (outcomes, _) = await Fetch(dir, Model("m", new ModelFile { Path = "a/m.onnx", Sha256 = Sha(Bytes(10, 3)), Urls = [server.Url("nope.onnx")] }));

        Assert.False(outcomes[0].Ok);
        Assert.False(outcomes[0].Offline);
        Assert.Contains("HTTP 404", outcomes[0].Detail);
        AssertNothingLeft(dir, "a/m.onnx");
    }

    [Fact]
    public async Task Archive_members_are_extracted_and_pinned_on_first_download_then_checked()
    {
        await using var server = new LoopbackFileServer();
        var enc = Bytes(40_000, 4);
        var tok = "a 1\nb 2\n"u8.ToArray();
        server.Files["pack.tar.bz2"] = TarBz2(("pack/enc.onnx", enc), ("pack/readme.txt", [1, 2]), ("pack/tokens.txt", tok));
        var dir = TestPaths.NewScratchDir("fetch-archive");
        var files = new[]
        {
            new ModelFile { Path = "w/enc.onnx", Urls = [server.Url("pack.tar.bz2")], Member = "pack/enc.onnx" },
            new ModelFile { Path = "w/tokens.txt", Urls = [server.Url("pack.tar.bz2")], Member = "pack/tokens.txt" },
        };

        var (outcomes, log) = await Fetch(dir, Model("w", files));

        Assert.True(outcomes[0].Ok, outcomes[0].Detail);
        Assert.Equal(enc, File.ReadAllBytes(Path.Combine(dir, "w", "enc.onnx")));
        Assert.Equal(tok, File.ReadAllBytes(Path.Combine(dir, "w", "tokens.txt")));
        Assert.Single(server.Requests); // one archive download for both members
        var pins = ModelLock.Load(dir);
        Assert.Equal(Sha(enc), pins.Find("w/enc.onnx")!.Sha256);
        Assert.Equal(Sha(tok), pins.Find("w/tokens.txt")!.Sha256);
        Assert.Contains(log, l => l.Contains("pinned", StringComparison.Ordinal));
        Assert.Equal(FileState.Ok, ModelManifest.Check(files[0], dir).State);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dir, ".downloads")));

        // The publisher's file changes: the pin catches it, and the installed copy is left alone.
        server.Files["pack.tar.bz2"] = TarBz2(("pack/enc.onnx", Bytes(40_000, 5)), ("pack/tokens.txt", tok));
        File.Delete(Path.Combine(dir, "w", "enc.onnx"));
        var (again, _) = await Fetch(dir, Model("w", files));
        Assert.False(again[0].Ok);
        Assert.Contains("pinned in models.lock.json", again[0].Detail);
        Assert.False(File.Exists(Path.Combine(dir, "w", "enc.onnx")));
        Assert.Equal(tok, File.ReadAllBytes(Path.Combine(dir, "w", "tokens.txt")));
        Assert.Empty(Directory.EnumerateFiles(dir, "*.part", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_truncated_archive_is_one_clear_error_and_installs_nothing()
    {
        await using var server = new LoopbackFileServer();
        var whole = TarBz2(("pack/enc.onnx", Bytes(200_000, 6)), ("pack/tokens.txt", [1]));
        server.Files["pack.tar.bz2"] = whole[..(whole.Length / 2)];
        var dir = TestPaths.NewScratchDir("fetch-truncated");

        var (outcomes, _) = await Fetch(dir, Model("w",
            new ModelFile { Path = "w/enc.onnx", Urls = [server.Url("pack.tar.bz2")], Member = "pack/enc.onnx" },
            new ModelFile { Path = "w/tokens.txt", Urls = [server.Url("pack.tar.bz2")], Member = "pack/tokens.txt" }));

        Assert.False(outcomes[0].Ok);
        Assert.Contains("truncated or corrupt", outcomes[0].Detail);
        AssertNothingLeft(dir, "w/enc.onnx", "w/tokens.txt");
    }

    [Fact]
    public async Task A_missing_member_is_one_clear_error_and_installs_nothing()
    {
        await using var server = new LoopbackFileServer();
        server.Files["pack.tar.bz2"] = TarBz2(("pack/enc.onnx", Bytes(1000, 7)));
        var dir = TestPaths.NewScratchDir("fetch-member");

        var (outcomes, _) = await Fetch(dir, Model("w",
            new ModelFile { Path = "w/enc.onnx", Urls = [server.Url("pack.tar.bz2")], Member = "pack/enc.onnx" },
            new ModelFile { Path = "w/tokens.txt", Urls = [server.Url("pack.tar.bz2")], Member = "pack/tokens.txt" }));

        Assert.False(outcomes[0].Ok);
        Assert.Contains("has no member pack/tokens.txt", outcomes[0].Detail);
        AssertNothingLeft(dir, "w/enc.onnx", "w/tokens.txt");
    }

    [Fact]
    public async Task Offline_is_reported_as_such_without_trying_the_host_again()
    {
        var dir = TestPaths.NewScratchDir("fetch-offline");
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        var (outcomes, _) = await Fetch(dir,
            Model("a", new ModelFile { Path = "a.onnx", Urls = ["http://127.0.0.1:9/a.onnx"] }),
            Model("b", new ModelFile { Path = "b.onnx", Urls = ["http://127.0.0.1:9/b.onnx"] }));

        Assert.All(outcomes, o => Assert.True(o.Offline && !o.Ok, o.Detail));
        Assert.Contains("cannot reach 127.0.0.1:9", outcomes[0].Detail);
        Assert.Contains("unreachable", outcomes[1].Detail);
        AssertNothingLeft(dir, "a.onnx", "b.onnx");
    }

    [Fact]
    public async Task A_mirror_replaces_the_public_urls_by_download_name()
    {
        await using var server = new LoopbackFileServer();
        var data = Bytes(5000, 8);
        server.Files["clip-image-vit-32-uint8.onnx"] = data;
        var dir = TestPaths.NewScratchDir("fetch-mirror");
        var file = new ModelFile { Path = "clip/clip-image-vit-32.onnx", Sha256 = Sha(data), Urls = ["https://huggingface.co/rocca/openai-clip-js/resolve/main/clip-image-vit-32-uint8.onnx"] };
        using var f = new ModelFetcher(new ModelFetchOptions { ModelsDir = dir, Mirror = server.BaseUri.ToString() });

        var outcomes = await f.FetchAsync([Model("clip", file)], null, _ => { }, CancellationToken.None);

        Assert.True(outcomes[0].Ok, outcomes[0].Detail);
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(dir, "clip", "clip-image-vit-32.onnx")));
        Assert.Equal("clip-image-vit-32-uint8.onnx", Assert.Single(server.Requests).Path);
    }
}
