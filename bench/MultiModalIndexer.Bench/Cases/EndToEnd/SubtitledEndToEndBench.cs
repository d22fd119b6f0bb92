using MultiModalIndexer.Common;
using MultiModalIndexer.Tests.Fixtures;

namespace MultiModalIndexer.Bench.Cases.EndToEnd;

/// <summary>
/// e2e.subtitled: the whole pipeline over generated subtitled clips (burned-in English and Chinese lines
/// changing every 2.4-4 s over moving backgrounds with cuts, H.264 CRF 28 640x360, pink-noise audio so
/// the VAD runs), with shape-true CLIP, VAD and the configured OCR engine: × real time, OCR ms per read
/// frame, peak RSS. The clips come from the test suite's generator (cached under the bench work folder).
/// </summary>
public sealed class SubtitledEndToEndBench : IBenchCase
{
    public string Name => "e2e.subtitled";
    public string Description => "End-to-end indexing of generated subtitled clips (CLIP shape-true + VAD + OCR timeline): × real time, OCR ms/frame, peak RSS";

    public async Task<BenchResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var result = new BenchResult { Name = Name };
        var dir = Path.Combine(context.WorkDir, "subtitled");
        var clips = SubtitledClips.StandardSet(dir, perLanguage: context.Quick ? 1 : 3);
        result.Notes.Add($"{clips.Count} clips × {clips[0].Duration:0} s, {clips.Sum(c => c.Lines.Count)} subtitle lines ({SubtitledClips.Version}).");
        await EndToEndIndexBench.MeasureAsync(context, result, dir, clips.Select(c => c.Path).ToList(), ct);
        return result;
    }
}
