using MultiModalIndexer.Inference.Speech;

namespace MultiModalIndexer.Tests.Speech;

public sealed class RegionSplitterTests
{
    [Fact]
    public void Long_audio_is_cut_at_its_quiet_points()
    {
        const int rate = 16000;
        // 70 s of loud tone with 0.2 s quiet dips at 20 s, 41 s and 55 s.
        var pcm = new float[70 * rate];
        for (var i = 0; i < pcm.Length; i++) pcm[i] = 0.5f * MathF.Sin(i * 0.1f);
        foreach (var dip in new[] { 20.0, 41.0, 55.0 })
            Array.Clear(pcm, (int)(dip * rate), rate / 5);

        var pieces = RegionSplitter.Split(pcm, rate, 28);
        var cuts = pieces.Skip(1).Select(p => p.Offset / (double)rate).ToList();
        // [0,20] (dip found in 14..28), [20,41] (34..48), [41,55] (55..69), [55,70].
        Assert.Equal(4, pieces.Count);
        Assert.InRange(cuts[0], 20.0, 20.2);
        Assert.InRange(cuts[1], 41.0, 41.2);
        Assert.InRange(cuts[2], 55.0, 55.2);
        Assert.All(pieces, p => Assert.True(p.Length <= 28 * rate));
        Assert.Equal(pcm.Length, pieces.Sum(p => p.Length));
        Assert.Equal(0, pieces[0].Offset);
    }

    [Fact]
    public void Short_audio_is_one_piece()
    {
        Assert.Equal([(0, 16000)], RegionSplitter.Split(new float[16000], 16000, 28));
        Assert.Empty(RegionSplitter.Split([], 16000, 28));
    }
}
