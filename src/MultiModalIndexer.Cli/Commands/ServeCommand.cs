using System.CommandLine;
using MultiModalIndexer.Daemon;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// `./mmi serve [--data DIR] [--media DIR ...] [--urls http://127.0.0.1:PORT]`: the daemon — scheduled
/// crawls keep the index current, the API and page answer on loopback. The admin key comes from
/// configuration (Api:AdminKey, env MMI__Api__AdminKey), never from the command line.
/// </summary>
public sealed class ServeCommand : ICliCommand
{
    public Command Build()
    {
        var data = new Option<string?>("--data") { Description = "Data folder (ledger, index, thumbnails); default Indexing:DataDir." };
        var media = new Option<string[]>("--media") { Description = "Media folder to keep indexed (repeatable); replaces configured Sources.", AllowMultipleArgumentsPerToken = true };
        var urls = new Option<string?>("--urls") { Description = "Listen URL(s), e.g. http://127.0.0.1:8080 (default Api:Urls)." };
        var noCrawl = new Option<bool>("--no-initial-crawl") { Description = "Do not crawl at start-up (schedules and POST /api/crawl still do)." };
        var noFetch = ModelFetchUi.NoFetchOption();
        var cmd = new Command("serve", "Run the daemon: scheduled indexing of the sources, HTTP API and search page.") { data, media, urls, noCrawl, noFetch };
        cmd.SetAction(async (pr, ct) =>
        {
            var roots = pr.GetValue(media) ?? [];
            foreach (var r in roots)
            {
                if (!Directory.Exists(r))
                {
                    Console.Error.WriteLine($"--media {r}: no such folder.");
                    return 2;
                }
            }
            var app = ServeSupport.TryBuild(new DaemonHostOptions
            {
                DataDir = pr.GetValue(data),
                MediaRoots = roots.Length > 0 ? roots : null,
                Urls = pr.GetValue(urls),
                CrawlOnStart = pr.GetValue(noCrawl) ? false : null,
            });
            if (app is null) return 2;
            if (!pr.GetValue(noFetch)) await ModelFetchUi.EnsureDefaultModelsAsync(app.Services, ct);
            return await ServeSupport.RunAsync(app, ct);
        });
        return cmd;
    }
}
