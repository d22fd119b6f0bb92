using System.CommandLine;
using System.Reflection;
using MultiModalIndexer.Cli;
using MultiModalIndexer.Common;

var root = new RootCommand("MultiModalIndexer: search inside video (`./mmi <verb> --help`).");
foreach (var type in Assembly.GetExecutingAssembly().GetTypes()
             .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
             .OrderBy(t => t.Name, StringComparer.Ordinal))
{
    var verb = (ICliCommand)Activator.CreateInstance(type)!;
    root.Subcommands.Add(verb.Build());
}

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (StorageErrors.Describe(e, DataDirArgument(args)) is { } storage)
{
    // Our own storage failed: one line, what and where and the command that fixes it; no stack trace.
    Console.Error.WriteLine($"mmi: {storage.Message}");
    return 3;
}
catch (Exception e) when (e is not OperationCanceledException)
{
    Console.Error.WriteLine(e);
    return 1;
}

static string? DataDirArgument(string[] args)
{
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i] == "--data" && i + 1 < args.Length) return Path.GetFullPath(args[i + 1]);
        if (args[i].StartsWith("--data=", StringComparison.Ordinal)) return Path.GetFullPath(args[i]["--data=".Length..]);
    }
    return null;
}
