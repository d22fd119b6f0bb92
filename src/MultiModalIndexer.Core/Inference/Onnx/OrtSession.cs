using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Onnx;

/// <summary>
/// One ONNX model loaded into ORT: its inputs/outputs/metadata read once at open, and Run over
/// <see cref="OrtTensor"/>s. Run is thread-safe (ORT allows concurrent Run on one session); Dispose
/// waits for runs in flight through the SafeHandle reference count.
/// </summary>
public sealed unsafe class OrtSession : IDisposable
{
    private readonly OrtSessionHandle _session;
    private readonly Dictionary<string, IntPtr> _names; // UTF-8 names ORT reads during Run
    private readonly NativeBlockHandle _nameBlock;

    private OrtSession(string path, OrtSessionHandle session)
    {
        ModelPath = path;
        _session = session;
        Inputs = ReadNodes(session.Raw, input: true);
        Outputs = ReadNodes(session.Raw, input: false);
        Metadata = ReadMetadata(session.Raw);

        // One native block holds every name, freed on dispose.
        var all = Inputs.Select(i => i.Name).Concat(Outputs.Select(o => o.Name)).Distinct(StringComparer.Ordinal).ToArray();
        var encoded = all.Select(OrtNative.Utf8Z).ToArray();
        _nameBlock = NativeBlockHandle.Allocate(Math.Max(1, encoded.Sum(e => e.Length)));
        _names = new Dictionary<string, IntPtr>(StringComparer.Ordinal);
        var offset = 0;
        for (var i = 0; i < all.Length; i++)
        {
            var dst = _nameBlock.Raw + offset;
            encoded[i].CopyTo(new Span<byte>((void*)dst, encoded[i].Length));
            _names[all[i]] = dst;
            offset += encoded[i].Length;
        }
    }

    public string ModelPath { get; }
    public IReadOnlyList<OrtNodeInfo> Inputs { get; }
    public IReadOnlyList<OrtNodeInfo> Outputs { get; }
    public OrtModelMetadata Metadata { get; }

    /// <summary>Loads a model file. Errors (missing file, bad protobuf, bad graph) carry ORT's message.</summary>
    public static OrtSession Open(string modelPath, OrtSessionSettings? settings = null)
    {
        settings ??= new OrtSessionSettings();
        var env = OrtEnvironment.Handle;
        using var options = CreateOptions(settings);
        var session = new OrtSessionHandle();
        try
        {
            IntPtr raw;
            fixed (byte* path = OrtNative.Utf8Z(modelPath))
                OrtNative.Check(OrtNative.CreateSession(env.Raw, path, options.Raw, &raw));
            Marshal.InitHandle(session, raw);
            return new OrtSession(modelPath, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static OrtSessionOptionsHandle CreateOptions(OrtSessionSettings s)
    {
        var h = new OrtSessionOptionsHandle();
        try
        {
            IntPtr raw;
            OrtNative.Check(OrtNative.CreateSessionOptions(&raw));
            Marshal.InitHandle(h, raw);
            OrtNative.Check(OrtNative.SetIntraOpNumThreads(raw, Math.Max(0, s.IntraOpThreads)));
            OrtNative.Check(OrtNative.SetInterOpNumThreads(raw, Math.Max(0, s.InterOpThreads)));
            OrtNative.Check(OrtNative.SetSessionGraphOptimizationLevel(raw, (int)s.OptimizationLevel));
            OrtNative.Check(OrtNative.SetSessionExecutionMode(raw, s.ParallelExecution ? 1 : 0));
            OrtNative.Check(s.CpuMemArena ? OrtNative.EnableCpuMemArena(raw) : OrtNative.DisableCpuMemArena(raw));
            if (s.ConfigEntries is not null)
                foreach (var (k, v) in s.ConfigEntries)
                    fixed (byte* key = OrtNative.Utf8Z(k))
                    fixed (byte* val = OrtNative.Utf8Z(v))
                        OrtNative.Check(OrtNative.AddSessionConfigEntry(raw, key, val));
            return h;
        }
        catch
        {
            h.Dispose();
            throw;
        }
    }

    public OrtNodeInfo Input(string name) =>
        Inputs.FirstOrDefault(i => i.Name == name)
        ?? throw new ArgumentException($"Model {Path.GetFileName(ModelPath)} has no input '{name}' (inputs: {string.Join(", ", Inputs)}).");

    public OrtNodeInfo Output(string name) =>
        Outputs.FirstOrDefault(o => o.Name == name)
        ?? throw new ArgumentException($"Model {Path.GetFileName(ModelPath)} has no output '{name}' (outputs: {string.Join(", ", Outputs)}).");

    /// <summary>
    /// Runs the model. Inputs are (name, tensor) pairs; outputs are returned in the order of
    /// <paramref name="outputNames"/> and must be disposed. Cancellation terminates the run inside ORT.
    /// </summary>
    public OrtOutputs Run(IReadOnlyList<KeyValuePair<string, OrtTensor>> inputs, IReadOnlyList<string> outputNames, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var nIn = inputs.Count;
        var nOut = outputNames.Count;
        var inNames = stackalloc IntPtr[Math.Max(1, nIn)];
        var inValues = stackalloc IntPtr[Math.Max(1, nIn)];
        var outNames = stackalloc IntPtr[Math.Max(1, nOut)];
        var outValues = stackalloc IntPtr[Math.Max(1, nOut)];
        for (var i = 0; i < nIn; i++)
        {
            inNames[i] = NameOf(inputs[i].Key, isInput: true);
            inValues[i] = inputs[i].Value.Handle.Raw;
        }
        for (var i = 0; i < nOut; i++)
        {
            outNames[i] = NameOf(outputNames[i], isInput: false);
            outValues[i] = IntPtr.Zero;
        }

        var runOptions = ct.CanBeCanceled ? CreateRunOptions() : null;
        var addedSession = false;
        var addedNames = false;
        var addedInputs = 0;
        try
        {
            _session.DangerousAddRef(ref addedSession);
            _nameBlock.DangerousAddRef(ref addedNames);
            for (; addedInputs < nIn; addedInputs++)
            {
                var added = false;
                inputs[addedInputs].Value.Handle.DangerousAddRef(ref added);
            }
            IntPtr status;
            using (ct.CanBeCanceled ? ct.Register(static o => Terminate((OrtRunOptionsHandle)o!), runOptions) : default)
                status = OrtNative.Run(_session.Raw, runOptions?.Raw ?? IntPtr.Zero, inNames, inValues, (nuint)nIn, outNames, (nuint)nOut, outValues);
            if (status != IntPtr.Zero)
            {
                ReleaseRaw(outValues, nOut);
                if (ct.IsCancellationRequested)
                {
                    try { OrtNative.Check(status); } catch (OnnxRuntimeException) { }
                    ct.ThrowIfCancellationRequested();
                }
                OrtNative.Check(status);
            }
            return WrapOutputs(outValues, nOut);
        }
        finally
        {
            for (var i = 0; i < addedInputs; i++) inputs[i].Value.Handle.DangerousRelease();
            if (addedSession) _session.DangerousRelease();
            if (addedNames) _nameBlock.DangerousRelease();
            runOptions?.Dispose();
        }
    }

    private static OrtOutputs WrapOutputs(IntPtr* raw, int n)
    {
        // Every raw pointer goes into a handle first, so a failure below leaks nothing.
        var handles = new OrtValueHandle[n];
        for (var i = 0; i < n; i++) handles[i] = new OrtValueHandle();
        for (var i = 0; i < n; i++) Marshal.InitHandle(handles[i], raw[i]);
        var values = new OrtValue[n];
        try
        {
            for (var i = 0; i < n; i++) values[i] = new OrtValue(handles[i]);
            return new OrtOutputs(values);
        }
        catch
        {
            foreach (var h in handles) h.Dispose();
            throw;
        }
    }

    private static void ReleaseRaw(IntPtr* raw, int n)
    {
        for (var i = 0; i < n; i++)
            if (raw[i] != IntPtr.Zero) OrtNative.ReleaseValue(raw[i]);
    }

    private static OrtRunOptionsHandle CreateRunOptions()
    {
        var h = new OrtRunOptionsHandle();
        IntPtr raw;
        OrtNative.Check(OrtNative.CreateRunOptions(&raw));
        Marshal.InitHandle(h, raw);
        return h;
    }

    private static void Terminate(OrtRunOptionsHandle h)
    {
        var added = false;
        try
        {
            h.DangerousAddRef(ref added);
            OrtNative.Check(OrtNative.RunOptionsSetTerminate(h.Raw));
        }
        catch (ObjectDisposedException) { }
        finally
        {
            if (added) h.DangerousRelease();
        }
    }

    private IntPtr NameOf(string name, bool isInput)
    {
        if (_names.TryGetValue(name, out var p) && (isInput ? Inputs : Outputs).Any(n => n.Name == name)) return p;
        var known = isInput ? Inputs : Outputs;
        throw new ArgumentException($"Model {Path.GetFileName(ModelPath)} has no {(isInput ? "input" : "output")} '{name}' ({string.Join(", ", known)}).");
    }

    private static IReadOnlyList<OrtNodeInfo> ReadNodes(IntPtr session, bool input)
    {
        nuint count;
        OrtNative.Check(input ? OrtNative.SessionGetInputCount(session, &count) : OrtNative.SessionGetOutputCount(session, &count));
        var alloc = OrtNative.DefaultAllocator;
        var list = new List<OrtNodeInfo>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            OrtNative.Check(input ? OrtNative.SessionGetInputName(session, i, alloc, &rawName) : OrtNative.SessionGetOutputName(session, i, alloc, &rawName));
            var name = OrtNative.TakeAllocatedString(rawName) ?? "";
            using var typeInfo = new OrtTypeInfoHandle();
            IntPtr ti;
            OrtNative.Check(input ? OrtNative.SessionGetInputTypeInfo(session, i, &ti) : OrtNative.SessionGetOutputTypeInfo(session, i, &ti));
            Marshal.InitHandle(typeInfo, ti);
            int onnxType;
            OrtNative.Check(OrtNative.GetOnnxTypeFromTypeInfo(ti, &onnxType));
            if (onnxType != 1 /* ONNX_TYPE_TENSOR */)
            {
                list.Add(new OrtNodeInfo(name, false, TensorElementType.Undefined, [], []));
                continue;
            }
            IntPtr tensorInfo; // owned by typeInfo
            OrtNative.Check(OrtNative.CastTypeInfoToTensorInfo(ti, &tensorInfo));
            var (type, shape, symbolic) = ReadTensorInfo(tensorInfo);
            list.Add(new OrtNodeInfo(name, true, type, shape, symbolic));
        }
        return list;
    }

    internal static (TensorElementType Type, long[] Shape, string[] Symbolic) ReadTensorInfo(IntPtr info)
    {
        int type;
        OrtNative.Check(OrtNative.GetTensorElementType(info, &type));
        nuint rank;
        OrtNative.Check(OrtNative.GetDimensionsCount(info, &rank));
        var shape = new long[(int)rank];
        var symbolic = new string[(int)rank];
        if (rank > 0)
        {
            fixed (long* dims = shape)
                OrtNative.Check(OrtNative.GetDimensions(info, dims, rank));
            var names = new IntPtr[(int)rank];
            fixed (IntPtr* p = names)
                OrtNative.Check(OrtNative.GetSymbolicDimensions(info, (byte**)p, rank));
            for (var i = 0; i < names.Length; i++)
                symbolic[i] = names[i] == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(names[i]) ?? "";
        }
        return ((TensorElementType)type, shape, symbolic);
    }

    private static OrtModelMetadata ReadMetadata(IntPtr session)
    {
        using var meta = new OrtModelMetadataHandle();
        IntPtr rawMeta;
        OrtNative.Check(OrtNative.SessionGetModelMetadata(session, &rawMeta));
        Marshal.InitHandle(meta, rawMeta);
        var m = rawMeta;
        var alloc = OrtNative.DefaultAllocator;

        string Str(delegate* unmanaged<IntPtr, IntPtr, byte**, IntPtr> f)
        {
            byte* s;
            OrtNative.Check(f(m, alloc, &s));
            return OrtNative.TakeAllocatedString(s) ?? "";
        }

        var producer = Str(OrtNative.ModelMetadataGetProducerName);
        var graph = Str(OrtNative.ModelMetadataGetGraphName);
        var domain = Str(OrtNative.ModelMetadataGetDomain);
        var description = Str(OrtNative.ModelMetadataGetDescription);
        long version;
        OrtNative.Check(OrtNative.ModelMetadataGetVersion(m, &version));

        var custom = new Dictionary<string, string>(StringComparer.Ordinal);
        byte** keys;
        long nKeys;
        OrtNative.Check(OrtNative.ModelMetadataGetCustomMetadataMapKeys(m, alloc, &keys, &nKeys));
        if (keys is not null)
        {
            // Each key and the array itself were allocated with `alloc`: free all, even if a lookup throws.
            var keyStrings = new string[nKeys];
            try
            {
                for (long i = 0; i < nKeys; i++) keyStrings[i] = Marshal.PtrToStringUTF8((IntPtr)keys[i]) ?? "";
            }
            finally
            {
                for (long i = 0; i < nKeys; i++) OrtNative.AllocatorFree(alloc, keys[i]);
                OrtNative.AllocatorFree(alloc, keys);
            }
            foreach (var k in keyStrings)
            {
                byte* v;
                fixed (byte* key = OrtNative.Utf8Z(k))
                    OrtNative.Check(OrtNative.ModelMetadataLookupCustomMetadataMap(m, alloc, key, &v));
                custom[k] = OrtNative.TakeAllocatedString(v) ?? "";
            }
        }
        return new OrtModelMetadata(producer, graph, domain, description, version, custom);
    }

    public void Dispose()
    {
        _session.Dispose();
        _nameBlock.Dispose();
    }
}
