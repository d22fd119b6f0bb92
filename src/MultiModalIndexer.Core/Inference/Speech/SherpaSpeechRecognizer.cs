using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech.Sherpa;

namespace MultiModalIndexer.Inference.Speech;

/// <summary>
/// VAD → (long regions cut at low-energy points) → sherpa-onnx offline recognizer (Whisper or
/// SenseVoice) → utterances with absolute times. The recognizer is loaded once; each transcription
/// runs its own VAD.
/// </summary>
internal sealed class SherpaSpeechRecognizer : ISpeechRecognizer
{
    private readonly VoiceActivityDetector _vad;
    private readonly SherpaOfflineRecognizer _recognizer;
    private readonly double _maxPieceSeconds;
    private readonly ILogger _logger;

    private SherpaSpeechRecognizer(VoiceActivityDetector vad, SherpaOfflineRecognizer recognizer, double maxPieceSeconds, string version, ILogger logger)
    {
        _vad = vad;
        _recognizer = recognizer;
        _maxPieceSeconds = maxPieceSeconds;
        ModelVersion = version;
        _logger = logger;
    }

    public string ModelVersion { get; }

    public static SherpaSpeechRecognizer Create(SpeechOptions options, ILogger logger)
    {
        var vad = VoiceActivityDetector.Create(options);
        OfflineModelSettings settings = options.IsSenseVoice
            ? new SenseVoiceSettings(SpeechOptions.ResolveModelPath(options.SenseVoiceModel), SpeechOptions.ResolveModelPath(options.SenseVoiceTokens),
                options.Language, options.SenseVoiceUseItn, options.Threads)
            : new WhisperSettings(SpeechOptions.ResolveModelPath(options.WhisperEncoder), SpeechOptions.ResolveModelPath(options.WhisperDecoder),
                SpeechOptions.ResolveModelPath(options.WhisperTokens), options.Language, options.Threads);
        var recognizer = SherpaOfflineRecognizer.Create(settings);
        try
        {
            var model = options.IsSenseVoice
                ? "sense-voice:" + Path.GetFileName(options.SenseVoiceModel)
                : "whisper:" + Path.GetFileName(options.WhisperEncoder);
            var version = $"{model}+silero-vad@sherpa-onnx-{SherpaOfflineRecognizer.Version}";
            logger.LogInformation("Speech recognition: {Version} (language {Language})", version,
                string.IsNullOrEmpty(options.Language) ? "auto" : options.Language);
            return new SherpaSpeechRecognizer(vad, recognizer, options.MaxRecognitionSeconds, version, logger);
        }
        catch
        {
            recognizer.Dispose();
            throw;
        }
    }

    public async IAsyncEnumerable<Utterance> TranscribeAsync(IAsyncEnumerable<float[]> pcm16kMono,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var segment in _vad.SegmentsAsync(pcm16kMono, ct).ConfigureAwait(false))
        {
            // Decoding is seconds of CPU: keep it off the caller's thread.
            var utterances = await Task.Run(() => Recognize(segment, ct), ct).ConfigureAwait(false);
            foreach (var u in utterances) yield return u;
        }
    }

    private List<Utterance> Recognize(VadSegment segment, CancellationToken ct)
    {
        var list = new List<Utterance>();
        var sr = VoiceActivityDetector.SampleRate;
        foreach (var (offset, length) in RegionSplitter.Split(segment.Samples, sr, _maxPieceSeconds))
        {
            ct.ThrowIfCancellationRequested();
            var r = _recognizer.Decode(segment.Samples.AsSpan(offset, length));
            var text = r.Text.Trim();
            var start = (double)(segment.StartSample + offset) / sr;
            var end = (double)(segment.StartSample + offset + length) / sr;
            if (text.Length == 0)
            {
                _logger.LogDebug("No words in speech region {Start:F2}-{End:F2} s", start, end);
                continue;
            }
            list.Add(new Utterance(start, end, text, NormaliseLanguage(r.Language)));
        }
        return list;
    }

    /// <summary>SenseVoice reports "&lt;|zh|&gt;", Whisper "zh"; empty means unknown.</summary>
    internal static string? NormaliseLanguage(string lang)
    {
        var l = lang.Trim().TrimStart('<', '|').TrimEnd('>', '|');
        return l.Length == 0 || l == "nospeech" ? null : l;
    }

    public void Dispose() => _recognizer.Dispose();
}
