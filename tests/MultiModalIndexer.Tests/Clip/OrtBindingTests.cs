using MultiModalIndexer.Inference.Onnx;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Clip;

public class OrtBindingTests
{
    [Fact]
    public void Version_comes_from_the_shipped_runtime()
    {
        Assert.Matches(@"^1\.\d+\.\d+", OrtEnvironment.Version);
    }

    [Fact]
    public void Reads_inputs_outputs_and_types_of_the_real_silero_vad()
    {
        using var s = OrtSession.Open(TestPaths.SharedFile("models", "vad", "silero_vad.onnx"), new OrtSessionSettings { IntraOpThreads = 1 });
        Assert.Equal(["input", "sr", "h", "c"], s.Inputs.Select(i => i.Name));
        Assert.Equal(["output", "hn", "cn"], s.Outputs.Select(o => o.Name));
        Assert.Equal(TensorElementType.Float, s.Input("input").ElementType);
        Assert.Equal(TensorElementType.Int64, s.Input("sr").ElementType);
        Assert.Equal([2, -1, 64], s.Input("h").Shape);
        Assert.True(s.Input("h").IsDynamic(1));
    }

    [Fact]
    public void Runs_a_fixture_and_reads_custom_metadata()
    {
        using var s = OrtSession.Open(ClipFixtures.File("fixture-image-xenova.onnx"));
        Assert.Equal("mmi-test-fixture", s.Metadata.ProducerName);
        Assert.Equal("xenova", s.Metadata.Custom["clip.convention"]);
        Assert.Equal("pixel_values", s.Inputs.Single().Name);
        Assert.Equal([-1, 3, 224, 224], s.Inputs[0].Shape);
        Assert.Equal("batch", s.Inputs[0].SymbolicShape[0]);

        var data = new float[2 * 3 * 224 * 224];
        using var t = OrtTensor.Create(data, 2, 3, 224, 224);
        using var o = s.Run([new("pixel_values", t)], ["image_embeds"]);
        Assert.Equal([2, 512], o[0].Shape);
        Assert.Equal(1024, o[0].GetData<float>().Length);
        Assert.Throws<InvalidOperationException>(() => o[0].GetData<long>());
    }

    [Fact]
    public void Missing_and_corrupt_files_raise_ORT_errors_with_its_message()
    {
        var missing = Assert.Throws<OnnxRuntimeException>(() => OrtSession.Open("/nonexistent/model.onnx"));
        Assert.Equal(OrtErrorCode.NoSuchFile, missing.Code);
        Assert.Contains("model.onnx", missing.Message);

        var dir = TestPaths.NewScratchDir("ort");
        var bad = Path.Combine(dir, "garbage.onnx");
        File.WriteAllBytes(bad, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        var corrupt = Assert.Throws<OnnxRuntimeException>(() => OrtSession.Open(bad));
        Assert.NotEqual(OrtErrorCode.Ok, corrupt.Code);
        Assert.False(string.IsNullOrWhiteSpace(corrupt.OrtMessage));
    }

    [Fact]
    public void Bad_run_inputs_are_errors_not_crashes()
    {
        using var s = OrtSession.Open(ClipFixtures.File("fixture-image-openai.onnx"));
        // Wrong shape for a fixed [1,3,224,224] input: ORT refuses with its own message.
        var data = new float[2 * 3 * 224 * 224];
        using var t = OrtTensor.Create(data, 2, 3, 224, 224);
        var e = Assert.Throws<OnnxRuntimeException>(() => s.Run([new("input", t)], ["output"]));
        Assert.Contains("input", e.OrtMessage);
        // Unknown names and wrong element counts are caught before ORT.
        Assert.Throws<ArgumentException>(() => s.Run([new("nope", t)], ["output"]));
        Assert.Throws<ArgumentException>(() => OrtTensor.Create(new float[10], 3, 4));
        // Wrong element type.
        using var ints = OrtTensor.Create(new int[3 * 224 * 224], 1, 3, 224, 224);
        Assert.Throws<OnnxRuntimeException>(() => s.Run([new("input", ints)], ["output"]));
    }

    [Fact]
    public void Cancelled_token_stops_before_running()
    {
        using var s = OrtSession.Open(ClipFixtures.File("fixture-image-openai.onnx"));
        using var t = OrtTensor.Create(new float[3 * 224 * 224], 1, 3, 224, 224);
        using var cts = new CancellationTokenSource();
        using (var ok = s.Run([new("input", t)], ["output"], cts.Token)) Assert.Equal([1, 512], ok[0].Shape);
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => s.Run([new("input", t)], ["output"], cts.Token));
    }

    [Fact]
    public void Disposed_objects_refuse_use()
    {
        var s = OrtSession.Open(ClipFixtures.File("fixture-image-openai.onnx"));
        var t = OrtTensor.Create(new float[3 * 224 * 224], 1, 3, 224, 224);
        t.Dispose();
        Assert.Throws<ObjectDisposedException>(() => s.Run([new("input", t)], ["output"]));
        s.Dispose();
        s.Dispose();
        using var t2 = OrtTensor.Create(new float[3 * 224 * 224], 1, 3, 224, 224);
        Assert.Throws<ObjectDisposedException>(() => s.Run([new("input", t2)], ["output"]));
    }
}
