using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Tests.Clip;
using MultiModalIndexer.Tests.Common;
using MultiModalIndexer.Tests.Speech;

namespace MultiModalIndexer.Tests.Models;

/// <summary>
/// `mmi up` as a new user runs it on an air-gapped site: an empty models folder, MMI_MODELS_MIRROR pointing at a
/// loopback mirror that serves the fixture models under the default download names (the whisper one as the
/// sherpa-onnx tar.bz2). The real process fetches, verifies (pins the unpublished hashes) and uses them.
/// </summary>
public sealed class UpFetchesModelsTests
{
    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task Up_fetches_the_default_models_from_a_mirror_and_switches_clip_and_asr_on()
    {
        var image = ClipFixtures.File("fixture-image-openai.onnx");
        var text = ClipFixtures.File("fixture-text-openai.onnx");
        await using var mirror = new LoopbackFileServer();
        mirror.Files["clip-image-vit-32-uint8.onnx"] = File.ReadAllBytes(image);
        mirror.Files["clip-text-vit-32-uint8.onnx"] = File.ReadAllBytes(text);
        mirror.Files["bpe_simple_vocab_16e6.txt.gz"] = File.ReadAllBytes(ClipFixtures.Vocabulary);
        mirror.Files["silero_vad.onnx"] = File.ReadAllBytes(SpeechTestAudio.VadModel);
        mirror.Files["sherpa-onnx-whisper-tiny.tar.bz2"] = ModelFetcherTests.TarBz2(
            ("sherpa-onnx-whisper-tiny/tiny-encoder.int8.onnx", File.ReadAllBytes(WhisperFixture.Encoder)),
            ("sherpa-onnx-whisper-tiny/tiny-decoder.int8.onnx", File.ReadAllBytes(WhisperFixture.Decoder)),
            ("sherpa-onnx-whisper-tiny/tiny-tokens.txt", File.ReadAllBytes(WhisperFixture.Tokens)));

        // The shipped manifest, with the CLIP hashes swapped for the fixtures' (the real weights are not here).
        var models = TestPaths.NewScratchDir("up-models");
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(ProjectPaths.Root!, "models", ModelManifest.FileName)))!;
        foreach (var file in manifest["models"]!.AsArray().SelectMany(m => m!["files"]!.AsArray()))
        {
            var path = (string)file!["path"]!;
            if (path == "clip/clip-image-vit-32.onnx") file["sha256"] = Sha(image);
            if (path == "clip/clip-text-vit-32.onnx") file["sha256"] = Sha(text);
        }
        File.WriteAllText(Path.Combine(models, ModelManifest.FileName), manifest.ToJsonString());
        var media = TestPaths.NewScratchDir("up-media");
        var data = TestPaths.NewScratchDir("up-data");

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = data };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mmi.dll"), "up", media, "--data", data, "--urls", "http://127.0.0.1:0" })
            psi.ArgumentList.Add(a);
        psi.Environment["MMI_MODELS_HOME"] = models;
        psi.Environment["MMI_MODELS_MIRROR"] = mirror.BaseUri.ToString();
        psi.Environment["MMI_SHARED_DIR"] = Path.Combine(data, "no-shared"); // nothing to copy locally: all from the mirror
        var output = new List<string>();
        var modalities = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.Add(e.Data);
            if (e.Data.StartsWith("[models] CLIP", StringComparison.Ordinal)) modalities.TrySetResult(e.Data);
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add("stderr: " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        try
        {
            var done = await Task.WhenAny(modalities.Task, p.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(180)));
            string Log() { lock (output) return string.Join("\n", output); }
            Assert.True(done == modalities.Task, "no modalities line:\n" + Log());
            var line = await modalities.Task;
            Assert.Contains("CLIP on", line);
            Assert.Contains("ASR on", line);

            Assert.Contains(mirror.Requests, r => r.Path == "sherpa-onnx-whisper-tiny.tar.bz2" && r.Status == 200);
            Assert.Equal(File.ReadAllBytes(WhisperFixture.Encoder), File.ReadAllBytes(Path.Combine(models, "whisper", "tiny-encoder.int8.onnx")));
            var pins = ModelLock.Load(models);
            Assert.Equal(Sha(WhisperFixture.Tokens), pins.Find("whisper/tiny-tokens.txt")?.Sha256);
            Assert.Empty(Directory.EnumerateFiles(models, "*.part", SearchOption.AllDirectories));
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }
}
