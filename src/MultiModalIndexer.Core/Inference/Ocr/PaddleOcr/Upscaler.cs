namespace MultiModalIndexer.Inference.Ocr.PaddleOcr;

/// <summary>
/// Lanczos-3 enlargement of interleaved 8-bit images, separable (sharper than bicubic, which blurs small glyphs into each other). Small frames (a 320×180
/// title card) are enlarged before detection: at their own size the recogniser's strips are
/// blurry up-samples of 10-15 px glyphs and lose the spaces between words ("Manifestoof the").
/// </summary>
internal static class Upscaler
{
    public static byte[] Resize(byte[] src, int w, int h, int channels, int dw, int dh)
    {
        var tmp = new float[dw * h * channels];
        var (xi, xw) = Taps(w, dw);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < dw; x++)
                for (var c = 0; c < channels; c++)
                {
                    float s = 0;
                    for (var k = 0; k < Taps6; k++) s += src[(y * w + xi[x * Taps6 + k]) * channels + c] * xw[x * Taps6 + k];
                    tmp[(y * dw + x) * channels + c] = s;
                }
        var dst = new byte[dw * dh * channels];
        var (yi, yw) = Taps(h, dh);
        for (var y = 0; y < dh; y++)
            for (var x = 0; x < dw; x++)
                for (var c = 0; c < channels; c++)
                {
                    float s = 0;
                    for (var k = 0; k < Taps6; k++) s += tmp[(yi[y * Taps6 + k] * dw + x) * channels + c] * yw[y * Taps6 + k];
                    dst[(y * dw + x) * channels + c] = (byte)Math.Clamp((int)(s + 0.5f), 0, 255);
                }
        return dst;
    }

    private const int Taps6 = 6;

    /// <summary>Six source indices (clamped at the border) and normalised Lanczos-3 weights per destination index.</summary>
    private static (int[] Index, float[] Weight) Taps(int n, int dn)
    {
        var idx = new int[dn * Taps6];
        var wt = new float[dn * Taps6];
        var scale = n / (float)dn;
        for (var i = 0; i < dn; i++)
        {
            var f = (i + 0.5f) * scale - 0.5f;
            var i0 = (int)MathF.Floor(f);
            float sum = 0;
            for (var k = 0; k < Taps6; k++)
            {
                idx[i * Taps6 + k] = Math.Clamp(i0 - 2 + k, 0, n - 1);
                sum += wt[i * Taps6 + k] = Lanczos(f - (i0 - 2 + k));
            }
            for (var k = 0; k < Taps6; k++) wt[i * Taps6 + k] /= sum;
        }
        return (idx, wt);
    }

    private static float Lanczos(float x)
    {
        x = MathF.Abs(x);
        if (x < 1e-6f) return 1;
        if (x >= 3) return 0;
        var px = MathF.PI * x;
        return 3 * MathF.Sin(px) * MathF.Sin(px / 3) / (px * px);
    }
}
