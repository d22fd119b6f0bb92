using System.Buffers.Binary;

namespace MultiModalIndexer.Documents;

/// <summary>
/// A video's copy-detection fingerprint: perceptual hashes of frames sampled at a few per second,
/// with their times; per sample the whole picture's hash, its central part's (crop-tolerant) and its
/// colour layout. Stored as one blob per video: 28 bytes a sample (milliseconds, two 64-bit hashes, a
/// 64-bit colour layout). Blobs of the previous layout (no colour; 20 bytes a sample) still read.
/// </summary>
public sealed class VideoFingerprint
{
    private const uint Magic = 0x3346504D;  // "MPF3"
    private const uint Magic2 = 0x3246504D; // "MPF2": no colour layouts
    private const int HeaderBytes = 12;
    public const int BytesPerSample = 28;
    private const int BytesPerSample2 = 20;

    /// <param name="chroma">Colour layouts per sample (<see cref="Media.PerceptualHash.ChromaDistance"/>); null when not taken.</param>
    public VideoFingerprint(float fps, float[] times, ulong[] hashes, ulong[]? cropped = null, ulong[]? chroma = null)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(hashes);
        if (times.Length != hashes.Length) throw new ArgumentException("times and hashes differ in length");
        if (cropped is not null && cropped.Length != hashes.Length) throw new ArgumentException("cropped and hashes differ in length");
        if (chroma is not null && chroma.Length != hashes.Length) throw new ArgumentException("chroma and hashes differ in length");
        Fps = fps;
        Times = times;
        Hashes = hashes;
        Cropped = cropped ?? hashes;
        Chroma = chroma;
    }

    /// <summary>Sampling rate the hashes were taken at (samples per second).</summary>
    public float Fps { get; }
    /// <summary>Sample times in seconds, ascending.</summary>
    public float[] Times { get; }
    public ulong[] Hashes { get; }
    /// <summary>Hashes of the central part of each sample (the same as <see cref="Hashes"/> when not taken).</summary>
    public ulong[] Cropped { get; }
    /// <summary>Colour layouts per sample; null for fingerprints taken without them (older indexes), which match on grey alone.</summary>
    public ulong[]? Chroma { get; }
    public int Count => Hashes.Length;

    public byte[] ToBlob()
    {
        var perSample = Chroma is null ? BytesPerSample2 : BytesPerSample;
        var blob = new byte[HeaderBytes + Count * perSample];
        var s = blob.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, Chroma is null ? Magic2 : Magic);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], Count);
        BinaryPrimitives.WriteSingleLittleEndian(s[8..], Fps);
        var t = s[HeaderBytes..];
        var h = s[(HeaderBytes + Count * 4)..];
        var c = s[(HeaderBytes + Count * 12)..];
        var k = s[(HeaderBytes + Count * 20)..];
        for (var i = 0; i < Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(t[(i * 4)..], (uint)Math.Round(Math.Max(0, Times[i]) * 1000));
            BinaryPrimitives.WriteUInt64LittleEndian(h[(i * 8)..], Hashes[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(c[(i * 8)..], Cropped[i]);
            if (Chroma is not null) BinaryPrimitives.WriteUInt64LittleEndian(k[(i * 8)..], Chroma[i]);
        }
        return blob;
    }

    public static VideoFingerprint FromBlob(ReadOnlySpan<byte> blob)
    {
        var magic = blob.Length < HeaderBytes ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (magic is not (Magic or Magic2))
            throw new FormatException("not a fingerprint blob (or one of an older layout: re-index)");
        var withChroma = magic == Magic;
        var n = BinaryPrimitives.ReadInt32LittleEndian(blob[4..]);
        if (n < 0 || blob.Length != HeaderBytes + (long)n * (withChroma ? BytesPerSample : BytesPerSample2))
            throw new FormatException("fingerprint blob has the wrong length");
        var fps = BinaryPrimitives.ReadSingleLittleEndian(blob[8..]);
        var times = new float[n];
        var hashes = new ulong[n];
        var cropped = new ulong[n];
        var chroma = withChroma ? new ulong[n] : null;
        var t = blob[HeaderBytes..];
        var h = blob[(HeaderBytes + n * 4)..];
        var c = blob[(HeaderBytes + n * 12)..];
        var k = blob[(HeaderBytes + n * 20)..];
        for (var i = 0; i < n; i++)
        {
            times[i] = BinaryPrimitives.ReadUInt32LittleEndian(t[(i * 4)..]) / 1000f;
            hashes[i] = BinaryPrimitives.ReadUInt64LittleEndian(h[(i * 8)..]);
            cropped[i] = BinaryPrimitives.ReadUInt64LittleEndian(c[(i * 8)..]);
            if (chroma is not null) chroma[i] = BinaryPrimitives.ReadUInt64LittleEndian(k[(i * 8)..]);
        }
        return new VideoFingerprint(fps, times, hashes, cropped, chroma);
    }
}
