using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>16 kHz mono float PCM of the first audio stream, streamed in chunks.</summary>
public sealed class AudioReader(MediaOptions options, ILogger<AudioReader>? logger = null)
{
    public const int SampleRate = 16000;

    public async IAsyncEnumerable<float[]> ReadPcm16kMonoAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var media = await new MediaProbe(options).ProbeAsync(path, ct).ConfigureAwait(false);
        var a = media.Audio ?? throw new MediaException(MediaErrorKind.NoAudioStream, path, "has no audio stream");
        string[] args =
        [
            "-nostdin", "-hide_banner", "-v", "error", "-i", FfmpegProcess.InputArg(path), "-map", $"0:{a.Index}",
            "-vn", "-sn", "-dn", "-ac", "1", "-ar", SampleRate.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "pipe:1",
        ];
        var chunkSamples = Math.Max(160, (int)(SampleRate * options.AudioChunkSeconds));
        var bytes = new byte[chunkSamples * sizeof(float)];
        await using var p = FfmpegProcess.Start(options.FfmpegPath, args, path, options.DecodeTimeout(media.Duration), logger, ct);
        while (true)
        {
            int got;
            try
            {
                got = await p.StdOut.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, p.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                p.ThrowIfCancelledOrTimedOut();
                throw;
            }
            var samples = got / sizeof(float);
            if (samples > 0) yield return MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, samples * sizeof(float))).ToArray();
            if (got < bytes.Length) break;
        }
        await p.WaitForSuccessAsync().ConfigureAwait(false);
    }
}
