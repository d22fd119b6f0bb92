using System.Diagnostics;
using System.Text.Json;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Tests.Clip;

/// <summary>`./mmi clip tokenize` as users (and the checker) call it: a real process, JSON out.</summary>
public class ClipCliTests
{
    private static (int Exit, string Out, string Err) Mmi(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mmi.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["MMI_HOME"] = ProjectPaths.Root!;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000)) p.Kill(true);
        return (p.ExitCode, output, err.Result);
    }

    [Fact]
    public void Tokenize_json_prints_a_plain_array_from_SOT_to_EOT()
    {
        var (exit, output, err) = Mmi("clip", "tokenize", "a photo of a cat", "--json");
        Assert.True(exit == 0, err);
        Assert.Equal("[49406,320,1125,539,320,2368,49407]", output.Trim());
    }

    [Fact]
    public void Tokenize_file_matches_the_reference_ids_line_by_line()
    {
        var cases = ClipTokenizerExpectations.Cases.Where(c => c.Text.IndexOfAny(['\r', '\n']) < 0).ToList();
        var file = Path.Combine(Common.TestPaths.NewScratchDir("tok"), "lines.txt");
        File.WriteAllLines(file, cases.Select(c => c.Text));
        var (exit, output, err) = Mmi("clip", "tokenize", "--file", file);
        Assert.True(exit == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, lines.Length);
        for (var i = 0; i < cases.Count; i++)
            Assert.Equal(cases[i].Ids, JsonSerializer.Deserialize<int[]>(lines[i]));
    }

    [Fact]
    public void Missing_vocabulary_is_one_line_on_stderr_and_nonzero_exit()
    {
        var (exit, _, err) = Mmi("clip", "tokenize", "x", "--vocab", "/nonexistent/bpe.txt.gz");
        Assert.NotEqual(0, exit);
        Assert.Contains("/nonexistent/bpe.txt.gz", err);
    }
}
