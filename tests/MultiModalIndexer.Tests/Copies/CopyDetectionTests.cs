using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Copies.Evaluation;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.Indexing;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Copies;

/// <summary>
/// Copy detection end to end: the generated transform set (CopySetGenerator) and the real clips of
/// ../shared/media/video are indexed by the real indexer (fingerprints from the shot-analysis
/// decode, embedded store), then every query is answered by the real detector and scored the
/// issue's way (first match right video, both spans IoU ≥ 0.5; negatives match nothing).
/// </summary>
public class CopyDetectionTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Ocr:Enabled"] = "false", // fingerprints need none of the models
    };

    [Fact]
    public async Task Transformed_excerpts_between_filler_are_found_with_their_spans_and_unseen_footage_matches_nothing()
    {
        var set = await CopySetGenerator.GenerateAsync(TestPaths.Shared, TestPaths.FixtureDir("copies-set-v3"));
        await using var h = new IndexingHarness("copies", Fast);
        var report = await h.RunAsync(set.LibraryDir, set.SharedVideoDir);
        Assert.Empty(report.Failed);

        var detector = h.Services.GetRequiredService<CopyDetector>();
        var answers = new List<(CopyQuery, IReadOnlyList<CopyMatch>)>();
        foreach (var q in set.Queries)
            answers.Add((q, (await detector.FindAsync(q.Path)).Matches));
        var score = CopyScore.Of(answers);
        foreach (var v in score.Verdicts)
            output.WriteLine($"{(v.Correct ? "ok " : "BAD")} {v.Query.Name}: truth {v.Query.RefStart:0.0}-{v.Query.RefEnd:0.0} / q {v.Query.QueryStart:0.0}-{v.Query.QueryEnd:0.0}; " +
                             (v.First is { } m ? $"first {Path.GetFileName(m.Video)} {m.Start:0.0}-{m.End:0.0} / q {m.QueryStart:0.0}-{m.QueryEnd:0.0} score {m.Score:0.000} (IoU {v.RefIoU:0.00}/{v.QueryIoU:0.00})" : "no match"));
        output.WriteLine($"TP {score.TruePositives} FP {score.FalsePositives} FN {score.FalseNegatives} TN {score.TrueNegatives} F1 {score.F1:0.000}");
        Assert.True(score.F1 >= 0.9, $"F1 {score.F1:0.000} < 0.9");
    }

    [Fact]
    public async Task Reindexing_replaces_fingerprints_and_deleting_a_video_removes_them()
    {
        var set = await CopySetGenerator.GenerateAsync(TestPaths.Shared, TestPaths.FixtureDir("copies-set-v3"));
        var media = TestPaths.NewScratchDir("copies-media");
        File.Copy(Path.Combine(set.LibraryDir, "edit0.mp4"), Path.Combine(media, "a.mp4"));
        File.Copy(Path.Combine(set.LibraryDir, "fractal.mp4"), Path.Combine(media, "b.mp4"));
        await using var h = new IndexingHarness("copies-life", Fast);
        await h.RunAsync(media);
        var store = (IFingerprintStore)h.Store;
        var first = await ReadAsync(store);
        Assert.Equal(2, first.Count);
        Assert.All(first, f => Assert.InRange(f.Fingerprint.Count, 20, 24 * 3 + 2)); // ~3 samples a second
        var v0 = await store.FingerprintVersionAsync();

        // b.mp4 becomes other footage: re-indexed, its fingerprint is replaced, not added to. (Not life.mp4: the Game
        // of Life changes wholly every frame, so 3 and 4 samples a second meet only once a second, too sparse to align.)
        File.Copy(Path.Combine(set.LibraryDir, "pattern.mp4"), Path.Combine(media, "b.mp4"), overwrite: true);
        await h.RunAsync(media);
        var second = await ReadAsync(store);
        Assert.Equal(2, second.Count);
        Assert.NotEqual(v0, await store.FingerprintVersionAsync());
        var b = second.Single(f => f.SourcePath.EndsWith("b.mp4", StringComparison.Ordinal));
        Assert.NotEqual(first.Single(f => f.SourcePath.EndsWith("b.mp4", StringComparison.Ordinal)).Fingerprint.Hashes, b.Fingerprint.Hashes);

        // The detector's index follows: the old footage no longer matches, the new one does.
        var detector = h.Services.GetRequiredService<CopyDetector>();
        Assert.Contains((await detector.FindAsync(Path.Combine(set.LibraryDir, "pattern.mp4"))).Matches, m => m.Video.EndsWith("b.mp4", StringComparison.Ordinal));
        Assert.DoesNotContain((await detector.FindAsync(Path.Combine(set.LibraryDir, "fractal.mp4"))).Matches, m => m.Video.EndsWith("b.mp4", StringComparison.Ordinal));

        File.Delete(Path.Combine(media, "a.mp4"));
        await h.RunAsync(media);
        Assert.Single(await ReadAsync(store));
        Assert.Empty((await detector.FindAsync(Path.Combine(set.LibraryDir, "edit0.mp4"))).Matches);
    }

    [Fact]
    public async Task Duplicates_include_a_horizontally_flipped_reupload()
    {
        var set = await CopySetGenerator.GenerateAsync(TestPaths.Shared, TestPaths.FixtureDir("copies-set-v3"));
        var media = TestPaths.NewScratchDir("copies-dups");
        File.Copy(Path.Combine(set.LibraryDir, "edit1.mp4"), Path.Combine(media, "a.mp4"));
        File.Copy(Path.Combine(set.LibraryDir, "edit3.mp4"), Path.Combine(media, "c.mp4"));
        // b: seconds 6-18 of a, mirrored and re-encoded (the re-upload that dodges a straight match).
        await GeneratedFootage.RunAsync("ffmpeg", ["-ss", "6", "-t", "12", "-i", Path.Combine(media, "a.mp4"), "-vf", "hflip",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-an"], Path.Combine(media, "b.mp4"), default);
        await using var h = new IndexingHarness("copies-dups", Fast);
        Assert.Empty((await h.RunAsync(media)).Failed);

        var pairs = await h.Services.GetRequiredService<CopyDetector>().FindDuplicatesAsync();
        foreach (var p in pairs)
            output.WriteLine($"{Path.GetFileName(p.VideoA)} {p.StartA:0.0}-{p.EndA:0.0} ~ {Path.GetFileName(p.VideoB)} {p.StartB:0.0}-{p.EndB:0.0} score {p.Score:0.000} mirrored {p.Mirrored}");
        var pair = Assert.Single(pairs);
        Assert.True(pair.Mirrored);
        var (aStart, aEnd, bStart, bEnd) = pair.VideoA.EndsWith("a.mp4", StringComparison.Ordinal)
            ? (pair.StartA, pair.EndA, pair.StartB, pair.EndB) : (pair.StartB, pair.EndB, pair.StartA, pair.EndA);
        Assert.True(CopyScore.IoU(aStart, aEnd, 6, 18) >= 0.7, $"a span {aStart}-{aEnd}");
        Assert.True(CopyScore.IoU(bStart, bEnd, 0, 12) >= 0.7, $"b span {bStart}-{bEnd}");
    }

    [Fact]
    public void Fingerprint_blob_round_trips()
    {
        var fp = new MultiModalIndexer.Documents.VideoFingerprint(3, [0f, 0.333f, 12.5f], [1UL, ulong.MaxValue, 0xDEADBEEFUL]);
        var back = MultiModalIndexer.Documents.VideoFingerprint.FromBlob(fp.ToBlob());
        Assert.Equal(fp.Hashes, back.Hashes);
        Assert.Equal(fp.Times, back.Times);
        Assert.Equal(3f, back.Fps);
        Assert.Null(back.Chroma);
        // Without colour layouts the blob keeps the older layout (20 bytes a sample), which still reads.
        Assert.Equal(12 + 3 * 20, fp.ToBlob().Length);
        Assert.Throws<FormatException>(() => MultiModalIndexer.Documents.VideoFingerprint.FromBlob(new byte[5]));

        var colour = new MultiModalIndexer.Documents.VideoFingerprint(3, [0f, 0.333f, 12.5f], [1UL, 2UL, 3UL], [4UL, 5UL, 6UL], [7UL, 0x8000000000000001UL, 9UL]);
        var blob = colour.ToBlob();
        Assert.Equal(12 + 3 * MultiModalIndexer.Documents.VideoFingerprint.BytesPerSample, blob.Length);
        var read = MultiModalIndexer.Documents.VideoFingerprint.FromBlob(blob);
        Assert.Equal(colour.Cropped, read.Cropped);
        Assert.Equal(colour.Chroma, read.Chroma);
        Assert.Throws<FormatException>(() => MultiModalIndexer.Documents.VideoFingerprint.FromBlob(blob.AsSpan(0, blob.Length - 8)));
    }

    [Fact]
    public async Task Smooth_colour_gradients_of_unrelated_clips_agree_in_grey_but_not_in_colour()
    {
        // Generated gradients are one moving sine wave of grey: two unrelated ones pass through the same grey
        // pictures, so on grey alone they align into a "copy". Their colours differ, and the colour layouts say so.
        var set = await CopySetGenerator.GenerateAsync(TestPaths.Shared, TestPaths.FixtureDir("copies-set-v3"));
        var media = TestPaths.NewScratchDir("copies-gradients");
        foreach (var f in Directory.GetFiles(set.LibraryDir, "gen*-gradients.mp4")) File.Copy(f, Path.Combine(media, Path.GetFileName(f)));
        await using var h = new IndexingHarness("copies-gradients", Fast);
        Assert.Empty((await h.RunAsync(media)).Failed);
        var index = await h.Services.GetRequiredService<CopyDetector>().GetIndexAsync();
        var fingerprinter = h.Services.GetRequiredService<QueryFingerprinter>();
        var options = h.Services.GetRequiredService<CopyOptions>();
        var greyOnly = new CopyOptions { MaxChromaDistance = 128 };
        int greyMatches = 0;
        foreach (var q in Directory.GetFiles(Path.Combine(Path.GetDirectoryName(set.LibraryDir)!, "work"), "unseen*-gradients.mp4"))
        {
            var fp = await fingerprinter.FingerprintAsync(q);
            var grey = CopyDetector.Match(index, fp, greyOnly);
            var colour = CopyDetector.Match(index, fp, options);
            output.WriteLine($"{Path.GetFileName(q)}: grey alone {grey.Count} matches{(grey.Count > 0 ? $" (best {Path.GetFileName(grey[0].Video)} score {grey[0].Score:0.00})" : "")}; with colour {colour.Count}");
            greyMatches += grey.Count;
            Assert.Empty(colour);
        }
        Assert.True(greyMatches > 0, "the unseen gradients no longer look like the library's in grey: this test lost its point");
    }

    private static async Task<List<StoredFingerprint>> ReadAsync(IFingerprintStore store)
    {
        var list = new List<StoredFingerprint>();
        await foreach (var f in store.ReadFingerprintsAsync()) list.Add(f);
        return list;
    }
}
