using System.Runtime.CompilerServices;
using MultiModalIndexer.Inference.Speech.Sherpa;

namespace MultiModalIndexer.Inference.Speech;

/// <summary>
/// Silero VAD (through sherpa-onnx) over streamed 16 kHz mono float PCM: yields speech regions as
/// soon as each one closes. Each call runs its own native detector, so one instance serves any
/// number of streams, concurrently too.
/// </summary>
public sealed class VoiceActivityDetector
{
    public const int SampleRate = 16000;
    private readonly SileroVadSettings _settings;

    private VoiceActivityDetector(SileroVadSettings settings) => _settings = settings;

    /// <exception cref="ArgumentException">The VAD options are invalid.</exception>
    /// <exception cref="SpeechException">The VAD model file is missing.</exception>
    public static VoiceActivityDetector Create(SpeechOptions options)
    {
        var errors = options.Validate().Where(e => e.StartsWith("Speech:Vad", StringComparison.Ordinal)).ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        var settings = options.VadSettings();
        if (!File.Exists(settings.ModelPath))
            throw new SpeechException(SpeechErrorKind.ModelMissing,
                $"Silero VAD model not found at {settings.ModelPath}; run './mmi models sync' or set Speech:VadModel.");
        return new VoiceActivityDetector(settings);
    }

    public string ModelPath => _settings.ModelPath;

    public async IAsyncEnumerable<SpeechRegion> DetectAsync(IAsyncEnumerable<float[]> pcm16kMono,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var segment in SegmentsAsync(pcm16kMono, ct).ConfigureAwait(false))
            yield return ToRegion(segment);
    }

    /// <summary>Convenience for audio already in memory.</summary>
    public IReadOnlyList<SpeechRegion> Detect(ReadOnlySpan<float> pcm16kMono)
    {
        using var vad = SherpaVad.Create(_settings);
        var regions = new List<SpeechRegion>();
        // In pieces, so finished segments are taken out while the rest is fed.
        for (var i = 0; i < pcm16kMono.Length; i += _settings.WindowSize * 32)
        {
            vad.Accept(pcm16kMono.Slice(i, Math.Min(_settings.WindowSize * 32, pcm16kMono.Length - i)));
            regions.AddRange(vad.TakeSegments().Select(ToRegion));
        }
        vad.Flush();
        regions.AddRange(vad.TakeSegments().Select(ToRegion));
        return regions;
    }

    internal static SpeechRegion ToRegion(VadSegment s) =>
        new((double)s.StartSample / SampleRate, (double)(s.StartSample + s.Samples.Length) / SampleRate);

    /// <summary>Speech segments with their samples (the recognizer decodes these).</summary>
    internal async IAsyncEnumerable<VadSegment> SegmentsAsync(IAsyncEnumerable<float[]> pcm16kMono,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var vad = SherpaVad.Create(_settings);
        await foreach (var chunk in pcm16kMono.WithCancellation(ct).ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            vad.Accept(chunk);
            foreach (var s in vad.TakeSegments()) yield return s;
        }
        vad.Flush();
        foreach (var s in vad.TakeSegments()) yield return s;
    }
}
