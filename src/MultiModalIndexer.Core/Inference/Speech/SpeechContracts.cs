using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Inference.Speech;

public sealed record SpeechRegion(double Start, double End);

/// <summary>16 kHz mono float PCM (streamed in chunks) → utterances with times in seconds.</summary>
public interface ISpeechRecognizer : IDisposable
{
    string ModelVersion { get; }
    IAsyncEnumerable<Utterance> TranscribeAsync(IAsyncEnumerable<float[]> pcm16kMono, CancellationToken ct = default);
}
