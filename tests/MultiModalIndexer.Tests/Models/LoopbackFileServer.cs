using System.Net;
using System.Net.Sockets;

namespace MultiModalIndexer.Tests.Models;

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) serving in-memory files by name, honouring Range requests;
/// <see cref="CutAfter"/> makes the next full response for a file stop mid-body (connection aborted).
/// </summary>
public sealed class LoopbackFileServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);
    /// <summary>File name → bytes after which the next response for it is cut (used once).</summary>
    public Dictionary<string, int> CutAfter { get; } = new(StringComparer.Ordinal);
    public List<(string Path, string? Range, int Status)> Requests { get; } = [];
    public Uri BaseUri { get; }

    public LoopbackFileServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUri.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url(string name) => new Uri(BaseUri, name).ToString();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Serve(ctx));
        }
    }

    private async Task Serve(HttpListenerContext ctx)
    {
        var name = Uri.UnescapeDataString(ctx.Request.Url!.AbsolutePath.TrimStart('/'));
        var range = ctx.Request.Headers["Range"];
        var res = ctx.Response;
        try
        {
            byte[]? body;
            int? cut;
            lock (Files)
            {
                body = Files.GetValueOrDefault(name);
                cut = CutAfter.Remove(name, out var c) ? c : null;
            }
            if (body is null)
            {
                Record(name, range, 404);
                res.StatusCode = 404;
                res.Close();
                return;
            }
            var from = 0L;
            if (range is { } r && r.StartsWith("bytes=", StringComparison.Ordinal) && r.EndsWith('-'))
            {
                from = long.Parse(r["bytes=".Length..^1]);
                if (from >= body.Length)
                {
                    Record(name, range, 416);
                    res.StatusCode = 416;
                    res.Close();
                    return;
                }
                res.StatusCode = 206;
                res.Headers["Content-Range"] = $"bytes {from}-{body.Length - 1}/{body.Length}";
            }
            Record(name, range, res.StatusCode);
            res.ContentLength64 = body.Length - from;
            var count = (int)(body.Length - from);
            if (cut is { } n && n < count)
            {
                await res.OutputStream.WriteAsync(body.AsMemory((int)from, n));
                await res.OutputStream.FlushAsync();
                res.Abort(); // the connection drops mid-body
                return;
            }
            await res.OutputStream.WriteAsync(body.AsMemory((int)from, count));
            res.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // the client went away
        }
    }

    private void Record(string path, string? range, int status)
    {
        lock (Requests) Requests.Add((path, range, status));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; }
        catch (ObjectDisposedException) { }
    }
}
