using MultiModalIndexer.Media;

namespace MultiModalIndexer.Tests.Media;

/// <summary>The copy-detection frame hashes on synthetic YUV 4:4:4 frames whose right answers are known.</summary>
public class PerceptualHashTests
{
    private const int W = 64, H = 36;

    /// <summary>A frame with grey detail (a diagonal ramp and a bright block) and a colour layout: blue-ish left, red-ish bottom.</summary>
    private static (byte[] Y, byte[] Cb, byte[] Cr) Frame(int noise = 0, int seed = 1)
    {
        var rng = new Random(seed);
        byte[] y = new byte[W * H], cb = new byte[W * H], cr = new byte[W * H];
        for (var r = 0; r < H; r++)
            for (var c = 0; c < W; c++)
            {
                int n() => noise == 0 ? 0 : rng.Next(-noise, noise + 1);
                y[r * W + c] = (byte)Math.Clamp(40 + 2 * c + r + (c is > 40 and < 52 && r is > 6 and < 20 ? 80 : 0) + n(), 0, 255);
                cb[r * W + c] = (byte)Math.Clamp(128 + (c < W / 4 ? 30 : c < W / 2 ? 10 : -10) + n(), 0, 255);
                cr[r * W + c] = (byte)Math.Clamp(128 + (r >= H / 2 ? 25 : -5) + n(), 0, 255);
            }
        return (y, cb, cr);
    }

    private static byte[] Flip(byte[] plane)
    {
        var f = new byte[plane.Length];
        for (var r = 0; r < H; r++)
            for (var c = 0; c < W; c++) f[r * W + c] = plane[r * W + (W - 1 - c)];
        return f;
    }

    private static FrameHashes Hash(byte[] y, byte[] cb, byte[] cr)
    {
        Assert.True(PerceptualHash.TryCompute(y, W, H, W, 4, out var h, cb, cr));
        return h;
    }

    [Fact]
    public void The_colour_layout_of_a_mirrored_frame_is_the_mirrored_layout_and_noise_barely_moves_it()
    {
        var (y, cb, cr) = Frame();
        var h = Hash(y, cb, cr);
        var flipped = Hash(Flip(y), Flip(cb), Flip(cr));
        Assert.Equal(PerceptualHash.MirrorChroma(h.Chroma), flipped.Chroma);
        Assert.Equal(h.Chroma, PerceptualHash.MirrorChroma(PerceptualHash.MirrorChroma(h.Chroma)));
        // The grey hash of the flipped frame is the mirrored hash (up to coefficients at the median).
        Assert.InRange(PerceptualHash.Distance(h.Mirrored, flipped.Hash), 0, 4);

        var (ny, ncb, ncr) = Frame(noise: 3, seed: 7);
        var noisy = Hash(ny, ncb, ncr);
        Assert.InRange(PerceptualHash.ChromaDistance(h.Chroma, noisy.Chroma), 0, 1.5);
        Assert.InRange(PerceptualHash.ChromaStrength(h.Chroma), 10, 30);
    }

    [Fact]
    public void A_grey_frame_has_no_colour_and_other_colours_are_far()
    {
        var (y, cb, cr) = Frame();
        var grey = new byte[W * H];
        Array.Fill(grey, (byte)128);
        var g = Hash(y, grey, grey);
        Assert.Equal(0UL, g.Chroma);
        Assert.Equal(0, PerceptualHash.ChromaStrength(g.Chroma));
        // The same grey picture in other colours (chroma planes swapped): equal grey hash, distant colour layout.
        var h = Hash(y, cb, cr);
        var other = Hash(y, cr, cb);
        Assert.Equal(h.Hash, other.Hash);
        Assert.True(PerceptualHash.ChromaDistance(h.Chroma, other.Chroma) > 10);
        // Without chroma planes no layout is taken.
        Assert.True(PerceptualHash.TryCompute(y, W, H, W, 4, out var lumaOnly));
        Assert.Equal(0UL, lumaOnly.Chroma);
        Assert.Equal(h.Hash, lumaOnly.Hash);
    }
}
