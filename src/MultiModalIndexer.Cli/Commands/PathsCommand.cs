using System.CommandLine;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi paths`: where the checkout, runtimes, models and shared data are looked for.</summary>
public sealed class PathsCommand : ICliCommand
{
    public Command Build()
    {
        var cmd = new Command("paths", "Print the folders the tool uses (root, runtimes, models, shared).");
        cmd.SetAction(_ =>
        {
            CliJson.Write(new
            {
                root = ProjectPaths.Root,
                runtimes = ProjectPaths.RuntimesDir,
                models = ProjectPaths.ModelsDir,
                shared = ProjectPaths.SharedDir,
            });
            return 0;
        });
        return cmd;
    }
}
