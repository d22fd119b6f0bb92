using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Composition;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Search;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Query;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Indexing;

public class CompositionTests
{
    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Shot_analysis_splits_its_decode_only_over_the_cores_one_video_has()
    {
        // Auto: cores divided among the videos indexed at once; an explicit setting is kept.
        var auto = ServiceCollectionExtensions.Bind(Config(new() { ["Indexing:MaxConcurrentVideos"] = "2" }));
        Assert.Equal(Math.Clamp(Environment.ProcessorCount / 2, 1, 4), auto.Media.Shots.DecodeParts);
        var single = ServiceCollectionExtensions.Bind(Config(new() { ["Indexing:MaxConcurrentVideos"] = "1" }));
        Assert.Equal(Math.Clamp(Environment.ProcessorCount, 1, 4), single.Media.Shots.DecodeParts);
        var set = ServiceCollectionExtensions.Bind(Config(new() { ["Media:Shots:DecodeParts"] = "3" }));
        Assert.Equal(3, set.Media.Shots.DecodeParts);
    }

    [Fact]
    public void Invalid_configuration_fails_at_start_up_listing_every_problem()
    {
        var root = TestPaths.NewScratchDir("comp-root");
        Directory.CreateDirectory(Path.Combine(root, "inner"));
        var e = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddMultiModalIndexer(Config(new()
        {
            ["Media:MinSegmentSeconds"] = "-1",
            ["Indexing:MaxAttempts"] = "0",
            ["Sources:0:Name"] = "a", ["Sources:0:Root"] = root,
            ["Sources:1:Name"] = "a", ["Sources:1:Root"] = Path.Combine(root, "inner"),
            ["Sources:2:Name"] = "c", ["Sources:2:Root"] = "/no/such/folder", ["Sources:2:Schedule"] = "every day",
        })));
        var all = string.Join("\n", e.Failures);
        Assert.Contains("Media:MinSegmentSeconds", all);
        Assert.Contains("Indexing:MaxAttempts", all);
        Assert.Contains("unique name", all);
        Assert.Contains("nested", all);
        Assert.Contains("does not exist", all);
        Assert.Contains("Sources:2:Schedule", all);
    }

    [Fact]
    public async Task Valid_configuration_registers_the_services_and_missing_models_switch_modalities_off()
    {
        var data = TestPaths.NewScratchDir("comp-data");
        var root = TestPaths.NewScratchDir("comp-src");
        await using var sp = new ServiceCollection().AddMultiModalIndexer(Config(new()
        {
            ["Indexing:DataDir"] = data,
            ["Clip:ImageModel"] = "/no/such/clip-image.onnx",
            ["Clip:TextModel"] = "/no/such/clip-text.onnx",
            ["Sources:0:Name"] = "media", ["Sources:0:Root"] = root,
        })).BuildServiceProvider();
        var indexer = sp.GetRequiredService<Indexer>();
        Assert.Equal("media", Assert.Single(indexer.Sources).Name);
        Assert.IsAssignableFrom<ISegmentStore>(sp.GetRequiredService<ISegmentStore>());
        Assert.Equal(data, sp.GetRequiredService<IOptions<IndexingOptions>>().Value.DataDir);
        var search = sp.GetRequiredService<SearchService>();
        Assert.Null(search.Embed(["red"]));
        Assert.Contains("clip-text.onnx", indexer.Modalities.OffReasons["clip-text"]);

        // Hybrid without CLIP degrades to text with a note; vector without CLIP is a clear validation error.
        var r = await search.SearchWithNoteAsync(new SearchRequest { Query = "anything" });
        Assert.Equal(0, r.Response.Total);
        Assert.Contains("text", r.Note);
        var e = await Assert.ThrowsAsync<SearchValidationException>(() => search.SearchAsync(new SearchRequest { Query = "x", Mode = SearchMode.Vector }));
        Assert.Contains("CLIP", e.Message);
        Assert.True(Path.IsPathRooted(sp.GetRequiredService<MultiModalIndexerSettings>().Clip.Vocabulary));
    }
}
