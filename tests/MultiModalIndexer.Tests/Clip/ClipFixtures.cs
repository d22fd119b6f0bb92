using System.Diagnostics;
using System.Security.Cryptography;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Clip;

/// <summary>
/// The fixture ONNX models (Fixtures/make_clip_fixtures.py, run with Debian /usr/bin/python3), generated
/// once into .cache/fixtures/clip and regenerated when the script changes. Test fixtures, never shipped.
/// </summary>
public static class ClipFixtures
{
    private static readonly Lazy<string> DirLazy = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Dir => DirLazy.Value;
    public static string Vocabulary => TestPaths.SharedFile("models", "clip", "bpe_simple_vocab_16e6.txt.gz");
    public static string File(string name) => Path.Combine(Dir, name);

    /// <summary>Colour name → RGB bytes of a frame of that colour (matches the script's prototypes).</summary>
    public static readonly (string Name, byte R, byte G, byte B)[] Colours =
    [
        ("red", 230, 20, 20), ("green", 20, 220, 30), ("blue", 25, 30, 235), ("yellow", 240, 235, 20),
        ("orange", 245, 128, 10), ("purple", 128, 10, 130), ("white", 250, 250, 250), ("black", 5, 5, 5),
    ];

    public static byte[] Frame(byte r, byte g, byte b, int seed = 0)
    {
        var rng = new Random(seed);
        var f = new byte[224 * 224 * 3];
        for (var i = 0; i < f.Length; i += 3)
        {
            // A little deterministic noise so frames are not constant images.
            f[i] = (byte)Math.Clamp(r + rng.Next(-6, 7), 0, 255);
            f[i + 1] = (byte)Math.Clamp(g + rng.Next(-6, 7), 0, 255);
            f[i + 2] = (byte)Math.Clamp(b + rng.Next(-6, 7), 0, 255);
        }
        return f;
    }

    public static byte[] Frame(string colour, int seed = 0)
    {
        var c = Colours.Single(x => x.Name == colour);
        return Frame(c.R, c.G, c.B, seed);
    }

    /// <summary>Options pointing at the fixture pair of one convention ("xenova" or "openai").</summary>
    public static ClipOptions Options(string convention, string? textModel = null) => new()
    {
        ImageModel = File($"fixture-image-{convention}.onnx"),
        TextModel = File(textModel ?? $"fixture-text-{convention}.onnx"),
        Vocabulary = Vocabulary,
        IntraOpThreads = 1,
        BatchSize = 4,
    };

    private static string Generate()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_clip_fixtures.py");
        if (!System.IO.File.Exists(script))
            throw new FileNotFoundException("Fixture generator not copied to the test output", script);
        var dir = TestPaths.FixtureDir("clip");
        var stamp = Path.Combine(dir, ".stamp");
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(script)));
        if (System.IO.File.Exists(stamp) && System.IO.File.ReadAllText(stamp) == hash) return dir;

        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        psi.ArgumentList.Add(Vocabulary);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException("make_clip_fixtures.py did not finish in 120 s");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"make_clip_fixtures.py failed ({p.ExitCode}); needs Debian python3-onnx and python3-numpy (./mmi setup): {stderr.Result}");
        System.IO.File.WriteAllText(stamp, hash);
        return dir;
    }
}
