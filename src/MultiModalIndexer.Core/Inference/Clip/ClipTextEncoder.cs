using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Inference.Clip;

/// <summary>
/// Query text → <see cref="ClipTokenizer"/> ids → ORT → L2-normalised vector. Token ids go in as int32
/// or int64 (whatever the model declares), with an attention mask when the model has one. A dynamic
/// sequence axis gets only the real tokens (short queries cost a fraction of 77); a fixed one is padded
/// with 0 as OpenAI's tokenize() does. Pooled outputs (text_embeds/output) are used as they are;
/// per-token states are read at the EOT position, which is what CLIP pools.
/// </summary>
public sealed class ClipTextEncoder : ITextEncoder
{
    private readonly OrtSession _session;
    private readonly OrtNodeInfo _ids;
    private readonly OrtNodeInfo? _mask;
    private readonly string[] _outputNames;
    private readonly bool _perToken;

    private ClipTextEncoder(OrtSession session, ClipTokenizer tokenizer, OrtNodeInfo ids, OrtNodeInfo? mask, string output, bool perToken, int dim, string version)
    {
        _session = session;
        Tokenizer = tokenizer;
        _ids = ids;
        _mask = mask;
        _outputNames = [output];
        OutputName = output;
        _perToken = perToken;
        Dimension = dim;
        ModelVersion = version;
    }

    public int Dimension { get; }
    public string ModelVersion { get; }
    public ClipTokenizer Tokenizer { get; }
    public string InputName => _ids.Name;
    public string OutputName { get; }
    public bool HasAttentionMask => _mask is not null;
    /// <summary>The sequence length fed for every query; null when the axis is dynamic (real length).</summary>
    public int? FixedSequenceLength => _ids.Shape[1] > 0 ? (int)_ids.Shape[1] : null;
    internal OrtSession Session => _session;

    public static ClipTextEncoder Open(ClipOptions options)
    {
        var vocabPath = options.ResolvePath(options.Vocabulary);
        var tokenizer = LoadTokenizer(vocabPath);
        var path = options.ResolvePath(options.TextModel);
        var session = ClipModelLoader.Open(path, "CLIP text encoder, config Clip:TextModel", options.IntraOpThreads);
        try
        {
            var inputName = options.TextInputName ?? ClipModelLoader.Metadata(session, "clip.input")
                ?? ClipImageEncoder.FirstExisting(session.Inputs, "input_ids", "input", "text", "tokens")
                ?? session.Inputs.Where(i => i.ElementType is TensorElementType.Int32 or TensorElementType.Int64).Select(i => i.Name).SingleOrDefaultSafe()
                ?? throw new ModelIncompatibleException(path, $"no token input found (inputs: {string.Join(", ", session.Inputs)}); set Clip:TextInputName");
            var ids = session.Input(inputName);
            if (ids.ElementType is not (TensorElementType.Int32 or TensorElementType.Int64) || ids.Rank != 2 || ids.Shape[0] > 1)
                throw new ModelIncompatibleException(path, $"token input {ids} is not int32/int64 [1 or N, S]");
            if (ids.Shape[1] > 0 && ids.Shape[1] < 2)
                throw new ModelIncompatibleException(path, $"token input {ids} has a sequence length below 2");
            var mask = session.Inputs.FirstOrDefault(i => i.Name == "attention_mask");
            var others = session.Inputs.Where(i => i.Name != ids.Name && i.Name != mask?.Name).ToList();
            if (others.Count > 0)
                throw new ModelIncompatibleException(path, $"unexpected extra inputs {string.Join(", ", others)}; only token ids and attention_mask are fed");

            var output = options.TextOutputName ?? ClipModelLoader.Metadata(session, "clip.output")
                ?? ClipImageEncoder.FirstExisting(session.Outputs, "text_embeds", "output", "embeddings", "text_features")
                ?? session.Outputs.Where(o => o is { ElementType: TensorElementType.Float, Rank: 2 }).Select(o => o.Name).SingleOrDefaultSafe()
                ?? ClipImageEncoder.FirstExisting(session.Outputs, "last_hidden_state")
                ?? throw new ModelIncompatibleException(path, $"no text output found (outputs: {string.Join(", ", session.Outputs)}); set Clip:TextOutputName");
            var outInfo = session.Output(output);
            if (outInfo.ElementType != TensorElementType.Float || outInfo.Rank is not (2 or 3))
                throw new ModelIncompatibleException(path, $"text output {outInfo} is neither pooled float [N,D] nor per-token float [N,S,D]");
            var dim = outInfo.Shape[^1] > 0 ? (int)outInfo.Shape[^1] : 512;
            return new ClipTextEncoder(session, tokenizer, ids, mask, output, outInfo.Rank == 3, dim, ClipModelLoader.Version(path));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Loads the BPE vocabulary; missing → <see cref="ModelMissingException"/>, unreadable → <see cref="ModelCorruptException"/>.</summary>
    public static ClipTokenizer LoadTokenizer(string vocabPath)
    {
        if (!File.Exists(vocabPath)) throw new ModelMissingException(vocabPath, "CLIP BPE vocabulary, config Clip:Vocabulary");
        try
        {
            return ClipTokenizer.Load(vocabPath);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.DecoderFallbackException or IOException)
        {
            throw new ModelCorruptException(vocabPath, "not the CLIP BPE merges file (bpe_simple_vocab_16e6.txt.gz): " + e.Message, e);
        }
    }

    public float[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EncodeTokens(Tokenizer.Tokenize(text, FixedSequenceLength ?? ClipTokenizer.ContextLength));
    }

    /// <summary>Runs already tokenised ids (SOT … EOT, unpadded).</summary>
    public float[] EncodeTokens(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length < 2) throw new ArgumentException("Token ids must hold at least SOT and EOT.", nameof(tokens));
        var seq = FixedSequenceLength ?? tokens.Length;
        if (tokens.Length > seq) throw new ArgumentException($"{tokens.Length} tokens exceed the model's sequence length {seq}.", nameof(tokens));
        var eot = tokens.Length - 1;

        using var idTensor = MakeIds(tokens, seq);
        using var maskTensor = _mask is null ? null : MakeMask(tokens.Length, seq, _mask.ElementType);
        var inputs = maskTensor is null
            ? new KeyValuePair<string, OrtTensor>[] { new(_ids.Name, idTensor) }
            : [new(_ids.Name, idTensor), new(_mask!.Name, maskTensor)];
        using var outputs = _session.Run(inputs, _outputNames);
        var o = outputs[0];
        var data = o.GetData<float>();
        var d = (int)o.Shape[^1];
        if (_perToken)
        {
            if (o.Shape.Length != 3 || o.Shape[1] <= eot)
                throw new InvalidOperationException($"Text encoder returned per-token shape [{string.Join(",", o.Shape)}] for {seq} tokens.");
            return VectorMath.Normalized(data.Slice(eot * d, d));
        }
        return VectorMath.Normalized(data[..d]);
    }

    private OrtTensor MakeIds(ReadOnlySpan<int> tokens, int seq)
    {
        if (_ids.ElementType == TensorElementType.Int64)
        {
            var a = new long[seq];
            for (var i = 0; i < tokens.Length; i++) a[i] = tokens[i];
            return OrtTensor.Create(a, 1, seq);
        }
        var b = new int[seq];
        tokens.CopyTo(b);
        return OrtTensor.Create(b, 1, seq);
    }

    private static OrtTensor MakeMask(int real, int seq, TensorElementType type)
    {
        if (type == TensorElementType.Int32)
        {
            var a = new int[seq];
            a.AsSpan(0, real).Fill(1);
            return OrtTensor.Create(a, 1, seq);
        }
        var b = new long[seq];
        b.AsSpan(0, real).Fill(1);
        return OrtTensor.Create(b, 1, seq);
    }

    public void Dispose() => _session.Dispose();
}
