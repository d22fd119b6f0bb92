using System.CommandLine;

namespace MultiModalIndexer.Cli;

/// <summary>
/// One verb of `./mmi`. Each stage adds its verbs as classes implementing this; Program finds them
/// by reflection, so adding a verb never touches a shared file.
/// </summary>
public interface ICliCommand
{
    Command Build();
}
