using System.Diagnostics;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Tests.EndToEnd;

/// <summary>Runs the real CLI (mmi.dll from the test output) as a child process.</summary>
public static class CliRunner
{
    public static string MmiDll => Path.Combine(AppContext.BaseDirectory, "mmi.dll");

    public static ProcessStartInfo StartInfo(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(MmiDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["MMI_HOME"] = ProjectPaths.Root;
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MMI__", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key); // the developer's own overrides must not leak into tests
        return psi;
    }

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string workDir, TimeSpan timeout, params string[] args)
    {
        using var p = Process.Start(StartInfo(workDir, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"mmi {string.Join(' ', args)} did not finish within {timeout}: {await stderr}");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
