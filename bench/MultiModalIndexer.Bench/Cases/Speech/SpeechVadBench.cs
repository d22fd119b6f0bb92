using System.Diagnostics;
using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Bench.Cases.Speech;

/// <summary>
/// speech.vad: Silero VAD (sherpa-onnx, 1 thread) real-time factor on jfk.wav repeated to 66 s,
/// against the peer measured in the same run: ffmpeg decoding the same file to 16 kHz mono float
/// (the work that must happen before VAD anyway).
/// </summary>
public sealed class SpeechVadBench : IBenchCase
{
    public string Name => "speech.vad";
    public string Description => "Silero VAD real-time factor on 66 s of speech vs ffmpeg decoding the same audio";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var options = new SpeechOptions();
        var vadModel = SpeechOptions.ResolveModelPath(options.VadModel);
        if (!File.Exists(vadModel) && ProjectPaths.SharedDir is { } shared)
            vadModel = Path.Combine(shared, "models", "vad", "silero_vad.onnx");
        var jfk = ProjectPaths.SharedDir is { } s ? Path.Combine(s, "media", "audio", "jfk.wav") : null;
        if (!File.Exists(vadModel) || jfk is null || !File.Exists(jfk))
        {
            result.Skipped = $"needs the Silero VAD model ({vadModel}) and ../shared/media/audio/jfk.wav";
            return result;
        }
        options.VadModel = vadModel;

        var media = new MediaOptions();
        var reader = new AudioReader(media);
        var one = new List<float>();
        await foreach (var chunk in reader.ReadPcm16kMonoAsync(jfk, ct)) one.AddRange(chunk);
        const int copies = 6;
        var pcm = Enumerable.Repeat(one, copies).SelectMany(x => x).ToArray();
        var seconds = pcm.Length / 16000.0;
        var wav = Path.Combine(context.WorkDir, $"jfk-x{copies}.wav");
        WriteWav(wav, pcm);

        var vad = VoiceActivityDetector.Create(options);
        var runs = context.Quick ? 1 : 5;
        vad.Detect(pcm.AsSpan(0, 16000)); // load libraries and the model once before timing
        var vadTimes = new List<double>();
        var regions = 0;
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            regions = vad.Detect(pcm).Count;
            vadTimes.Add(sw.Elapsed.TotalSeconds);
        }

        var ffmpegTimes = new List<double>();
        for (var i = 0; i < runs; i++)
            ffmpegTimes.Add(await TimeFfmpegDecodeAsync(media.FfmpegPath, wav, ct));

        var pipelineTimes = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await foreach (var _ in vad.DetectAsync(reader.ReadPcm16kMonoAsync(wav, ct), ct)) { }
            pipelineTimes.Add(sw.Elapsed.TotalSeconds);
        }

        var vadMedian = Median(vadTimes);
        var ffMedian = Median(ffmpegTimes);
        result.Add("audio_seconds", seconds, "s")
            .Add("vad_regions", regions, "count")
            .Add("vad_time_median", vadMedian, "s")
            .Add("vad_rtf", vadMedian / seconds, "x (lower is faster)")
            .Add("vad_speed", seconds / vadMedian, "x real time")
            .Add("ffmpeg_decode_time_median", ffMedian, "s")
            .Add("ffmpeg_decode_rtf", ffMedian / seconds, "x (lower is faster)")
            .Add("vad_over_ffmpeg_decode", vadMedian / ffMedian, "ratio")
            .Add("pipeline_decode_plus_vad_rtf", Median(pipelineTimes) / seconds, "x (AudioReader streaming into VAD)");
        result.Notes.Add($"median of {runs} runs; VAD on 1 thread, 512-sample windows; peer = ffmpeg -i jfk-x{copies}.wav -f f32le -ac 1 -ar 16000 to /dev/null (process start included)");
        return result;
    }

    private static async Task<double> TimeFfmpegDecodeAsync(string ffmpeg, string wav, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(ffmpeg) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-nostdin", "-v", "error", "-i", wav, "-f", "f32le", "-ac", "1", "-ar", "16000", "-y", "/dev/null" })
            psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        await p.WaitForExitAsync(ct);
        var t = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException("ffmpeg failed: " + await p.StandardError.ReadToEndAsync(ct));
        return t;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static void WriteWav(string path, float[] pcm)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8); w.Write(36 + pcm.Length * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(16000); w.Write(32000); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(pcm.Length * 2);
        foreach (var x in pcm) w.Write((short)Math.Clamp(MathF.Round(x * 32767f), -32768, 32767));
    }
}
