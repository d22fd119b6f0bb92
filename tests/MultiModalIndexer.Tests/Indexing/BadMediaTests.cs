using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Indexing;

/// <summary>A folder of corrupt, truncated, non-media, symlinked, odd and sparse files indexes to completion.</summary>
public class BadMediaTests
{
    [Fact]
    public async Task Bad_media_folder_completes_with_good_files_indexed_and_each_bad_one_listed_with_a_reason()
    {
        var dir = TestPaths.NewScratchDir("badmedia");
        var outside = TestPaths.NewScratchDir("badmedia-outside");
        var good = TestVideos.Trio()[0];
        File.Copy(good, Path.Combine(dir, "good clip.mp4"));
        var bytes = await File.ReadAllBytesAsync(good);

        await File.WriteAllBytesAsync(Path.Combine(dir, "zero.mp4"), []);
        await File.WriteAllBytesAsync(Path.Combine(dir, "random.mkv"), RandomBytes(200_000, 1));
        await File.WriteAllBytesAsync(Path.Combine(dir, "truncated.mp4"), bytes[..(bytes.Length / 3)]);
        var corrupt = (byte[])bytes.Clone();
        for (var i = 0; i < 64; i++) corrupt[i] = 0; // the ftyp box and start of the moov/mdat are gone
        await File.WriteAllBytesAsync(Path.Combine(dir, "corrupt.mp4"), corrupt);
        await File.WriteAllTextAsync(Path.Combine(dir, "notes.mp4"), "this is a text file, not a video\n");
        File.Copy(TestPaths.SharedFile("media", "images", "skimage", "astronaut.png"), Path.Combine(dir, "picture.mov"));
        await File.WriteAllBytesAsync(Path.Combine(dir, "one-byte.webm"), [0x1A]);
        TestVideos.Run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=2", "-c:a", "aac", Path.Combine(dir, "audio-only.mp4")]);
        using (var sparse = File.Create(Path.Combine(dir, "sparse.mp4"))) sparse.SetLength(3L << 30); // 3 GiB of holes
        var outsideFile = Path.Combine(outside, "elsewhere.mp4");
        File.Copy(good, outsideFile);
        File.CreateSymbolicLink(Path.Combine(dir, "link-outside.mp4"), outsideFile);
        File.CreateSymbolicLink(Path.Combine(dir, "dangling.mp4"), Path.Combine(dir, "does-not-exist.mp4"));
        File.CreateSymbolicLink(Path.Combine(dir, "link-inside.mp4"), Path.Combine(dir, "good clip.mp4"));
        Directory.CreateSymbolicLink(Path.Combine(dir, "loop"), dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "readme.txt"), "not a video extension: ignored");

        await using var h = new IndexingHarness("badmedia");
        var report = await h.RunAsync(dir);

        Assert.Equal(1, report.Indexed); // the good clip, once (the inside link is not indexed twice, the loop not followed)
        var videos = await h.Store.ListVideosAsync(0, 10);
        Assert.Equal(Path.Combine(dir, "good clip.mp4"), Assert.Single(videos).SourcePath);
        string[] bad = ["zero.mp4", "random.mkv", "truncated.mp4", "corrupt.mp4", "notes.mp4", "picture.mov", "one-byte.webm",
            "audio-only.mp4", "sparse.mp4", "link-outside.mp4", "dangling.mp4"];
        foreach (var name in bad)
        {
            var f = Assert.Single(report.Failed, x => Path.GetFileName(x.Path) == name);
            Assert.False(string.IsNullOrWhiteSpace(f.Error), name);
            Assert.DoesNotContain('\n', f.Error);
        }
        Assert.Equal(bad.Length, report.Failed.Count);
        Assert.Contains("outside", report.Failed.Single(f => f.Path.EndsWith("link-outside.mp4", StringComparison.Ordinal)).Error);
        Assert.Contains("audio-only", report.Failed.Single(f => f.Path.EndsWith("audio-only.mp4", StringComparison.Ordinal)).Error);

        // Permanent media errors are not retried on the next crawl, but still listed with their reason.
        var again = await h.RunAsync(dir);
        Assert.Equal(0, again.Indexed);
        Assert.Equal(bad.Length, again.Failed.Count);
        var src = Assert.Single(h.Indexer.Status.Sources);
        Assert.Equal(1, src.Indexed);
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
