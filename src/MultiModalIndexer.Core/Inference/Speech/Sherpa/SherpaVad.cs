using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Speech.Sherpa;

/// <summary>Settings of a Silero VAD instance (seconds, probabilities).</summary>
internal sealed record SileroVadSettings(
    string ModelPath,
    float Threshold,
    float MinSilenceSeconds,
    float MinSpeechSeconds,
    float MaxSpeechSeconds,
    int WindowSize = 512,
    int SampleRate = 16000,
    int Threads = 1);

/// <summary>A speech segment as sherpa returns it: start sample and a copy of its samples.</summary>
internal readonly record struct VadSegment(long StartSample, float[] Samples);

/// <summary>
/// One sherpa-onnx Silero VAD (stateful: one audio stream at a time, not thread-safe). Samples go in
/// window by window; finished speech segments come out in order.
/// </summary>
internal sealed unsafe class SherpaVad : IDisposable
{
    private readonly SherpaVadHandle _handle;
    // sherpa counts samples in int32 (37 hours at 16 kHz); longer streams are refused, not wrapped.
    private long _samplesFed;
    private readonly float[] _window;
    private int _pendingCount;

    private SherpaVad(SherpaVadHandle handle, int windowSize)
    {
        _handle = handle;
        _window = new float[windowSize];
    }

    public static SherpaVad Create(SileroVadSettings s)
    {
        SherpaNative.EnsureLoaded();
        OnnxModelCheck.RequireSileroVad(s.ModelPath);

        using var strings = new Utf8Strings();
        var config = new SherpaOnnxVadModelConfig
        {
            SileroVad = new SherpaOnnxSileroVadModelConfig
            {
                Model = strings.Add(s.ModelPath),
                Threshold = s.Threshold,
                MinSilenceDuration = s.MinSilenceSeconds,
                MinSpeechDuration = s.MinSpeechSeconds,
                WindowSize = s.WindowSize,
                MaxSpeechDuration = s.MaxSpeechSeconds,
            },
            SampleRate = s.SampleRate,
            NumThreads = Math.Max(1, s.Threads),
            Provider = strings.Add("cpu"),
        };
        // The buffer holds the audio of the speech segment in progress. MaxSpeechSeconds is not a
        // hard cap (sherpa only raises its threshold past it; 62 s of dense speech stayed one
        // segment), and sherpa doubles a full buffer without losing data, logging "Overflow!";
        // this size keeps ordinary segments clear of that.
        var bufferSeconds = Math.Max(30f, s.MaxSpeechSeconds + 30f);
        var native = SherpaNative.SherpaOnnxCreateVoiceActivityDetector(&config, bufferSeconds);
        if (native == IntPtr.Zero)
            throw new SpeechException(SpeechErrorKind.EngineFailed, $"sherpa-onnx could not create the Silero VAD from {s.ModelPath} (see its log above).");
        return new SherpaVad(SherpaVadHandle.FromNative(native), s.WindowSize);
    }

    /// <summary>
    /// Feeds samples of any length. sherpa's VAD must be fed exactly one window per call: its state
    /// machine takes segment boundaries from the buffer tail after each call, so larger calls move
    /// the boundaries by up to the call length (measured: 3 s chunks start jfk's speech at 2.66 s
    /// instead of 0.29 s). The remainder waits here for the next call.
    /// </summary>
    public void Accept(ReadOnlySpan<float> samples)
    {
        if (samples.IsEmpty) return;
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_samplesFed + samples.Length > int.MaxValue)
            throw new SpeechException(SpeechErrorKind.InvalidAudio, "audio longer than 37 hours cannot be segmented in one stream.");
        _samplesFed += samples.Length;

        if (_pendingCount > 0)
        {
            var take = Math.Min(_window.Length - _pendingCount, samples.Length);
            samples[..take].CopyTo(_window.AsSpan(_pendingCount));
            _pendingCount += take;
            samples = samples[take..];
            if (_pendingCount < _window.Length) return;
            FeedWindow(_window);
            _pendingCount = 0;
        }
        while (samples.Length >= _window.Length)
        {
            FeedWindow(samples[.._window.Length]);
            samples = samples[_window.Length..];
        }
        samples.CopyTo(_window);
        _pendingCount = samples.Length;
    }

    private void FeedWindow(ReadOnlySpan<float> window)
    {
        fixed (float* p = window)
            SherpaNative.SherpaOnnxVoiceActivityDetectorAcceptWaveform(_handle, p, window.Length);
    }

    /// <summary>Ends the stream: the partial last window goes in, and the speech in progress (if any) becomes a segment.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_pendingCount > 0)
        {
            FeedWindow(_window.AsSpan(0, _pendingCount));
            _pendingCount = 0;
        }
        SherpaNative.SherpaOnnxVoiceActivityDetectorFlush(_handle);
    }

    /// <summary>Removes and returns the finished segments.</summary>
    public List<VadSegment> TakeSegments()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var list = new List<VadSegment>();
        while (SherpaNative.SherpaOnnxVoiceActivityDetectorEmpty(_handle) == 0)
        {
            using (var seg = SherpaSpeechSegmentHandle.FromNative(SherpaNative.SherpaOnnxVoiceActivityDetectorFront(_handle)))
            {
                if (!seg.IsInvalid)
                {
                    var s = Marshal.PtrToStructure<SherpaOnnxSpeechSegment>(seg.DangerousGetHandle());
                    var samples = new float[Math.Max(0, s.N)];
                    if (s.N > 0 && s.Samples != IntPtr.Zero)
                        new ReadOnlySpan<float>((void*)s.Samples, s.N).CopyTo(samples);
                    list.Add(new VadSegment(s.Start, samples));
                }
            }
            SherpaNative.SherpaOnnxVoiceActivityDetectorPop(_handle);
        }
        return list;
    }

    public void Dispose() => _handle.Dispose();
}
