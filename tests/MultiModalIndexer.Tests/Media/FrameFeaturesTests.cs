using MultiModalIndexer.Media;

namespace MultiModalIndexer.Tests.Media;

/// <summary>The per-pixel colour conversion of shot analysis: the vectorised path must equal the scalar loop exactly.</summary>
public sealed class FrameFeaturesTests
{
    [Fact]
    public void Vectorised_pixel_conversion_equals_the_scalar_loop_for_every_yuv_colour()
    {
        // All 2^24 (Y, U, V) triples, one Y at a time; 65,536 + 5 pixels so the scalar tail runs too.
        const int n = 65536 + 5;
        var y = new byte[n];
        var u = new byte[n];
        var v = new byte[n];
        var vec = Enumerable.Range(0, 7).Select(_ => new byte[n]).ToArray();
        var sca = Enumerable.Range(0, 7).Select(_ => new byte[n]).ToArray();
        for (var i = 0; i < n; i++)
        {
            u[i] = (byte)(i & 255);
            v[i] = (byte)((i >> 8) & 255);
        }
        string[] names = ["r", "g", "b", "hue", "sat", "val", "bin"];
        for (var luma = 0; luma < 256; luma++)
        {
            Array.Fill(y, (byte)luma);
            var lv = FrameFeatureExtractor.ConvertPixels(y, u, v, vec[0], vec[1], vec[2], vec[3], vec[4], vec[5], vec[6]);
            var ls = FrameFeatureExtractor.ConvertPixels(y, u, v, sca[0], sca[1], sca[2], sca[3], sca[4], sca[5], sca[6], vectorise: false);
            Assert.Equal(ls, lv);
            for (var k = 0; k < 7; k++)
            {
                var at = vec[k].AsSpan().CommonPrefixLength(sca[k]);
                Assert.True(at == n, $"{names[k]} differs at Y={luma} U={u[Math.Min(at, n - 1)]} V={v[Math.Min(at, n - 1)]}");
            }
        }
    }

    [Fact]
    public void Known_colours_convert_to_opencv_hsv()
    {
        // BT.601 limited range: red (81, 90, 240), green (145, 54, 34), blue (41, 240, 110), mid grey (126, 128, 128).
        byte[] y = [81, 145, 41, 126], u = [90, 54, 240, 128], v = [240, 34, 110, 128];
        var o = Enumerable.Range(0, 7).Select(_ => new byte[4]).ToArray();
        FrameFeatureExtractor.ConvertPixels(y, u, v, o[0], o[1], o[2], o[3], o[4], o[5], o[6], vectorise: false);
        Assert.InRange(o[0][0], 250, 255);           // red: R high, G and B low
        Assert.InRange(o[1][0], 0, 5);
        Assert.InRange(o[3][0], 0, 2);               // hue 0
        Assert.InRange(o[3][1], 58, 62);             // green: hue 120 degrees = 60
        Assert.InRange(o[3][2], 118, 122);           // blue: 240 degrees = 120
        Assert.Equal(0, o[4][3]);                    // grey: no saturation
        Assert.InRange(o[5][3], 125, 130);
    }
}
