using MultiModalIndexer.Documents;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Indexing;

/// <summary>
/// Crawl + pipeline + embedded store end to end on generated captioned videos (real ffmpeg, real
/// SQLite, real Tesseract; CLIP/ASR off since their weights are absent here).
/// </summary>
public class IndexerTests
{
    private static string MediaCopy(string name)
    {
        var dir = TestPaths.NewScratchDir(name);
        foreach (var f in TestVideos.Trio()) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    [Fact]
    public async Task Indexing_a_folder_writes_one_document_per_segment_with_ocr_and_thumbnails()
    {
        var media = MediaCopy("idx-basic");
        await using var h = new IndexingHarness("idx-basic");
        var report = await h.RunAsync(media);

        Assert.Empty(report.Failed);
        Assert.Equal(3, report.Indexed);
        var videos = await h.Store.ListVideosAsync(0, 100);
        Assert.Equal(3, videos.Count);
        var segments = await h.AllSegmentsAsync();
        Assert.Equal(report.Segments, segments.Count);
        Assert.Equal(segments.Count, segments.Select(s => s.Id).Distinct().Count());
        foreach (var v in videos)
        {
            var segs = segments.Where(s => s.VideoId == v.Id).OrderBy(s => s.Start).ToList();
            Assert.Equal(v.SegmentCount, segs.Count);
            // Segments tile the video without gaps or overlaps (where the cuts fall is the media stage's business).
            Assert.NotEmpty(segs);
            Assert.Equal(0, segs[0].Start, 3);
            Assert.Equal(v.Duration, segs[^1].End, 1);
            for (var i = 1; i < segs.Count; i++) Assert.Equal(segs[i - 1].End, segs[i].Start, 3);
            Assert.Equal(v.Id, DocumentIds.VideoId(await MultiModalIndexer.Crawl.FileFingerprint.ComputeAsync(v.SourcePath)));
            foreach (var s in segs)
            {
                Assert.Equal(DocumentIds.SegmentId(v.Id, s.Ordinal), s.Id);
                Assert.NotNull(s.ThumbnailRef);
                var jpeg = await h.Indexer.GetThumbnailAsync(s.ThumbnailRef!);
                Assert.NotNull(jpeg);
                Assert.True(jpeg!.Length > 100 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, "thumbnail is a JPEG");
                Assert.Equal("off", s.ModelVersions["clip"]);
                Assert.Null(s.Vector);
            }
            Assert.Equal(v.SourcePath, h.Indexer.ResolveMediaPath(v.Id));
        }
        // Each caption lands in the segment(s) showing it: the second scene (3-6 s) only, never in a
        // segment that lies entirely inside the first scene (0-3 s).
        foreach (var (file, caption) in new[] { ("zebra.mp4", "MEADOW"), ("cobalt.mp4", "ROCKET") })
        {
            var segs = segments.Where(s => s.FileName == file).ToList();
            Assert.Contains(segs, s => s.End > 3 && s.OcrText.Contains(caption));
            Assert.DoesNotContain(segs, s => s.End <= 3.01 && s.OcrText.Contains(caption));
        }

        // OCR text is searchable: the caption of the second scene finds that moment first.
        var hit = (await h.Store.SearchAsync(new SearchRequest { Query = "quiet meadow", Mode = SearchMode.Text, Size = 3 })).Hits[0];
        Assert.Equal("zebra.mp4", hit.Segment.FileName);
        Assert.True(hit.Segment.End > 3 && hit.Segment.Start < 6, $"{hit.Segment.Start}-{hit.Segment.End}");

        // Thumbnail references never escape the thumbnail folder, and unknown ids resolve to nothing.
        Assert.Null(await h.Indexer.GetThumbnailAsync("../../ledger.db"));
        Assert.Null(await h.Indexer.GetThumbnailAsync("/etc/passwd"));
        Assert.Null(h.Indexer.ResolveMediaPath("../etc"));
        Assert.Null(h.Indexer.ResolveMediaPath("0123456789abcdef01234567"));

        var status = h.Indexer.Status;
        var source = Assert.Single(status.Sources);
        Assert.Equal((3, 3, 0, 0, (long)segments.Count), (source.Files, source.Indexed, source.Pending, source.Failed, source.Segments));
        Assert.False(status.Running);
        Assert.True(status.MediaSecondsPerSecond > 0);
    }

    [Fact]
    public async Task Unchanged_touched_modified_renamed_and_deleted_files_are_handled_by_fingerprint()
    {
        var media = MediaCopy("idx-life");
        await using var h = new IndexingHarness("idx-life");
        var first = await h.RunAsync(media);
        Assert.Equal(3, first.Indexed);
        var before = await h.AllSegmentsAsync();

        // Unchanged: nothing re-indexed.
        var again = await h.RunAsync(media);
        Assert.Equal((0, 3, 0), (again.Indexed, again.Unchanged, again.Failed.Count));

        // Touched without a content change: mtime updated, not re-indexed.
        var zebra = Path.Combine(media, "zebra.mp4");
        File.SetLastWriteTimeUtc(zebra, DateTime.UtcNow.AddMinutes(5));
        var touched = await h.RunAsync(media);
        Assert.Equal((0, 1), (touched.Indexed, touched.Touched));
        Assert.Equal(0, (await h.RunAsync(media)).Indexed);

        // Modified in place: re-indexed under the new content's id, old documents gone.
        var cobalt = Path.Combine(media, "cobalt.mp4");
        var oldCobaltId = before.First(s => s.FileName == "cobalt.mp4").VideoId;
        File.Copy(TestVideos.Other(), cobalt, overwrite: true);
        var modified = await h.RunAsync(media);
        Assert.Equal(1, modified.Indexed);
        Assert.Null(await h.Store.GetVideoAsync(oldCobaltId));
        Assert.Empty(await h.Store.GetSegmentsOfVideoAsync(oldCobaltId));
        var cobaltNow = (await h.AllSegmentsAsync()).Where(s => s.FileName == "cobalt.mp4").ToList();
        Assert.NotEmpty(cobaltNow);
        Assert.Contains(cobaltNow, s => s.OcrText.Contains("VELVET"));
        Assert.DoesNotContain(await h.AllSegmentsAsync(), s => s.OcrText.Contains("COBALT"));

        // Renamed/moved: recognised by fingerprint, documents re-pointed, no re-index.
        var maple = before.First(s => s.FileName == "maple.mp4");
        Directory.CreateDirectory(Path.Combine(media, "moved"));
        var newMaple = Path.Combine(media, "moved", "maple renamed ü.mp4");
        File.Move(Path.Combine(media, "maple.mp4"), newMaple);
        var moved = await h.RunAsync(media);
        Assert.Equal((0, 1, 0), (moved.Indexed, moved.Moved, moved.Deleted));
        var mapleVideo = await h.Store.GetVideoAsync(maple.VideoId);
        Assert.NotNull(mapleVideo);
        Assert.Equal(newMaple, mapleVideo!.SourcePath);
        var mapleSegs = await h.Store.GetSegmentsOfVideoAsync(maple.VideoId);
        Assert.All(mapleSegs, s => Assert.Equal(newMaple, s.SourcePath));
        Assert.Equal(before.Count(s => s.VideoId == maple.VideoId), mapleSegs.Count);
        Assert.Equal(newMaple, h.Indexer.ResolveMediaPath(maple.VideoId));

        // Deleted: its documents and thumbnails are removed.
        var zebraId = before.First(s => s.FileName == "zebra.mp4").VideoId;
        File.Delete(zebra);
        var deleted = await h.RunAsync(media);
        Assert.Equal(1, deleted.Deleted);
        Assert.Null(await h.Store.GetVideoAsync(zebraId));
        Assert.Empty(await h.Store.GetSegmentsOfVideoAsync(zebraId));
        Assert.False(Directory.Exists(Path.Combine(h.DataDir, "thumbs", zebraId)));
        Assert.Null(h.Indexer.ResolveMediaPath(zebraId));
        Assert.Equal(2, (await h.Store.StatsAsync()).Videos);
    }

    [Fact]
    public async Task A_copy_of_indexed_content_shares_its_documents_and_inherits_them_when_the_original_goes()
    {
        var media = TestPaths.NewScratchDir("idx-copy");
        var src = TestVideos.Trio()[0];
        var a = Path.Combine(media, "a.mp4");
        var b = Path.Combine(media, "b.mp4");
        File.Copy(src, a);
        File.Copy(src, b);
        await using var h = new IndexingHarness("idx-copy");
        var report = await h.RunAsync(media);
        Assert.Empty(report.Failed);
        Assert.Equal(1, (await h.Store.StatsAsync()).Videos);

        File.Delete(a);
        await h.RunAsync(media);
        var videos = await h.Store.ListVideosAsync(0, 10);
        var v = Assert.Single(videos);
        Assert.Equal(b, v.SourcePath);
        Assert.All(await h.Store.GetSegmentsOfVideoAsync(v.Id), s => Assert.Equal(b, s.SourcePath));
    }
}
