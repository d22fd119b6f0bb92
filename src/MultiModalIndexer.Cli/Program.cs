using System.CommandLine;
using System.Reflection;
using MultiModalIndexer.Cli;

var root = new RootCommand("MultiModalIndexer: search inside video (`./mmi <verb> --help`).");
foreach (var type in Assembly.GetExecutingAssembly().GetTypes()
             .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
             .OrderBy(t => t.Name, StringComparer.Ordinal))
{
    var verb = (ICliCommand)Activator.CreateInstance(type)!;
    root.Subcommands.Add(verb.Build());
}

return await root.Parse(args).InvokeAsync();
