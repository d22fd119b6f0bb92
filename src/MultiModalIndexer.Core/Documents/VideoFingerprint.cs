using System.Buffers.Binary;

namespace MultiModalIndexer.Documents;

/// <summary>
/// A video's copy-detection fingerprint: perceptual hashes of frames sampled at a few per second,
/// with their times; per sample the whole picture's hash and its central part's (crop-tolerant).
/// Stored as one blob per video: 20 bytes a sample (milliseconds + two 64-bit hashes).
/// </summary>
public sealed class VideoFingerprint
{
    private const uint Magic = 0x3246504D; // "MPF2"
    private const int HeaderBytes = 12;
    public const int BytesPerSample = 20;

    public VideoFingerprint(float fps, float[] times, ulong[] hashes, ulong[]? cropped = null)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(hashes);
        if (times.Length != hashes.Length) throw new ArgumentException("times and hashes differ in length");
        if (cropped is not null && cropped.Length != hashes.Length) throw new ArgumentException("cropped and hashes differ in length");
        Fps = fps;
        Times = times;
        Hashes = hashes;
        Cropped = cropped ?? hashes;
    }

    /// <summary>Sampling rate the hashes were taken at (samples per second).</summary>
    public float Fps { get; }
    /// <summary>Sample times in seconds, ascending.</summary>
    public float[] Times { get; }
    public ulong[] Hashes { get; }
    /// <summary>Hashes of the central part of each sample (the same as <see cref="Hashes"/> when not taken).</summary>
    public ulong[] Cropped { get; }
    public int Count => Hashes.Length;

    public byte[] ToBlob()
    {
        var blob = new byte[HeaderBytes + Count * BytesPerSample];
        var s = blob.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], Count);
        BinaryPrimitives.WriteSingleLittleEndian(s[8..], Fps);
        var t = s[HeaderBytes..];
        var h = s[(HeaderBytes + Count * 4)..];
        var c = s[(HeaderBytes + Count * 12)..];
        for (var i = 0; i < Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(t[(i * 4)..], (uint)Math.Round(Math.Max(0, Times[i]) * 1000));
            BinaryPrimitives.WriteUInt64LittleEndian(h[(i * 8)..], Hashes[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(c[(i * 8)..], Cropped[i]);
        }
        return blob;
    }

    public static VideoFingerprint FromBlob(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(blob) != Magic)
            throw new FormatException("not a fingerprint blob (or one of an older layout: re-index)");
        var n = BinaryPrimitives.ReadInt32LittleEndian(blob[4..]);
        if (n < 0 || blob.Length != HeaderBytes + (long)n * BytesPerSample) throw new FormatException("fingerprint blob has the wrong length");
        var fps = BinaryPrimitives.ReadSingleLittleEndian(blob[8..]);
        var times = new float[n];
        var hashes = new ulong[n];
        var cropped = new ulong[n];
        var t = blob[HeaderBytes..];
        var h = blob[(HeaderBytes + n * 4)..];
        var c = blob[(HeaderBytes + n * 12)..];
        for (var i = 0; i < n; i++)
        {
            times[i] = BinaryPrimitives.ReadUInt32LittleEndian(t[(i * 4)..]) / 1000f;
            hashes[i] = BinaryPrimitives.ReadUInt64LittleEndian(h[(i * 8)..]);
            cropped[i] = BinaryPrimitives.ReadUInt64LittleEndian(c[(i * 8)..]);
        }
        return new VideoFingerprint(fps, times, hashes, cropped);
    }
}
