using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Speech;

/// <summary>All speech tests share native engines and CPU: run them one class at a time.</summary>
[CollectionDefinition("speech", DisableParallelization = true)]
public sealed class SpeechCollection;

/// <summary>
/// Audio for the speech tests. Until the media stage's AudioReader lands, PCM comes from a private
/// ffmpeg pipe (the same command AudioReader wraps: f32le, mono, 16 kHz).
/// </summary>
internal static class SpeechTestAudio
{
    public const int Rate = 16000;

    public static string JfkWav => TestPaths.SharedFile("media", "audio", "jfk.wav");
    public static string VadModel => TestPaths.SharedFile("models", "vad", "silero_vad.onnx");

    private static float[]? _jfk;
    public static float[] Jfk => _jfk ??= ReadPcm(JfkWav);

    /// <summary>Decodes any media file to 16 kHz mono float; empty when the file has no audio stream.</summary>
    public static float[] ReadPcm(string path)
    {
        var psi = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0?", "-f", "f32le", "-ac", "1", "-ar", "16000", "-" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        var bytes = ms.ToArray();
        var pcm = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, pcm, 0, pcm.Length * 4);
        if (p.ExitCode != 0 && pcm.Length == 0 && !stderr.Result.Contains("does not contain any stream", StringComparison.Ordinal))
            throw new InvalidOperationException($"ffmpeg failed on {path}: {stderr.Result}");
        return pcm;
    }

    public static float[] Slice(float[] pcm, double from, double to) =>
        pcm[(int)(from * Rate)..(int)(to * Rate)];

    public static float[] Silence(double seconds) => new float[(int)(seconds * Rate)];

    public static float[] Concat(params float[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>
    /// silence 2.0 s | jfk 0.30-2.00 ("And so my fellow Americans", 1.7 s) | silence 3.0 s |
    /// jfk 5.40-7.50 + 8.20-10.20 spliced (4.1 s of continuous speech) | silence 2.0 s.
    /// True speech: [2.0, 3.7] and [6.7, 10.8]. Cut points lie inside words, so speech runs right
    /// up to each edge of the digital silence.
    /// </summary>
    public static float[] TwoRegions() => Concat(
        Silence(2.0), Slice(Jfk, 0.30, 2.00), Silence(3.0),
        Slice(Jfk, 5.40, 7.50), Slice(Jfk, 8.20, 10.20), Silence(2.0));

    public static readonly (double Start, double End)[] TwoRegionsTruth = [(2.0, 3.7), (6.7, 10.8)];

    /// <summary>Streams PCM in chunks of the given length, as AudioReader does.</summary>
    public static async IAsyncEnumerable<float[]> Chunks(float[] pcm, int chunk = 8000, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var i = 0; i < pcm.Length; i += chunk)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return pcm[i..Math.Min(pcm.Length, i + chunk)];
        }
    }

    /// <summary>Writes 16 kHz mono 16-bit WAV (for CLI and file-based tests).</summary>
    public static void WriteWav(string path, float[] pcm)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8); w.Write(36 + pcm.Length * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(Rate); w.Write(Rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(pcm.Length * 2);
        foreach (var x in pcm) w.Write((short)Math.Clamp(MathF.Round(x * 32767f), -32768, 32767));
    }
}

/// <summary>Keeps what was logged, to check "one clear log line".</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Lines { get; } = [];
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
    }
}
