using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>What `serve` and `up` share: building the daemon and running it until Ctrl+C / SIGTERM.</summary>
internal static class ServeSupport
{
    /// <summary>Builds the daemon, or prints what to fix (one line per error) and returns null.</summary>
    public static WebApplication? TryBuild(DaemonHostOptions options)
    {
        try
        {
            return DaemonHost.Build([], options);
        }
        catch (DaemonConfigurationException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            // Composition validates its sections and throws with what to fix.
            Console.Error.WriteLine($"Cannot start the daemon: {e.Message}");
            return null;
        }
    }

    /// <summary>Starts listening, prints where, and waits for shutdown. Returns the exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"Cannot listen: {e.Message} Pass --urls http://127.0.0.1:PORT with a free port.");
            await app.DisposeAsync();
            return 1;
        }
        foreach (var url in DaemonHost.ListeningUrls(app))
            Console.Out.WriteLine($"Serving search on {url}/  (API: {url}/openapi/v1.json). Ctrl+C stops.");

        // On SIGINT/SIGTERM System.CommandLine returns from Main after its own short grace period even
        // if the host is still stopping; holding process exit until the host has stopped lets the
        // running crawl cancel cleanly and the logs flush (bounded by the host's shutdown timeout).
        using var stopped = new ManualResetEventSlim();
        var grace = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout + TimeSpan.FromSeconds(5);
        EventHandler holdExit = (_, _) => stopped.Wait(grace);
        AppDomain.CurrentDomain.ProcessExit += holdExit;
        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            stopped.Set();
            AppDomain.CurrentDomain.ProcessExit -= holdExit;
        }
        return 0;
    }
}
