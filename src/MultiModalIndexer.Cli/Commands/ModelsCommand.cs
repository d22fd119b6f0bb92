using System.CommandLine;
using System.Globalization;
using MultiModalIndexer.Common;
using MultiModalIndexer.Inference.Models;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi models list|verify|sync|fetch`: the model files behind models/models.json.</summary>
public sealed class ModelsCommand : ICliCommand
{
    public Command Build()
    {
        var cmd = new Command("models", "List, verify, copy (sync) or download (fetch) the model files in models/.");
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Verify());
        cmd.Subcommands.Add(Sync());
        cmd.Subcommands.Add(Fetch());
        return cmd;
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "JSON output." };
        var cmd = new Command("list", "Every model the product can use: files, sha256, size, licence, URLs, config option, and whether it is present.") { json };
        cmd.SetAction(pr => Guard(() =>
        {
            var m = ModelManifest.Load();
            var dir = ProjectPaths.ModelsDir;
            if (pr.GetValue(json))
            {
                CliJson.Write(m.Models.Select(e => new
                {
                    e.Id, e.Task, e.Default, e.Option, e.Licence, e.Homepage,
                    files = e.Files.Select(f => new { f.Path, f.Sha256, f.Size, f.Urls, f.Member, present = File.Exists(Path.Combine(dir, f.Path)) }),
                }));
                return 0;
            }
            Console.WriteLine($"models folder: {dir}");
            foreach (var e in m.Models)
            {
                Console.WriteLine($"{e.Id}{(e.Default ? " (default)" : "")} — {e.Task}");
                Console.WriteLine($"    option: {e.Option}   licence: {e.Licence}");
                foreach (var f in e.Files)
                {
                    var present = File.Exists(Path.Combine(dir, f.Path)) ? "present" : "missing";
                    Console.WriteLine($"    {f.Path,-40} {present,-8} sha256 {(f.Sha256 == ModelManifest.Unknown ? "unknown" : f.Sha256[..16] + "…")} size {(f.Size?.ToString(CultureInfo.InvariantCulture) ?? "unknown")}");
                    Console.WriteLine($"        from {string.Join(" | ", f.Urls)}{(f.Member is null ? "" : $" [{f.Member}]")}");
                }
            }
            return 0;
        }));
        return cmd;
    }

    private static Command Verify()
    {
        var json = new Option<bool>("--json") { Description = "JSON output." };
        var cmd = new Command("verify", "Check the files present in models/ against the manifest (sha256, or size where sha256 is unknown). Exit 1 if any is corrupt.") { json };
        cmd.SetAction(pr => Guard(() =>
        {
            var m = ModelManifest.Load();
            var checks = m.Files().Select(x => (x.Model, Check: ModelManifest.Check(x.File, ProjectPaths.ModelsDir))).ToList();
            if (pr.GetValue(json))
                CliJson.Write(checks.Select(c => new { model = c.Model.Id, path = c.Check.File.Path, state = c.Check.State, detail = c.Check.Detail }));
            else
                foreach (var (model, c) in checks)
                    Console.WriteLine($"{c.State,-10} {c.File.Path,-40} {model.Id}: {c.Detail}");
            var corrupt = checks.Count(c => c.Check.State == FileState.Corrupt);
            if (corrupt > 0) Console.Error.WriteLine($"{corrupt} model file(s) corrupt: delete them and run './mmi models sync' or './mmi models fetch'.");
            return corrupt > 0 ? 1 : 0;
        }));
        return cmd;
    }

    private static Command Sync()
    {
        var cmd = new Command("sync", "Copy model files from $MMI_MODELS_DIR or ../shared/models into models/ (sha256-checked), then say exactly what is still missing and how to get it.");
        cmd.SetAction(_ => Guard(() =>
        {
            var m = ModelManifest.Load();
            var dir = ProjectPaths.ModelsDir;
            var sources = ModelManifest.SyncSources();
            Console.WriteLine($"[models] sync into {dir} from {(sources.Count == 0 ? "(no source folder: set MMI_MODELS_DIR or place ../shared/models)" : string.Join(", ", sources))}");
            var results = m.Sync(dir, sources, Console.WriteLine);
            var byModel = m.Models.Select(e => (e, files: results.Where(r => e.Files.Contains(r.File)).ToList())).ToList();
            foreach (var (e, files) in byModel.Where(x => x.files.All(f => f.Usable)))
                Console.WriteLine($"[models] ok       {e.Id}");
            foreach (var (e, files) in byModel.Where(x => x.files.Any(f => !f.Usable)))
            {
                Console.WriteLine($"[models] MISSING  {e.Id}{(e.Default ? " (used by the default config)" : " (optional)")} — {e.Task}; option {e.Option}");
                foreach (var f in files.Where(f => !f.Usable))
                    Console.WriteLine($"           {f.File.Path}: {f.Detail}; get it with './mmi models fetch {e.Id}' on a machine with internet, or download {string.Join(" or ", f.File.Urls)}{(f.File.Member is null ? "" : $" and extract {f.File.Member}")} into models/{f.File.Path}");
            }
            var missingDefault = byModel.Where(x => x.e.Default && x.files.Any(f => !f.Usable)).Select(x => x.e.Id).ToList();
            if (missingDefault.Count > 0)
                Console.WriteLine($"[models] the daemon runs with the modalities of {string.Join(", ", missingDefault)} switched off until these files are in place.");
            return 0;
        }));
        return cmd;
    }

    private static Command Fetch()
    {
        var ids = new Argument<string[]>("ids") { Description = "Model ids to fetch (default: the models the default config uses).", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Fetch every model in the manifest." };
        var timeout = new Option<int>("--connect-timeout") { Description = "Seconds to wait for a connection (fail fast offline).", DefaultValueFactory = _ => 5 };
        var cmd = new Command("fetch", "Download model files from their public URLs, checking sha256 (or size) before they land in models/.") { ids, all, timeout };
        cmd.SetAction(async (pr, ct) =>
        {
            try
            {
                var m = ModelManifest.Load();
                var wanted = pr.GetValue(ids) ?? [];
                var unknown = wanted.Where(w => m.Models.All(e => e.Id != w)).ToList();
                if (unknown.Count > 0)
                {
                    Console.Error.WriteLine($"models fetch: unknown id(s) {string.Join(", ", unknown)}; known: {string.Join(", ", m.Models.Select(e => e.Id))}");
                    return 2;
                }
                var models = pr.GetValue(all) ? m.Models
                    : wanted.Length > 0 ? m.Models.Where(e => wanted.Contains(e.Id)).ToList()
                    : m.Models.Where(e => e.Default).ToList();
                await m.FetchAsync(models, ProjectPaths.ModelsDir, Console.WriteLine, TimeSpan.FromSeconds(Math.Max(1, pr.GetValue(timeout))), ct,
                    ModelFetchOptions.ResolveMirror(null));
                Console.WriteLine("[models] fetch done");
                return 0;
            }
            catch (ModelFetchException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine("models fetch: " + e.Message);
                return 1;
            }
        });
        return cmd;
    }

    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("models: " + e.Message);
            return 1;
        }
    }
}
