using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Clip;

public class ClipEncoderTests
{
    public static TheoryData<string> Conventions => new() { "xenova", "openai" };

    [Theory]
    [MemberData(nameof(Conventions))]
    public void Picks_the_interface_from_the_model(string convention)
    {
        using var image = ClipImageEncoder.Open(ClipFixtures.Options(convention));
        using var text = ClipTextEncoder.Open(ClipFixtures.Options(convention));
        if (convention == "xenova")
        {
            Assert.Equal(("pixel_values", "image_embeds"), (image.InputName, image.OutputName));
            Assert.Equal(("input_ids", "text_embeds"), (text.InputName, text.OutputName));
            Assert.True(text.HasAttentionMask);
            Assert.Null(text.FixedSequenceLength);
            Assert.Equal(4, image.RunBatch);
        }
        else
        {
            Assert.Equal(("input", "output"), (image.InputName, image.OutputName));
            Assert.Equal(("input", "output"), (text.InputName, text.OutputName));
            Assert.False(text.HasAttentionMask);
            Assert.Equal(77, text.FixedSequenceLength);
            Assert.Equal(1, image.RunBatch);
        }
        Assert.Equal(512, image.Dimension);
        Assert.Equal(512, text.Dimension);
        Assert.Matches(@"^fixture-image-\w+\.onnx@[0-9a-f]{12}$", image.ModelVersion);
    }

    [Theory]
    [MemberData(nameof(Conventions))]
    public void Batch_and_single_results_are_equal_and_unit_length(string convention)
    {
        using var enc = ClipEncoders.CreateImageEncoder(ClipFixtures.Options(convention));
        // 7 frames: with BatchSize 4 the dynamic model runs 4+3, the fixed-batch-1 model runs 7 times.
        var frames = ClipFixtures.Colours.Take(7).Select((c, i) => (ReadOnlyMemory<byte>)ClipFixtures.Frame(c.R, c.G, c.B, i)).ToList();
        var batch = enc.Encode(frames);
        Assert.Equal(7, batch.Length);
        for (var i = 0; i < frames.Count; i++)
        {
            var single = enc.Encode([frames[i]])[0];
            Assert.Equal(512, single.Length);
            Assert.Equal(1.0, Norm(batch[i]), 5);
            for (var k = 0; k < single.Length; k++) Assert.Equal(single[k], batch[i][k], 5);
        }
        Assert.Empty(enc.Encode([]));
    }

    [Fact]
    public void A_fixed_batch_axis_above_one_is_padded_and_results_still_match_single_runs()
    {
        var o = ClipFixtures.Options("xenova");
        o.ImageModel = ClipFixtures.File("fixture-image-fixed2.onnx");
        using var fixed2 = ClipImageEncoder.Open(o);
        using var dynamic = ClipImageEncoder.Open(ClipFixtures.Options("xenova"));
        Assert.Equal(2, fixed2.RunBatch);
        var frames = new[] { "red", "green", "blue" }.Select((c, i) => (ReadOnlyMemory<byte>)ClipFixtures.Frame(c, i)).ToList();
        var got = fixed2.Encode(frames); // runs 2 + (1 + one zero pad)
        Assert.Equal(3, got.Length);
        for (var i = 0; i < 3; i++)
            Assert.Equal(dynamic.Encode([frames[i]])[0], got[i], (x, y) => Math.Abs(x - y) < 1e-5);
    }

    [Fact]
    public void Concurrent_encodes_on_one_encoder_agree_with_sequential_ones()
    {
        var o = ClipFixtures.Options("xenova");
        using var image = ClipEncoders.CreateImageEncoder(o);
        using var text = ClipEncoders.CreateTextEncoder(o);
        var names = ClipFixtures.Colours.Select(c => c.Name).ToArray();
        var expectedImages = names.Select(n => image.Encode([ClipFixtures.Frame(n)])[0]).ToArray();
        var expectedTexts = names.Select(text.Encode).ToArray();
        // Equal up to float rounding: MLAS kernels may take a different SIMD path for differently aligned buffers.
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var k = i % names.Length;
            Assert.Equal(expectedImages[k], image.Encode([ClipFixtures.Frame(names[k])])[0], (x, y) => Math.Abs(x - y) < 1e-6);
            Assert.Equal(expectedTexts[k], text.Encode(names[k]), (x, y) => Math.Abs(x - y) < 1e-6);
        });
    }

    [Fact]
    public void Both_conventions_give_the_same_vectors_for_the_same_weights()
    {
        using var a = ClipEncoders.CreateImageEncoder(ClipFixtures.Options("xenova"));
        using var b = ClipEncoders.CreateImageEncoder(ClipFixtures.Options("openai"));
        var f = ClipFixtures.Frame("orange");
        Assert.Equal(a.Encode([f])[0], b.Encode([f])[0], (x, y) => Math.Abs(x - y) < 1e-5);
        using var ta = ClipEncoders.CreateTextEncoder(ClipFixtures.Options("xenova"));
        using var tb = ClipEncoders.CreateTextEncoder(ClipFixtures.Options("openai"));
        Assert.Equal(ta.Encode("a purple flower"), tb.Encode("a purple flower"), (x, y) => Math.Abs(x - y) < 1e-5);
    }

    [Theory]
    [InlineData("xenova", null)]
    [InlineData("openai", null)]
    [InlineData("xenova", "fixture-text-states.onnx")]
    public void Colour_query_finds_the_colour_frame(string convention, string? textModel)
    {
        var options = ClipFixtures.Options(convention, textModel);
        using var image = ClipEncoders.CreateImageEncoder(options);
        using var text = ClipEncoders.CreateTextEncoder(options);
        var frames = ClipFixtures.Colours.Select((c, i) => (ReadOnlyMemory<byte>)ClipFixtures.Frame(c.R, c.G, c.B, i)).ToList();
        var vectors = image.Encode(frames);
        foreach (var (name, _, _, _) in ClipFixtures.Colours)
        {
            foreach (var query in new[] { name, $"a photo of a {name} car", $"{name.ToUpperInvariant()}!" })
            {
                var q = text.Encode(query);
                Assert.Equal(1.0, Norm(q), 5);
                var best = Enumerable.Range(0, vectors.Length).MaxBy(i => Dot(q, vectors[i]));
                Assert.True(ClipFixtures.Colours[best].Name == name, $"'{query}' found the {ClipFixtures.Colours[best].Name} frame");
            }
        }
    }

    [Fact]
    public void Per_token_states_are_read_at_the_EOT_position()
    {
        // The states fixture holds a causal running sum: SOT position = nothing, EOT position = whole query.
        using var states = ClipTextEncoder.Open(ClipFixtures.Options("xenova", "fixture-text-states.onnx"));
        using var pooled = ClipTextEncoder.Open(ClipFixtures.Options("xenova"));
        Assert.Equal("last_hidden_state", states.OutputName);
        Assert.Equal(pooled.Encode("red and blue"), states.Encode("red and blue"), (x, y) => Math.Abs(x - y) < 1e-5);
    }

    [Fact]
    public void Missing_model_is_a_typed_error_naming_file_and_fix()
    {
        var o = ClipFixtures.Options("xenova");
        o.ImageModel = "/nonexistent/clip-image-vit-32.onnx";
        var e = Assert.Throws<ModelMissingException>(() => ClipEncoders.CreateImageEncoder(o));
        Assert.Contains("clip-image-vit-32.onnx", e.Message);
        Assert.Contains("models", e.Message);
        o = ClipFixtures.Options("xenova");
        o.TextModel = "/nonexistent/clip-text-vit-32.onnx";
        Assert.Throws<ModelMissingException>(() => ClipEncoders.CreateTextEncoder(o));
    }

    [Fact]
    public void Relative_model_paths_resolve_under_the_models_folder()
    {
        var dir = TestPaths.NewScratchDir("models");
        File.Copy(ClipFixtures.File("fixture-image-xenova.onnx"), Path.Combine(dir, "img.onnx"));
        var o = new ClipOptions { ModelsDirectory = dir, ImageModel = "img.onnx", IntraOpThreads = 1 };
        using var enc = ClipEncoders.CreateImageEncoder(o);
        Assert.Equal(512, enc.Dimension);
        o.ImageModel = "missing/img.onnx";
        var e = Assert.Throws<ModelMissingException>(() => ClipEncoders.CreateImageEncoder(o));
        Assert.Equal(Path.Combine(dir, "missing", "img.onnx"), e.ModelPath);
    }

    [Fact]
    public void Corrupt_or_truncated_model_is_a_typed_error()
    {
        var dir = TestPaths.NewScratchDir("corrupt");
        var good = File.ReadAllBytes(ClipFixtures.File("fixture-image-xenova.onnx"));
        var truncated = Path.Combine(dir, "truncated.onnx");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        var garbage = Path.Combine(dir, "garbage.onnx");
        File.WriteAllText(garbage, "this is not an onnx model");
        var empty = Path.Combine(dir, "empty.onnx");
        File.WriteAllBytes(empty, []);
        foreach (var path in new[] { truncated, garbage, empty })
        {
            var o = ClipFixtures.Options("xenova");
            o.ImageModel = path;
            var e = Assert.ThrowsAny<ModelException>(() => ClipEncoders.CreateImageEncoder(o));
            Assert.Equal(ModelErrorKind.Corrupt, e.Kind);
            Assert.Contains(path, e.Message);
        }
        // A valid ONNX file with the wrong interface (the text model as image model) is "incompatible".
        var wrong = ClipFixtures.Options("xenova");
        wrong.ImageModel = ClipFixtures.File("fixture-text-xenova.onnx");
        Assert.Throws<ModelIncompatibleException>(() => ClipEncoders.CreateImageEncoder(wrong));
    }

    [Fact]
    public void Wrong_frame_size_is_an_argument_error()
    {
        using var enc = ClipEncoders.CreateImageEncoder(ClipFixtures.Options("xenova"));
        Assert.Throws<ArgumentException>(() => enc.Encode([new byte[100]]));
    }

    [Fact]
    public void Mean_pool_is_the_renormalised_mean()
    {
        var a = new float[] { 1, 0, 0 };
        var b = new float[] { 0, 1, 0 };
        var m = SegmentPooling.MeanPool([a, b]);
        Assert.Equal(1 / MathF.Sqrt(2), m[0], 6);
        Assert.Equal(1 / MathF.Sqrt(2), m[1], 6);
        Assert.Equal(0, m[2]);
        Assert.Equal(a, SegmentPooling.MeanPool([a]));
        Assert.Throws<ArgumentException>(() => SegmentPooling.MeanPool([]));
        Assert.Throws<ArgumentException>(() => SegmentPooling.MeanPool([a, new float[2]]));
    }

    [Fact]
    public void Pooled_segment_of_red_frames_still_finds_red()
    {
        var o = ClipFixtures.Options("xenova");
        using var image = ClipEncoders.CreateImageEncoder(o);
        using var text = ClipEncoders.CreateTextEncoder(o);
        var red = SegmentPooling.MeanPool(image.Encode([ClipFixtures.Frame("red", 1), ClipFixtures.Frame("red", 2), ClipFixtures.Frame("orange", 3)]));
        var blue = SegmentPooling.MeanPool(image.Encode([ClipFixtures.Frame("blue", 1), ClipFixtures.Frame("blue", 2)]));
        var q = text.Encode("red");
        Assert.True(Dot(q, red) > Dot(q, blue));
        Assert.Equal(1.0, Norm(red), 5);
    }

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
