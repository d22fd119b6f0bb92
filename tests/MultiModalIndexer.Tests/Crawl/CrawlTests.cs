using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Crawl;

public class GlobPatternTests
{
    [Theory]
    [InlineData("**/*", "a.mp4", true)]
    [InlineData("**/*", "x/y/a.mp4", true)]
    [InlineData("**/*.mp4", "a.MP4", true)]
    [InlineData("**/*.mp4", "deep/er/a.mp4", true)]
    [InlineData("*.mp4", "deep/a.mp4", false)]
    [InlineData("clips/**", "clips/a/b.mkv", true)]
    [InlineData("clips/**", "other/clips/b.mkv", false)]
    [InlineData("**/tmp/**", "a/tmp/b.mp4", true)]
    [InlineData("**/tmp/**", "tmp/b.mp4", true)]
    [InlineData("a?.mp4", "ab.mp4", true)]
    [InlineData("a?.mp4", "a/.mp4", false)]
    [InlineData("[x].mp4", "[x].mp4", true)]
    public void Globs_match_relative_paths(string glob, string path, bool expected) =>
        Assert.Equal(expected, new GlobPattern(glob).IsMatch(path));

    [Fact]
    public void Exclude_wins_over_include()
    {
        var f = new PathFilter(["**/*.mp4"], ["**/private/**"]);
        Assert.True(f.Accepts("a/b.mp4"));
        Assert.False(f.Accepts("a/private/b.mp4"));
        Assert.False(f.Accepts("a/b.txt"));
    }
}

public class FileFingerprintTests
{
    [Fact]
    public async Task Fingerprint_follows_content_not_name_or_mtime()
    {
        var dir = TestPaths.NewScratchDir("fp");
        var a = Path.Combine(dir, "a.bin");
        var data = new byte[5 << 20];
        new Random(3).NextBytes(data);
        await File.WriteAllBytesAsync(a, data);
        var fp = await FileFingerprint.ComputeAsync(a);
        Assert.Equal(64, fp.Length);

        var b = Path.Combine(dir, "b.bin");
        File.Copy(a, b);
        File.SetLastWriteTimeUtc(b, DateTime.UtcNow.AddDays(-3));
        Assert.Equal(fp, await FileFingerprint.ComputeAsync(b));

        data[data.Length / 2] ^= 0xFF; // inside the middle window
        await File.WriteAllBytesAsync(b, data);
        Assert.NotEqual(fp, await FileFingerprint.ComputeAsync(b));

        data[data.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(b, data.Concat(new byte[] { 1 }).ToArray()); // size differs
        Assert.NotEqual(fp, await FileFingerprint.ComputeAsync(b));

        var small = Path.Combine(dir, "small.bin");
        await File.WriteAllBytesAsync(small, [1, 2, 3]);
        var small2 = Path.Combine(dir, "small2.bin");
        await File.WriteAllBytesAsync(small2, [1, 2, 4]);
        Assert.NotEqual(await FileFingerprint.ComputeAsync(small), await FileFingerprint.ComputeAsync(small2));
    }

    [Fact]
    public async Task Huge_sparse_file_is_fingerprinted_by_three_windows()
    {
        var path = Path.Combine(TestPaths.NewScratchDir("fp-sparse"), "sparse.mp4");
        using (var f = File.Create(path)) f.SetLength(8L << 30);
        var fp = await FileFingerprint.ComputeAsync(path);
        Assert.Equal(64, fp.Length);
    }
}

public class SourceWalkerTests
{
    [Fact]
    public void Walker_keeps_to_the_roots_lists_bad_links_and_ignores_non_video_files()
    {
        var root = TestPaths.NewScratchDir("walk");
        var outside = TestPaths.NewScratchDir("walk-out");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllBytes(Path.Combine(root, "a.mp4"), [1]);
        File.WriteAllBytes(Path.Combine(root, "sub", "b.MKV"), [1]);
        File.WriteAllBytes(Path.Combine(root, "sub", "skip.mp4"), [1]);
        File.WriteAllText(Path.Combine(root, "notes.txt"), "x");
        File.WriteAllBytes(Path.Combine(root, "empty.mp4"), []);
        File.WriteAllBytes(Path.Combine(outside, "o.mp4"), [1]);
        File.CreateSymbolicLink(Path.Combine(root, "in-link.mp4"), Path.Combine(root, "a.mp4"));
        File.CreateSymbolicLink(Path.Combine(root, "out-link.mp4"), Path.Combine(outside, "o.mp4"));
        File.CreateSymbolicLink(Path.Combine(root, "dangling.mp4"), Path.Combine(root, "nope.mp4"));
        Directory.CreateSymbolicLink(Path.Combine(root, "out-dir"), outside);
        Directory.CreateSymbolicLink(Path.Combine(root, "loop"), root);

        var result = SourceWalker.Walk([new SourceOptions { Name = "s", Root = root, Exclude = ["**/skip.*"] }], MediaExtensions.DefaultVideo);

        Assert.Equal(new[] { "a.mp4", "b.MKV" }, result.Files.Select(f => Path.GetFileName(f.Path)).Order().ToArray());
        Assert.All(result.Files, f => Assert.Equal("s", f.Source));
        var problems = result.Problems.ToDictionary(p => Path.GetFileName(p.Path), p => p.Error);
        Assert.Equal(new[] { "dangling.mp4", "empty.mp4", "out-link.mp4" }, problems.Keys.Order().ToArray());
        Assert.Contains("outside", problems["out-link.mp4"]);
        Assert.Contains("dangling", problems["dangling.mp4"]);
        Assert.Equal(2, result.Ignored); // notes.txt, skip.mp4
    }

    [Fact]
    public void Cron_shape_and_source_validation_say_what_to_fix()
    {
        Assert.Null(CronShape.Check("0 0/15 * * * ?"));
        Assert.Null(CronShape.Check("0 30 2 ? * MON-FRI 2030"));
        Assert.NotNull(CronShape.Check("*/5 * * * *")); // 5-field Unix cron is not Quartz
        Assert.NotNull(CronShape.Check(""));
        var messages = new SourceOptions { Name = "", Root = "/does/not/exist", Schedule = "bad" }.Validate(0).ToList();
        Assert.Contains(messages, m => m.Contains("Sources:0:Name"));
        Assert.DoesNotContain(messages, m => m.Contains("/does/not/exist")); // a missing root is unavailable (unmounted), not a config error
        Assert.Contains(messages, m => m.Contains("Schedule"));
    }
}
