using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Composition;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// The services behind `index`, `search` and `status`: configuration from ./appsettings.json (if
/// present), then MMI__Section__Key environment variables, then the verb's flags; logs on stderr so
/// `--json` output stays clean.
/// </summary>
internal static class IndexCliHost
{
    public static IConfiguration BuildConfiguration(string? dataDir, IDictionary<string, string?>? extra = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables("MMI__");
        var flags = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>());
        if (dataDir is not null) flags["Indexing:DataDir"] = dataDir;
        builder.AddInMemoryCollection(flags);
        return builder.Build();
    }

    /// <summary>The provider, or null after printing the configuration errors (one per line) to stderr.</summary>
    public static ServiceProvider? Build(IConfiguration configuration, bool verbose)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
            b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = null; });
            b.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        try
        {
            services.AddMultiModalIndexer(configuration);
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine("Configuration is invalid:");
            foreach (var f in e.Failures) Console.Error.WriteLine("  - " + f);
            return null;
        }
        return services.BuildServiceProvider();
    }
}
