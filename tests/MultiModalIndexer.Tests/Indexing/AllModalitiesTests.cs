using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Search;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Clip;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.Speech;

namespace MultiModalIndexer.Tests.Indexing;

/// <summary>
/// Every modality on at once through the real composition: fixture CLIP models (colour-driven) and
/// the fixture Whisper export through the real ORT/sherpa-onnx bindings, real Silero VAD, real OCR.
/// </summary>
public class AllModalitiesTests
{
    [Fact]
    public async Task Clip_vectors_transcripts_and_ocr_land_in_the_right_segments_and_colour_queries_find_them()
    {
        var media = TestPaths.NewScratchDir("allmod-media");
        // Red then blue, JFK's speech underneath (speech from ~0.3 s to ~10.5 s).
        var video = TestVideos.Make("red-blue-speech.mp4", [new("red", "", 6), new("blue", "", 6)],
            audioFile: TestPaths.SharedFile("media", "audio", "jfk.wav"));
        File.Copy(video, Path.Combine(media, "speech.mp4"));
        File.Copy(TestVideos.Trio()[2], Path.Combine(media, "cobalt.mp4")); // purple/orange, captions, no audio

        await using var h = new IndexingHarness("allmod", new Dictionary<string, string?>
        {
            ["Clip:Enabled"] = "true",
            ["Clip:ImageModel"] = ClipFixtures.File("fixture-image-xenova.onnx"),
            ["Clip:TextModel"] = ClipFixtures.File("fixture-text-xenova.onnx"),
            ["Clip:Vocabulary"] = ClipFixtures.Vocabulary,
            ["Clip:IntraOpThreads"] = "1",
            ["Speech:Enabled"] = "true",
            ["Speech:VadModel"] = WhisperFixture.Options().VadModel,
            ["Speech:WhisperEncoder"] = WhisperFixture.Encoder,
            ["Speech:WhisperDecoder"] = WhisperFixture.Decoder,
            ["Speech:WhisperTokens"] = WhisperFixture.Tokens,
        });
        var report = await h.RunAsync(media);
        Assert.Empty(report.Failed);
        Assert.Equal(2, report.Indexed);
        Assert.Empty(h.Indexer.Modalities.OffReasons);

        var segments = await h.AllSegmentsAsync();
        Assert.All(segments, s =>
        {
            Assert.NotNull(s.Vector);
            Assert.Equal(1.0, Math.Sqrt(s.Vector!.Sum(x => (double)x * x)), 3);
            Assert.NotEqual("off", s.ModelVersions["clip"]);
            Assert.NotEqual("off", s.ModelVersions["asr"]);
        });
        var speech = segments.Where(s => s.FileName == "speech.mp4").OrderBy(s => s.Start).ToList();
        Assert.Contains(speech, s => s.Transcript.Contains(WhisperFixture.ShortPhrase) || s.Transcript.Contains(WhisperFixture.LongPhrase));
        Assert.All(speech.SelectMany(s => s.Utterances), u => Assert.InRange(u.Start, 0, 12));
        Assert.All(segments.Where(s => s.FileName == "cobalt.mp4"), s => Assert.Equal("", s.Transcript));
        var video0 = await h.Store.GetVideoAsync(speech[0].VideoId);
        Assert.False(string.IsNullOrWhiteSpace(video0!.Transcript));
        Assert.NotNull(video0.MeanVector);

        // Colour words → the segment of that colour, through the real tokenizer, text encoder and store.
        var search = h.Services.GetRequiredService<SearchService>();
        foreach (var (word, expectStart) in new[] { ("red", 0.0), ("blue", 6.0) })
        {
            var hit = (await search.SearchAsync(new SearchRequest { Query = word, Mode = SearchMode.Vector, Size = 3 })).Hits[0];
            Assert.Equal("speech.mp4", hit.Segment.FileName);
            Assert.True(hit.Segment.Start < expectStart + 6 && hit.Segment.End > expectStart, $"{word}: {hit.Segment.Start}-{hit.Segment.End}");
        }
        Assert.Equal(512, Assert.Single(search.Embed(["purple"])!).Length);

        // Image → moments: a blue picture finds the blue half.
        var png = Path.Combine(media, "..", Path.GetFileName(media) + "-blue.png");
        TestVideos.Run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=320x200", "-frames:v", "1", png]);
        var byImage = (await search.SearchByImageAsync(png, new SearchRequest { Size = 3 })).Hits[0];
        Assert.Equal("speech.mp4", byImage.Segment.FileName);
        Assert.True(byImage.Segment.End > 6, $"{byImage.Segment.Start}-{byImage.Segment.End}");
        await Assert.ThrowsAsync<SearchValidationException>(() => search.SearchByImageAsync(Path.Combine(media, "cobalt.mp4") + ".missing", new SearchRequest()));

        // More like this moment: the other speech.mp4 segments of the same colour rank above cobalt's.
        var similar = await search.SimilarAsync(speech[0].Id, new SearchRequest { Size = 5 });
        Assert.DoesNotContain(similar.Hits, x => x.Segment.Id == speech[0].Id);
        Assert.NotEmpty(similar.Hits);
    }
}
