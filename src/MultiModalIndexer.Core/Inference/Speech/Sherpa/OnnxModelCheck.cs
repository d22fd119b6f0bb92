using System.Collections.Concurrent;
using System.Text;

namespace MultiModalIndexer.Inference.Speech.Sherpa;

/// <summary>
/// Checks a model file before sherpa-onnx opens it. sherpa does not catch ONNX Runtime's load
/// errors (a truncated or non-ONNX file ends in std::terminate) and exit()s when a Whisper encoder
/// lacks a metadata key, so both would take the whole daemon down. Walking the ModelProto's
/// top-level protobuf fields (skipping the large ones by seeking) catches those files cheaply.
/// </summary>
internal static class OnnxModelCheck
{
    /// <summary>Metadata keys sherpa-onnx 1.13.8 reads from a Whisper encoder without a default.</summary>
    public static readonly string[] WhisperEncoderKeys =
    [
        "n_mels", "n_text_layer", "n_text_ctx", "n_text_state", "n_vocab", "sot", "eot", "blank_id",
        "translate", "transcribe", "is_multilingual", "no_timestamps", "no_speech", "sot_sequence",
    ];

    /// <summary>What the check read: metadata and the graph's input and output names.</summary>
    internal sealed record Summary(IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

    /// <summary>Metadata keys sherpa-onnx 1.13.8 reads from a SenseVoice model without a default.</summary>
    public static readonly string[] SenseVoiceKeys =
    [
        "vocab_size", "lfr_window_size", "lfr_window_shift", "normalize_samples", "with_itn", "without_itn",
        "lang_auto", "lang_zh", "lang_en", "lang_ja", "lang_ko", "lang_yue", "neg_mean", "inv_stddev",
    ];

    private static readonly ConcurrentDictionary<(string, long, DateTime), Summary> Cache = new();

    /// <summary>
    /// A Silero VAD sherpa-onnx 1.13.8 accepts: v4 (input, sr, h, c → 3 outputs) or v5
    /// (input, state, sr → 2 outputs). Anything else makes sherpa exit() with "Unsupported silero vad model".
    /// </summary>
    public static void RequireSileroVad(string path)
    {
        var m = Require(path, "Silero VAD model");
        var ok = m.Inputs.Contains("input") && ((m.Inputs.Count == 4 && m.Outputs.Count == 3) || (m.Inputs.Count == 3 && m.Outputs.Count == 2));
        if (!ok)
            throw new SpeechException(SpeechErrorKind.ModelInvalid,
                $"{Path.GetFileName(path)} is not a Silero VAD v4/v5 model (inputs: {string.Join(", ", m.Inputs)}; outputs: {string.Join(", ", m.Outputs)}).");
    }

    /// <summary>The model's summary, or a <see cref="SpeechException"/> saying why the file is not a usable ONNX model.</summary>
    public static Summary Require(string path, string role, IEnumerable<string>? requiredKeys = null)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new SpeechException(SpeechErrorKind.ModelMissing, $"{role} not found: {path}");
        var summary = Cache.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), _ => Read(path, role));
        var meta = summary.Metadata;
        var missing = (requiredKeys ?? []).Where(k => !meta.ContainsKey(k)).ToList();
        if (meta.TryGetValue("is_multilingual", out var ml) && ml.Trim() == "1" && requiredKeys is not null)
            missing.AddRange(new[] { "all_language_tokens", "all_language_codes" }.Where(k => !meta.ContainsKey(k)));
        if (missing.Count > 0)
            throw new SpeechException(SpeechErrorKind.ModelInvalid,
                $"{role} {Path.GetFileName(path)} lacks the metadata sherpa-onnx needs ({string.Join(", ", missing)}); export it with sherpa-onnx's scripts/whisper/export-onnx.py.");
        return summary;
    }

    private static Summary Read(string path, string role)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        List<string> inputs = [], outputs = [];
        bool hasGraph = false, hasOpset = false;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            while (f.Position < f.Length)
            {
                var tag = ReadVarint(f);
                var field = (int)(tag >> 3);
                switch ((int)(tag & 7))
                {
                    case 0: ReadVarint(f); break;
                    case 1: Skip(f, 8); break;
                    case 5: Skip(f, 4); break;
                    case 2:
                        var len = checked((long)ReadVarint(f));
                        if (len < 0 || f.Position + len > f.Length) throw new InvalidDataException("field runs past the end of the file");
                        if (field == 14 && len < 1 << 20) ReadEntry(f, len, meta); // metadata_props
                        else if (field == 7) ReadGraphIo(f, f.Position + len, inputs, outputs);
                        else Skip(f, len);
                        hasGraph |= field == 7;
                        hasOpset |= field == 8;
                        break;
                    default:
                        throw new InvalidDataException($"wire type {tag & 7} is not valid in an ONNX model");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException)
        {
            throw new SpeechException(SpeechErrorKind.ModelInvalid, $"{role} {path} is not a valid ONNX model ({e.Message}).", e);
        }
        if (!hasGraph || !hasOpset)
            throw new SpeechException(SpeechErrorKind.ModelInvalid, $"{role} {path} is not a valid ONNX model (no graph or opset).");
        return new Summary(meta, inputs, outputs);
    }

    /// <summary>GraphProto: input (11) and output (12) ValueInfoProto names; nodes and weights are skipped.</summary>
    private static void ReadGraphIo(Stream f, long end, List<string> inputs, List<string> outputs)
    {
        while (f.Position < end)
        {
            var tag = ReadVarint(f);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0: ReadVarint(f); break;
                case 1: Skip(f, 8); break;
                case 5: Skip(f, 4); break;
                case 2:
                    var len = checked((long)ReadVarint(f));
                    if (len < 0 || f.Position + len > end) throw new InvalidDataException("graph field runs past its end");
                    if ((field == 11 || field == 12) && len < 1 << 20)
                    {
                        var buf = new byte[len];
                        f.ReadExactly(buf);
                        (field == 11 ? inputs : outputs).Add(ReadName(buf));
                    }
                    else Skip(f, len);
                    break;
                default:
                    throw new InvalidDataException($"wire type {tag & 7} is not valid in an ONNX graph");
            }
        }
        if (f.Position != end) throw new InvalidDataException("graph length mismatch");
    }

    private static string ReadName(byte[] valueInfo)
    {
        using var ms = new MemoryStream(valueInfo);
        while (ms.Position < ms.Length)
        {
            var tag = ReadVarint(ms);
            var wire = (int)(tag & 7);
            if (wire == 0) { ReadVarint(ms); continue; }
            if (wire != 2) throw new InvalidDataException("bad value info");
            var l = checked((int)ReadVarint(ms));
            if (l < 0 || ms.Position + l > ms.Length) throw new InvalidDataException("bad value info");
            if (tag >> 3 == 1) return Encoding.UTF8.GetString(valueInfo, (int)ms.Position, l);
            ms.Position += l;
        }
        return "";
    }

    private static void ReadEntry(Stream f, long len, Dictionary<string, string> meta)
    {
        var buf = new byte[len];
        f.ReadExactly(buf);
        using var ms = new MemoryStream(buf);
        string? key = null, value = null;
        while (ms.Position < ms.Length)
        {
            var tag = ReadVarint(ms);
            if ((tag & 7) != 2) throw new InvalidDataException("bad metadata entry");
            var l = checked((int)ReadVarint(ms));
            if (l < 0 || ms.Position + l > ms.Length) throw new InvalidDataException("bad metadata entry");
            var s = Encoding.UTF8.GetString(buf, (int)ms.Position, l);
            ms.Position += l;
            if (tag >> 3 == 1) key = s; else if (tag >> 3 == 2) value = s;
        }
        if (key is not null) meta[key] = value ?? "";
    }

    private static ulong ReadVarint(Stream s)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = s.ReadByte();
            if (b < 0) throw new EndOfStreamException("truncated");
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("varint too long");
    }

    private static void Skip(Stream s, long n)
    {
        if (s.Position + n > s.Length) throw new EndOfStreamException("truncated");
        s.Seek(n, SeekOrigin.Current);
    }
}
