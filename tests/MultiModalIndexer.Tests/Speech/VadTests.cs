using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Inference.Speech.Sherpa;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Speech;

[Collection("speech")]
public sealed class VadTests(ITestOutputHelper output)
{
    private static SpeechOptions Options(Action<SpeechOptions>? tweak = null)
    {
        var o = new SpeechOptions { VadModel = SpeechTestAudio.VadModel };
        tweak?.Invoke(o);
        return o;
    }

    private static async Task<List<SpeechRegion>> DetectAsync(SpeechOptions options, float[] pcm, int chunk = 8000)
    {
        var vad = VoiceActivityDetector.Create(options);
        var list = new List<SpeechRegion>();
        await foreach (var r in vad.DetectAsync(SpeechTestAudio.Chunks(pcm, chunk))) list.Add(r);
        return list;
    }

    private void Print(string name, IEnumerable<SpeechRegion> regions) =>
        output.WriteLine($"{name}: " + string.Join(" ", regions.Select(r => $"[{r.Start:F2}-{r.End:F2}]")));

    [Fact]
    public async Task Jfk_speech_is_found_within_the_first_11_seconds()
    {
        var regions = await DetectAsync(Options(), SpeechTestAudio.Jfk);
        Print("jfk.wav", regions);

        Assert.NotEmpty(regions);
        Assert.All(regions, r => Assert.True(r.Start >= 0 && r.End <= 11.0 && r.End > r.Start));
        Assert.True(regions[0].Start <= 0.6, "the first words start at ~0.3 s");
        // Moments that are clearly speech (energy profile): "Americans", "ask", "what you can do", "country".
        foreach (var t in new[] { 1.0, 3.4, 6.0, 9.0 })
            Assert.Contains(regions, r => r.Start <= t && t <= r.End);
    }

    [Fact]
    public async Task No_region_lies_in_trailing_silence()
    {
        var pcm = SpeechTestAudio.Concat(SpeechTestAudio.Jfk, SpeechTestAudio.Silence(6.0));
        var regions = await DetectAsync(Options(), pcm);
        Print("jfk.wav + 6 s silence", regions);

        Assert.NotEmpty(regions);
        Assert.All(regions, r => Assert.True(r.End <= 11.3, $"region {r} reaches into the trailing silence"));
    }

    [Fact]
    public async Task Silence_speech_silence_speech_gives_exactly_two_regions_at_the_true_times()
    {
        var regions = await DetectAsync(Options(), SpeechTestAudio.TwoRegions());
        Print("generated", regions);

        Assert.Equal(2, regions.Count);
        for (var i = 0; i < 2; i++)
        {
            var (start, end) = SpeechTestAudio.TwoRegionsTruth[i];
            Assert.InRange(regions[i].Start, start - 0.3, start + 0.3);
            Assert.InRange(regions[i].End, end - 0.3, end + 0.3);
        }
    }

    [Fact]
    public async Task Chunk_size_does_not_change_the_regions()
    {
        var pcm = SpeechTestAudio.TwoRegions();
        var a = await DetectAsync(Options(), pcm, chunk: 512);
        var b = await DetectAsync(Options(), pcm, chunk: 48000);
        var c = VoiceActivityDetector.Create(Options()).Detect(pcm);
        Assert.Equal(a, b);
        Assert.Equal(a, c);
    }

    [Fact]
    public async Task Thresholds_are_configurable()
    {
        var pcm = SpeechTestAudio.TwoRegions();
        // A minimum silence longer than the 3 s gap merges the two utterances.
        var merged = await DetectAsync(Options(o => o.VadMinSilenceSeconds = 3.5f), pcm);
        Assert.Single(merged);
        // A minimum speech longer than both utterances drops them.
        var none = await DetectAsync(Options(o => o.VadMinSpeechSeconds = 5f), pcm);
        Assert.Empty(none);
        // jfk's pauses are 0.7-1.2 s: a 1.5 s minimum silence bridges them.
        var jfkDefault = await DetectAsync(Options(), SpeechTestAudio.Jfk);
        var jfkBridged = await DetectAsync(Options(o => o.VadMinSilenceSeconds = 1.5f), SpeechTestAudio.Jfk);
        Print("jfk min silence 1.5 s", jfkBridged);
        Assert.True(jfkBridged.Count < jfkDefault.Count);
        // A stricter speech threshold never finds more speech time.
        var strict = await DetectAsync(Options(o => o.VadThreshold = 0.9f), SpeechTestAudio.Jfk);
        Print("jfk threshold 0.9", strict);
        Assert.True(strict.Sum(r => r.End - r.Start) <= jfkDefault.Sum(r => r.End - r.Start) + 1e-9);
        // Note: VadMaxSpeechSeconds is not a hard cap in sherpa-onnx (it only raises the threshold
        // to invite a split), which is why the recognizer cuts long regions itself (RegionSplitter).
    }

    [Fact]
    public async Task Silent_and_empty_audio_give_no_regions()
    {
        Assert.Empty(await DetectAsync(Options(), SpeechTestAudio.Silence(5)));
        Assert.Empty(await DetectAsync(Options(), []));
        // Faint noise is not speech either.
        var rng = new Random(7);
        var noise = Enumerable.Range(0, 5 * SpeechTestAudio.Rate).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.002f).ToArray();
        Assert.Empty(await DetectAsync(Options(), noise));
    }

    [Fact]
    public void Missing_model_and_bad_thresholds_are_typed_errors()
    {
        var e = Assert.Throws<SpeechException>(() => VoiceActivityDetector.Create(Options(o => o.VadModel = "/nonexistent/silero.onnx")));
        Assert.Equal(SpeechErrorKind.ModelMissing, e.Kind);
        var a = Assert.Throws<ArgumentException>(() => VoiceActivityDetector.Create(Options(o => o.VadThreshold = 1.5f)));
        Assert.Contains("VadThreshold", a.Message);
    }

    [Fact]
    public async Task Cancellation_stops_the_stream_and_frees_the_detector()
    {
        var baseline = SherpaHandleCount();
        using var cts = new CancellationTokenSource();
        var vad = VoiceActivityDetector.Create(Options());
        var seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in vad.DetectAsync(SpeechTestAudio.Chunks(SpeechTestAudio.TwoRegions(), 4000), cts.Token))
            {
                if (++seen == 1) await cts.CancelAsync();
            }
        });
        Assert.Equal(baseline, SherpaHandleCount());
    }

    [Fact]
    public void Creating_and_destroying_the_vad_many_times_holds_memory_flat()
    {
        var baseline = SherpaHandleCount();
        var opts = Options();
        var pcm = SpeechTestAudio.Slice(SpeechTestAudio.Jfk, 0, 2.5);
        long Rss() { GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect(); return Environment.WorkingSet; }

        void Run(int n)
        {
            for (var i = 0; i < n; i++)
                Assert.Single(VoiceActivityDetector.Create(opts).Detect(pcm));
        }

        Run(10); // warm up allocator arenas and ORT's caches
        var before = Rss();
        Run(100);
        var after = Rss();
        output.WriteLine($"RSS before {before / 1048576.0:F1} MiB, after 100 create/detect/destroy {after / 1048576.0:F1} MiB");
        Assert.Equal(baseline, SherpaHandleCount());
        // One detector holds ~2 MB of model and buffers; 100 leaked ones would add hundreds of MB.
        Assert.True(after - before < 40L * 1024 * 1024, $"RSS grew by {(after - before) / 1048576.0:F1} MiB");
    }

    internal static int SherpaHandleCount() => SherpaHandle.LiveCount;
}
