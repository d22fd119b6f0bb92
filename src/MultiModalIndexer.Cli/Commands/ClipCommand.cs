using System.CommandLine;
using System.Text.Json;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi clip tokenize TEXT [--json]`, `./mmi clip info`: the CLIP stage from the command line.</summary>
public sealed class ClipCommand : ICliCommand
{
    public Command Build()
    {
        var cmd = new Command("clip", "CLIP tokenizer and encoders.");
        cmd.Subcommands.Add(Tokenize());
        cmd.Subcommands.Add(Info());
        return cmd;
    }

    private static Command Tokenize()
    {
        var text = new Argument<string[]>("text") { Description = "Text to tokenize (omit with --file); several words are joined with spaces. Text starting with '-': put it after --.", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of ids (SOT … EOT, unpadded)." };
        var file = new Option<string?>("--file") { Description = "Tokenize each line of this UTF-8 file; one JSON array per line." };
        var vocab = new Option<string?>("--vocab") { Description = "BPE vocabulary (default: Clip:Vocabulary under models/)." };
        var cmd = new Command("tokenize", "Print OpenAI CLIP BPE token ids, from <|startoftext|> 49406 to <|endoftext|> 49407.") { text, json, file, vocab };
        cmd.SetAction(pr =>
        {
            try
            {
                var tok = ClipTextEncoder.LoadTokenizer(VocabularyPath(pr.GetValue(vocab)));
                if (pr.GetValue(file) is { } f)
                {
                    foreach (var line in File.ReadAllLines(f)) Console.Out.WriteLine(JsonSerializer.Serialize(tok.Tokenize(line)));
                    return 0;
                }
                if (pr.GetValue(text) is not { Length: > 0 } words)
                {
                    Console.Error.WriteLine("clip tokenize: give the TEXT to tokenize (or --file).");
                    return 2;
                }
                var ids = tok.Tokenize(string.Join(' ', words));
                Console.Out.WriteLine(pr.GetValue(json) ? JsonSerializer.Serialize(ids) : string.Join(' ', ids));
                return 0;
            }
            catch (Exception e) when (e is ModelException or IOException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return cmd;
    }

    private static Command Info()
    {
        var cmd = new Command("info", "Open the configured CLIP models and print their interface (names, shapes, metadata).");
        cmd.SetAction(_ =>
        {
            var o = ClipCommandOptions.Current();
            try
            {
                using var image = ClipImageEncoder.Open(o);
                using var text = ClipTextEncoder.Open(o);
                CliJson.Write(new
                {
                    ort = OrtEnvironment.Version,
                    image = new { path = o.ResolvePath(o.ImageModel), version = image.ModelVersion, input = image.InputName, output = image.OutputName, runBatch = image.RunBatch, dimension = image.Dimension },
                    text = new { path = o.ResolvePath(o.TextModel), version = text.ModelVersion, input = text.InputName, output = text.OutputName, attentionMask = text.HasAttentionMask, fixedSequence = text.FixedSequenceLength, dimension = text.Dimension },
                });
                return 0;
            }
            catch (Exception e) when (e is ModelException or OnnxRuntimeException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return cmd;
    }

    /// <summary>
    /// The configured vocabulary; before `./mmi models sync` has run it falls back to a verified copy in
    /// a sync source ($MMI_MODELS_DIR, ../shared/models), so tokenizing works on a fresh checkout.
    /// </summary>
    private static string VocabularyPath(string? explicitPath)
    {
        if (explicitPath is not null) return explicitPath;
        var o = ClipCommandOptions.Current();
        var configured = o.ResolvePath(o.Vocabulary);
        if (File.Exists(configured)) return configured;
        var manifestFile = TryManifestFile(o.Vocabulary);
        foreach (var src in ModelManifest.SyncSources())
        {
            var candidate = Path.Combine(src, o.Vocabulary);
            if (!File.Exists(candidate)) continue;
            if (manifestFile is not null && ModelManifest.Check(manifestFile with { Path = Path.GetFileName(candidate) }, Path.GetDirectoryName(candidate)!).State == FileState.Corrupt)
                continue;
            return candidate;
        }
        return configured; // missing: LoadTokenizer raises the typed error naming the fix
    }

    private static ModelFile? TryManifestFile(string relative)
    {
        try
        {
            return ModelManifest.Load().FindFile(relative);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>ClipOptions as the CLI sees them: defaults overridden by MMI__Clip__* environment variables.</summary>
internal static class ClipCommandOptions
{
    public static ClipOptions Current()
    {
        var o = new ClipOptions();
        string? Env(string key) => Environment.GetEnvironmentVariable($"MMI__{ClipOptions.Section}__{key}") is { Length: > 0 } v ? v : null;
        o.ImageModel = Env(nameof(o.ImageModel)) ?? o.ImageModel;
        o.TextModel = Env(nameof(o.TextModel)) ?? o.TextModel;
        o.Vocabulary = Env(nameof(o.Vocabulary)) ?? o.Vocabulary;
        if (int.TryParse(Env(nameof(o.IntraOpThreads)), out var t)) o.IntraOpThreads = t;
        if (int.TryParse(Env(nameof(o.BatchSize)), out var b)) o.BatchSize = b;
        o.ImageInputName = Env(nameof(o.ImageInputName));
        o.ImageOutputName = Env(nameof(o.ImageOutputName));
        o.TextInputName = Env(nameof(o.TextInputName));
        o.TextOutputName = Env(nameof(o.TextOutputName));
        return o;
    }
}
