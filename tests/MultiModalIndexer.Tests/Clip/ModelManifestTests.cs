using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Clip;

public class ModelManifestTests
{
    private static string RepoManifest => Path.Combine(ProjectPaths.Root!, "models", ModelManifest.FileName);

    [Fact]
    public void Manifest_covers_every_default_model_path_of_the_config()
    {
        var m = ModelManifest.Load(RepoManifest);
        var clip = new ClipOptions();
        foreach (var path in new[] { clip.ImageModel, clip.TextModel, clip.Vocabulary, "vad/silero_vad.onnx",
                     "whisper/tiny-encoder.int8.onnx", "whisper/tiny-decoder.int8.onnx", "whisper/tiny-tokens.txt",
                     "sense-voice/model.int8.onnx", "sense-voice/tokens.txt" })
            Assert.NotNull(m.FindFile(path));
        foreach (var id in new[] { "whisper-tiny", "whisper-base", "whisper-small", "sense-voice", "silero-vad", "clip-bpe-vocab" })
            Assert.Contains(m.Models, e => e.Id == id);
        Assert.All(m.Models, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Licence));
            Assert.False(string.IsNullOrWhiteSpace(e.Option));
            Assert.All(e.Files, f => Assert.NotEmpty(f.Urls));
        });
    }

    [Fact]
    public void Known_checksums_match_the_real_shared_files()
    {
        var m = ModelManifest.Load(RepoManifest);
        var shared = TestPaths.SharedFile("models");
        Assert.Equal(FileState.Ok, ModelManifest.Check(m.FindFile("clip/bpe_simple_vocab_16e6.txt.gz")!, shared).State);
        Assert.Equal(FileState.Ok, ModelManifest.Check(m.FindFile("vad/silero_vad.onnx")!, shared).State);
    }

    [Fact]
    public void Sync_copies_verified_files_and_skips_corrupt_ones()
    {
        var m = ModelManifest.Load(RepoManifest);
        var target = TestPaths.NewScratchDir("models-target");
        var badSource = TestPaths.NewScratchDir("models-bad");
        Directory.CreateDirectory(Path.Combine(badSource, "vad"));
        File.WriteAllText(Path.Combine(badSource, "vad", "silero_vad.onnx"), "not the model");
        var log = new List<string>();
        var results = m.Sync(target, [badSource, TestPaths.SharedFile("models")], log.Add);

        Assert.Equal(FileState.Ok, results.Single(r => r.File.Path == "vad/silero_vad.onnx").State);
        Assert.Equal(FileState.Ok, results.Single(r => r.File.Path == "clip/bpe_simple_vocab_16e6.txt.gz").State);
        Assert.Equal(FileState.Missing, results.Single(r => r.File.Path == "clip/clip-image-vit-32.onnx").State);
        Assert.Contains(log, l => l.Contains("skip") && l.Contains(badSource));
        Assert.False(File.Exists(Path.Combine(target, "vad", "silero_vad.onnx.partial")));
    }

    [Fact]
    public void Verify_reports_corrupt_unverified_and_missing()
    {
        var dir = TestPaths.NewScratchDir("models-verify");
        Directory.CreateDirectory(Path.Combine(dir, "clip"));
        File.WriteAllText(Path.Combine(dir, "clip", "bpe_simple_vocab_16e6.txt.gz"), "truncated");
        var known = new ModelFile { Path = "clip/bpe_simple_vocab_16e6.txt.gz", Sha256 = new string('a', 64), Size = 9 };
        Assert.Equal(FileState.Corrupt, ModelManifest.Check(known, dir).State);
        var unknown = new ModelFile { Path = "clip/bpe_simple_vocab_16e6.txt.gz" };
        Assert.Equal(FileState.Unverified, ModelManifest.Check(unknown, dir).State);
        Assert.Equal(FileState.SizeOk, ModelManifest.Check(unknown with { Size = 9 }, dir).State);
        Assert.Equal(FileState.Corrupt, ModelManifest.Check(unknown with { Size = 10 }, dir).State);
        Assert.Equal(FileState.Missing, ModelManifest.Check(unknown with { Path = "nope.onnx" }, dir).State);
    }

    [Fact]
    public async Task Fetch_fails_fast_with_a_clear_message_when_the_host_is_unreachable()
    {
        var manifest = new ModelManifest
        {
            Models =
            [
                new ModelEntry
                {
                    Id = "x",
                    Files = [new ModelFile { Path = "x/unreachable-model.onnx", Urls = ["http://127.0.0.1:9/unreachable-model.onnx"] }],
                },
            ],
        };
        var dir = TestPaths.NewScratchDir("models-fetch");
        var e = await Assert.ThrowsAsync<ModelFetchException>(() =>
            manifest.FetchAsync(manifest.Models, dir, _ => { }, TimeSpan.FromSeconds(2), CancellationToken.None));
        Assert.Contains("x/unreachable-model.onnx", e.Message);
        Assert.Contains("./mmi models sync", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "x", "unreachable-model.onnx")));
    }

    [Fact]
    public void Options_validation_says_what_to_fix()
    {
        Assert.Empty(new ClipOptions().Validate());
        var bad = new ClipOptions { BatchSize = 0, IntraOpThreads = -1, TextModel = "" };
        var messages = bad.Validate().ToList();
        Assert.Equal(3, messages.Count);
        Assert.Contains(messages, m => m.Contains("Clip:BatchSize"));
        Assert.Empty(new ClipOptions { Enabled = false, BatchSize = 0 }.Validate());
    }
}
