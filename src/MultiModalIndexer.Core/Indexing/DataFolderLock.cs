using System.Diagnostics;
using System.Text.Json.Serialization;
using System.Text.Json;
using MultiModalIndexer.Common;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

/// <summary>Who holds a data folder's writer lock (the content of DATA/writer.lock).</summary>
public sealed record LockHolder(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("started")] DateTimeOffset Started)
{
    public override string ToString() => $"pid {Pid} ({Command}, started {Started:yyyy-MM-dd HH:mm:ss}Z)";

    /// <summary>The holder still runs: its pid exists and started when the lock says (a reused pid does not count).</summary>
    public bool IsAlive()
    {
        try
        {
            using var p = Process.GetProcessById(Pid);
            if (p.HasExited) return false;
            return Math.Abs((p.StartTime.ToUniversalTime() - Started.UtcDateTime).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A second writer on a data folder: names the holder and the way to index into a served folder.</summary>
public sealed class DataFolderLockedException(string dataDir, LockHolder holder)
    : StorageException($"the data folder is in use by another writer, {holder}", dataDir,
        "one writer per data folder: to index into a folder a daemon serves, ask the daemon (POST /api/crawl, or the page's crawl button); otherwise wait for that process or stop it")
{
    public LockHolder Holder { get; } = holder;
}

/// <summary>
/// One writer per data folder: DATA/writer.lock, created atomically, names the holding process and
/// is removed on release. A lock left by a process that died (kill -9, power loss) is taken over: its
/// pid no longer runs, or runs with another start time.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    public const string FileName = "writer.lock";
    private readonly string _path;
    private bool _released;

    private DataFolderLock(string path, LockHolder holder)
    {
        _path = path;
        Holder = holder;
    }

    public LockHolder Holder { get; }

    public static string PathOf(string dataDir) => Path.Combine(Path.GetFullPath(dataDir), FileName);

    /// <summary>The current holder (alive or not), or null when nobody holds the lock.</summary>
    public static LockHolder? ReadHolder(string dataDir)
    {
        try
        {
            return JsonSerializer.Deserialize<LockHolder>(File.ReadAllText(PathOf(dataDir)));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Takes the lock or throws <see cref="DataFolderLockedException"/> naming the live holder.</summary>
    public static DataFolderLock Acquire(string dataDir, string command)
    {
        Directory.CreateDirectory(dataDir);
        var path = PathOf(dataDir);
        using var self = Process.GetCurrentProcess();
        var me = new LockHolder(Environment.ProcessId, command, new DateTimeOffset(self.StartTime.ToUniversalTime()));
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using (var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                    JsonSerializer.Serialize(f, me);
                return new DataFolderLock(path, me);
            }
            catch (IOException) when (File.Exists(path))
            {
                var holder = ReadHolder(dataDir);
                if (holder is null)
                {
                    // Being written this instant, or left half-written by a crash: give a writer a moment.
                    if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < TimeSpan.FromSeconds(2)) { Thread.Sleep(100); continue; }
                }
                else if (holder.IsAlive()) throw new DataFolderLockedException(Path.GetFullPath(dataDir), holder);
                try { File.Delete(path); } // stale: its process is gone; the CreateNew race decides between two takers
                catch (IOException) { }
            }
        }
        throw new StorageException("cannot take the writer lock", path, $"remove {path} if no mmi process uses this folder");
    }

    /// <summary>A short description of the running command for the lock file.</summary>
    public static string CurrentCommand()
    {
        var args = Environment.GetCommandLineArgs().Skip(1).Where(a => !a.EndsWith(".dll", StringComparison.Ordinal)).Take(1);
        return ("mmi " + string.Join(' ', args)).Trim();
    }

    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try
        {
            // Only our own lock is removed (a takeover after a long stall must not be undone).
            if (ReadHolder(Path.GetDirectoryName(_path)!) is { } h && h.Pid == Holder.Pid && h.Started == Holder.Started) File.Delete(_path);
        }
        catch (IOException) { }
    }
}
