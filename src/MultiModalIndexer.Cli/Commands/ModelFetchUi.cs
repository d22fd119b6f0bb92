using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MultiModalIndexer.Common;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Inference.Models;
using Spectre.Console;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>
/// Models on first use (`up`, `serve`): missing default models are copied from a local source folder or
/// downloaded (sizes, progress bars, resume, sha256); offline, one line per missing model and the run goes on.
/// </summary>
internal static class ModelFetchUi
{
    public static Option<bool> NoFetchOption() =>
        new("--no-fetch") { Description = "Do not download missing default models (CLIP, Whisper tiny, Silero VAD, ...) at start; their modalities stay off." };

    /// <summary>Never fails the command: what cannot be fetched stays missing and its modality off.</summary>
    public static async Task EnsureDefaultModelsAsync(IServiceProvider services, CancellationToken ct)
    {
        var configured = services.GetService<IConfiguration>()?["Models:Mirror"];
        var dir = ProjectPaths.ModelsDir;
        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.Load();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"[models] cannot read the model manifest ({e.Message}); models are not fetched.");
            return;
        }
        using var fetcher = new ModelFetcher(new ModelFetchOptions { ModelsDir = dir, Mirror = ModelFetchOptions.ResolveMirror(configured) });
        var missing = manifest.Models.Where(m => m.Default && m.Files.Any(fetcher.Needs)).ToList();
        if (missing.Count == 0) return;
        if (ModelManifest.SyncSources() is { Count: > 0 } local)
        {
            manifest.Sync(dir, local, _ => { });
            missing = missing.Where(m => m.Files.Any(fetcher.Needs)).ToList();
            if (missing.Count == 0) return;
        }

        var mirror = ModelFetchOptions.ResolveMirror(configured);
        Console.WriteLine(($"[models] fetching {missing.Count} missing default model(s) into {dir}{(mirror is null ? "" : $" from the mirror {mirror}")}: {string.Join(", ", missing.Select(m => m.Id))}"));
        IReadOnlyList<ModelFetchOutcome> outcomes;
        if (Console.IsOutputRedirected)
        {
            outcomes = await fetcher.FetchAsync(missing, null, Console.WriteLine, ct);
        }
        else
        {
            var lines = new List<string>();
            outcomes = await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx => await fetcher.FetchAsync(missing, new Bars(ctx), lines.Add, ct));
            foreach (var l in lines) Console.WriteLine(l);
        }
        foreach (var o in outcomes.Where(o => !o.Ok))
            Console.WriteLine(o.Offline
                ? $"[models] {o.Model.Id}: missing, not downloaded (offline: {o.Detail}); it stays off. Run './mmi models fetch' when online, or set MMI_MODELS_MIRROR."
                : $"[models] {o.Model.Id}: not installed: {o.Detail}");
    }

    /// <summary>One line on what the run will use: each modality on, or off with why.</summary>
    public static void PrintModalities(IServiceProvider services)
    {
        var m = services.GetService<Modalities>();
        if (m is null) return;
        // Why a modality is off was logged when it was opened; this is the summary line.
        static string State(string name, object? engine) => engine is not null ? $"{name} on" : $"{name} off";
        Console.WriteLine("[models] " + string.Join(" · ", State("CLIP", m.ImageEncoder), State("ASR", m.Recognizer), State("OCR", m.Ocr)));
    }

    private sealed class Bars(ProgressContext ctx) : IProgress<DownloadProgress>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

        public void Report(DownloadProgress value)
        {
            if (!_tasks.TryGetValue(value.Name, out var task))
                _tasks[value.Name] = task = ctx.AddTask(Markup.Escape(value.Name), maxValue: Math.Max(1, value.Total ?? 1));
            if (value.Total is { } total) task.MaxValue = Math.Max(1, total);
            task.Value = Math.Min(value.Received, task.MaxValue);
            if (value.Done) task.StopTask();
        }
    }
}
