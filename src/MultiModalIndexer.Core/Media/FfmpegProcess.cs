using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MultiModalIndexer.Media;

/// <summary>
/// The one place that starts ffmpeg/ffprobe. Stdout is read by the caller as a stream (raw frames,
/// PCM, JSON); stderr is drained in the background and its tail kept for error messages; a timeout
/// and the caller's token both kill the whole process tree; Dispose never leaves a child behind.
/// </summary>
internal sealed class FfmpegProcess : IAsyncDisposable
{
    private const int StderrTailLines = 12;

    private readonly Process _process;
    private readonly string _mediaPath;
    private readonly string _tool;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _cts;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenRegistration _killOnCancel;
    private readonly Task _stderrPump;
    private readonly Queue<string> _stderrTail = new();
    private readonly ILogger? _logger;
    private int _killed;

    private FfmpegProcess(Process process, string tool, string mediaPath, TimeSpan timeout, ILogger? logger, CancellationToken ct)
    {
        _process = process;
        _tool = tool;
        _mediaPath = mediaPath;
        _timeout = timeout;
        _logger = logger;
        _callerToken = ct;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _deadline = timeout;
        _cts.CancelAfter(timeout);
        _killOnCancel = _cts.Token.Register(static s => ((FfmpegProcess)s!).Kill(), this);
        _stderrPump = Task.Run(PumpStderrAsync, CancellationToken.None);
    }

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _deadline;

    /// <summary>
    /// Moves the timeout later by <paramref name="by"/>: for readers that hold ffmpeg back on purpose (a
    /// full queue downstream), so only ffmpeg's own time counts against it.
    /// </summary>
    public void ExtendTimeout(TimeSpan by)
    {
        if (by <= TimeSpan.Zero || _cts.IsCancellationRequested) return;
        _deadline += by;
        try { _cts.CancelAfter(_deadline - _clock.Elapsed is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero); }
        catch (ObjectDisposedException) { /* disposed: nothing left to time */ }
    }

    /// <summary>Token that fires on the caller's cancellation or on the timeout; pass it to stdout reads.</summary>
    public CancellationToken Token => _cts.Token;

    public Stream StdOut => _process.StandardOutput.BaseStream;

    public string StderrTail
    {
        get
        {
            lock (_stderrTail) return string.Join(" | ", _stderrTail);
        }
    }

    /// <summary>Starts <paramref name="exe"/>; stdin is closed at once so the tool never waits for a terminal.</summary>
    public static FfmpegProcess Start(string exe, IEnumerable<string> args, string mediaPath, TimeSpan timeout,
        ILogger? logger, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi };
        try
        {
            p.Start();
        }
        catch (Win32Exception e)
        {
            p.Dispose();
            throw new MediaException(MediaErrorKind.ToolMissing, mediaPath,
                $"cannot start {exe} ({e.Message}); install ffmpeg (./mmi setup) or set Media:FfmpegPath/FfprobePath", e);
        }
        try { p.StandardInput.Close(); } catch (IOException) { /* already gone: the exit code tells */ }
        logger?.LogDebug("started {Tool} pid {Pid}: {Args}", exe, p.Id, string.Join(' ', psi.ArgumentList));
        return new FfmpegProcess(p, Path.GetFileName(exe), mediaPath, timeout, logger, ct);
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            var reader = _process.StandardError;
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) continue;
                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(line.Length > 300 ? line[..300] : line);
                    while (_stderrTail.Count > StderrTailLines) _stderrTail.Dequeue();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process was killed; the tail so far is what we have.
        }
    }

    private void Kill()
    {
        if (Interlocked.Exchange(ref _killed, 1) != 0) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already exited between the check and the kill.
        }
    }

    /// <summary>
    /// Waits for exit. Cancellation by the caller → OperationCanceledException; the timeout →
    /// MediaException(Timeout); a non-zero exit → MediaException with the stderr tail as the reason.
    /// </summary>
    public async Task WaitForSuccessAsync()
    {
        try
        {
            await _process.WaitForExitAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            ThrowIfCancelledOrTimedOut();
            throw;
        }
        await _stderrPump.ConfigureAwait(false);
        ThrowIfCancelledOrTimedOut();
        if (_process.ExitCode != 0) throw Failure();
    }

    /// <summary>Turns a cancelled/timed-out state into the right exception; no-op otherwise.</summary>
    public void ThrowIfCancelledOrTimedOut()
    {
        _callerToken.ThrowIfCancellationRequested();
        if (_cts.IsCancellationRequested)
            throw new MediaException(MediaErrorKind.Timeout, _mediaPath,
                $"{_tool} did not finish within {_timeout.TotalSeconds:0} s and was stopped");
    }

    /// <summary>The error for a failed run, classified from ffmpeg's own words.</summary>
    public MediaException Failure(string? context = null)
    {
        var tail = StderrTail;
        var kind = Classify(tail);
        var last = LastMeaningfulLine(tail);
        var code = _process.HasExited ? $"exit {_process.ExitCode}" : "still running";
        var reason = $"{context ?? _tool + " failed"} ({code}): {(last.Length > 0 ? last : "no message")}";
        return new MediaException(kind, _mediaPath, reason);
    }

    internal static MediaErrorKind Classify(string stderr)
    {
        if (stderr.Contains("Invalid data found when processing input", StringComparison.Ordinal)) return MediaErrorKind.NotMedia;
        if (stderr.Contains("moov atom not found", StringComparison.Ordinal)) return MediaErrorKind.Corrupt;
        if (stderr.Contains("No such file or directory", StringComparison.Ordinal)) return MediaErrorKind.NotFound;
        if (stderr.Contains("Output file #0 does not contain any stream", StringComparison.Ordinal)
            || stderr.Contains("matches no streams", StringComparison.Ordinal)) return MediaErrorKind.NoVideoStream;
        if (stderr.Contains("corrupt", StringComparison.OrdinalIgnoreCase)
            || stderr.Contains("error while decoding", StringComparison.OrdinalIgnoreCase)
            || stderr.Contains("Invalid NAL", StringComparison.Ordinal)) return MediaErrorKind.Corrupt;
        return MediaErrorKind.ToolFailed;
    }

    private static string LastMeaningfulLine(string tail)
    {
        var parts = tail.Split(" | ", StringSplitOptions.RemoveEmptyEntries);
        // ffmpeg's last line is often the generic "Conversion failed!"; the one before says why.
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            var p = parts[i].Trim();
            if (p is "Conversion failed!" || p.StartsWith("Exiting normally", StringComparison.Ordinal)) continue;
            return p.Replace('\n', ' ').Replace('\r', ' ');
        }
        return "";
    }

    public async ValueTask DisposeAsync()
    {
        bool exited;
        try { exited = _process.HasExited; }
        catch (InvalidOperationException) { exited = true; }
        if (!exited)
        {
            Kill();
            try
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _logger?.LogWarning("{Tool} pid {Pid} did not exit after kill", _tool, _process.Id);
            }
        }
        try { await _stderrPump.ConfigureAwait(false); } catch (Exception) { /* pump never throws past its own catch */ }
        await _killOnCancel.DisposeAsync().ConfigureAwait(false);
        _cts.Dispose();
        _process.Dispose();
    }

    /// <summary>Runs to the end and returns all of stdout (for small outputs: ffprobe JSON, one image).</summary>
    public static async Task<byte[]> RunToBytesAsync(string exe, IEnumerable<string> args, string mediaPath, TimeSpan timeout,
        ILogger? logger, CancellationToken ct, long maxBytes = 512L * 1024 * 1024)
    {
        await using var p = Start(exe, args, mediaPath, timeout, logger, ct);
        using var ms = new MemoryStream();
        var buf = new byte[81920];
        try
        {
            int n;
            while ((n = await p.StdOut.ReadAsync(buf, p.Token).ConfigureAwait(false)) > 0)
            {
                ms.Write(buf, 0, n);
                if (ms.Length > maxBytes)
                    throw new MediaException(MediaErrorKind.ToolFailed, mediaPath, $"{p._tool} produced more than {maxBytes} bytes");
            }
        }
        catch (OperationCanceledException)
        {
            p.ThrowIfCancelledOrTimedOut();
            throw;
        }
        catch (IOException)
        {
            p.ThrowIfCancelledOrTimedOut();
            throw;
        }
        await p.WaitForSuccessAsync().ConfigureAwait(false);
        return ms.ToArray();
    }

    /// <summary>ffmpeg reads this as a plain file whatever the name looks like (leading '-', ':' or '|').</summary>
    public static string InputArg(string path) => "file:" + Path.GetFullPath(path);
}
