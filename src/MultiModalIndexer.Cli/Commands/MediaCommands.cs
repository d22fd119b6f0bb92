using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi probe FILE [--json]`: what ffprobe says about a media file, typed.</summary>
public sealed class MediaProbeCommand : ICliCommand
{
    public Command Build()
    {
        var file = new Argument<string>("file") { Description = "Media file to probe." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("probe", "Probe a media file: container, duration, streams, fps, rotation, creation time.") { file, json };
        cmd.SetAction(async (pr, ct) => await MediaCli.RunAsync(async () =>
        {
            var info = await new MediaProbe(MediaCli.Options()).ProbeAsync(pr.GetValue(file)!, ct);
            if (pr.GetValue(json)) CliJson.Write(info);
            else
            {
                Console.WriteLine($"{info.Path}: {info.Container}, {info.Duration:0.###} s, {info.SizeBytes} bytes");
                if (info.Video is { } v)
                    Console.WriteLine($"  video #{v.Index} {v.Codec} {v.Width}x{v.Height} {v.Fps:0.###} fps{(v.VariableFrameRate ? " (variable)" : "")}, rotation {v.Rotation}");
                if (info.Audio is { } a) Console.WriteLine($"  audio #{a.Index} {a.Codec} {a.SampleRate} Hz, {a.Channels} ch");
                if (info.CreationTime is { } c) Console.WriteLine($"  created {c:O}");
            }
        }));
        return cmd;
    }
}

/// <summary>`./mmi shots FILE [--json]`: shot boundaries and the segments/keyframes made from them.</summary>
public sealed class MediaShotsCommand : ICliCommand
{
    public Command Build()
    {
        var file = new Argument<string>("file") { Description = "Video file." };
        var json = new Option<bool>("--json") { Description = "Print {duration, cuts, segments:[{start, end, keyframes}]} as JSON." };
        var cmd = new Command("shots", "Detect shot boundaries (cuts, fades, dissolves) and plan segments with keyframes.") { file, json };
        cmd.SetAction(async (pr, ct) => await MediaCli.RunAsync(async () =>
        {
            var options = MediaCli.Options();
            var info = await new MediaProbe(options).ProbeAsync(pr.GetValue(file)!, ct);
            var shots = await new ShotDetector(options).AnalyzeAsync(info, ct);
            if (pr.GetValue(json))
            {
                CliJson.Write(new
                {
                    duration = Math.Round(shots.Duration, 3),
                    cuts = shots.Cuts,
                    segments = shots.Segments.Select(s => new { start = s.Start, end = s.End, keyframes = s.KeyframeTimes }),
                });
            }
            else
            {
                Console.WriteLine($"{info.Path}: {shots.Duration:0.###} s, {shots.Cuts.Count} boundaries, {shots.Segments.Count} segments");
                Console.WriteLine($"  cuts: {string.Join(", ", shots.Cuts.Select(c => c.ToString("0.###", CultureInfo.InvariantCulture)))}");
                foreach (var s in shots.Segments)
                    Console.WriteLine($"  #{s.Ordinal,-3} {s.Start,8:0.000} – {s.End,8:0.000}  keyframes {string.Join(", ", s.KeyframeTimes.Select(t => t.ToString("0.###", CultureInfo.InvariantCulture)))}");
            }
        }));
        return cmd;
    }
}

internal static class MediaCli
{
    /// <summary>Defaults overridden by MMI__Media__... environment variables (e.g. MMI__Media__Shots__CutRatio=2.5).</summary>
    public static MediaOptions Options()
    {
        var o = new MediaOptions();
        new ConfigurationBuilder().AddEnvironmentVariables("MMI__").Build().GetSection(MediaOptions.Section).Bind(o);
        var errors = o.Validate().ToList();
        if (errors.Count > 0) throw new MediaException(MediaErrorKind.ToolFailed, "configuration", string.Join(" ", errors));
        return o;
    }

    /// <summary>Media errors become one line on stderr and exit code 1; cancellation exits 130.</summary>
    public static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (MediaException e)
        {
            Console.Error.WriteLine($"error ({e.Kind}): {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }
}
