using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MultiModalIndexer.Stores.Embedded;

/// <summary>Symmetric per-vector int8 quantisation (q = round(x · 127 / max|x|)) and its SIMD dot product.</summary>
internal static class Int8Vectors
{
    /// <summary>Quantises <paramref name="source"/> into <paramref name="dest"/>; returns the scale (q = x · scale).</summary>
    public static float Quantize(ReadOnlySpan<float> source, Span<sbyte> dest)
    {
        float maxAbs = TensorPrimitives.MaxMagnitude(source);
        maxAbs = Math.Abs(maxAbs);
        if (maxAbs == 0 || !float.IsFinite(maxAbs)) { dest.Clear(); return 1f; }
        float scale = 127f / maxAbs;
        for (int i = 0; i < source.Length; i++)
            dest[i] = (sbyte)Math.Clamp(MathF.Round(source[i] * scale), -127f, 127f);
        return scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        int i = 0, sum = 0;
        if (Avx2.IsSupported && a.Length >= 32)
        {
            ref sbyte ra = ref MemoryMarshal.GetReference(a);
            ref sbyte rb = ref MemoryMarshal.GetReference(b);
            var acc = Vector256<int>.Zero;
            for (; i + 32 <= a.Length; i += 32)
            {
                var va = Vector256.LoadUnsafe(ref ra, (nuint)i);
                var vb = Vector256.LoadUnsafe(ref rb, (nuint)i);
                // sign-extend to 16 bits, multiply and add adjacent pairs into 32-bit lanes
                var (aLo, aHi) = Vector256.Widen(va);
                var (bLo, bHi) = Vector256.Widen(vb);
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(aLo, bLo));
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(aHi, bHi));
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
