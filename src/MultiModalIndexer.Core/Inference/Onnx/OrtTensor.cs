using System.Buffers;
using System.Runtime.InteropServices;

namespace MultiModalIndexer.Inference.Onnx;

/// <summary>
/// An input tensor over managed memory: the memory is pinned for the tensor's lifetime and ORT reads
/// it in place (CreateTensorWithDataAsOrtValue), so feeding a batch copies nothing.
/// </summary>
public sealed unsafe class OrtTensor : IDisposable
{
    private readonly OrtValueHandle _value;
    private MemoryHandle _pin;
    private int _disposed;

    private OrtTensor(OrtValueHandle value, MemoryHandle pin, TensorElementType type, long[] shape)
    {
        _value = value;
        _pin = pin;
        ElementType = type;
        Shape = shape;
    }

    public TensorElementType ElementType { get; }
    public long[] Shape { get; }

    internal OrtValueHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _value;
        }
    }

    public static OrtTensor Create<T>(Memory<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        var type = ElementTypeOf<T>();
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor shape [{string.Join(",", shape.ToArray())}] has a negative dimension.", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"Tensor shape [{string.Join(",", shape.ToArray())}] needs {count} elements, the buffer holds {data.Length}.", nameof(data));

        var shapeCopy = shape.ToArray();
        var value = new OrtValueHandle();
        var pin = data.Pin();
        try
        {
            IntPtr raw;
            fixed (long* dims = shapeCopy)
                OrtNative.Check(OrtNative.CreateTensorWithDataAsOrtValue(
                    OrtEnvironment.CpuMemory.Raw, pin.Pointer, (nuint)(data.Length * sizeof(T)), dims, (nuint)shapeCopy.Length, (int)type, &raw));
            Marshal.InitHandle(value, raw);
            return new OrtTensor(value, pin, type, shapeCopy);
        }
        catch
        {
            value.Dispose();
            pin.Dispose();
            throw;
        }
    }

    public static OrtTensor Create<T>(T[] data, params long[] shape) where T : unmanaged => Create(data.AsMemory(), shape);

    internal static TensorElementType ElementTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? TensorElementType.Float
        : typeof(T) == typeof(long) ? TensorElementType.Int64
        : typeof(T) == typeof(int) ? TensorElementType.Int32
        : typeof(T) == typeof(byte) ? TensorElementType.UInt8
        : typeof(T) == typeof(sbyte) ? TensorElementType.Int8
        : typeof(T) == typeof(double) ? TensorElementType.Double
        : typeof(T) == typeof(short) ? TensorElementType.Int16
        : typeof(T) == typeof(ushort) ? TensorElementType.UInt16
        : typeof(T) == typeof(uint) ? TensorElementType.UInt32
        : typeof(T) == typeof(ulong) ? TensorElementType.UInt64
        : typeof(T) == typeof(bool) ? TensorElementType.Bool
        : throw new NotSupportedException($"No ONNX tensor element type for {typeof(T).Name}.");

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // The value must go before the memory it points at is unpinned.
        _value.Dispose();
        _pin.Dispose();
        GC.SuppressFinalize(this);
    }

    ~OrtTensor()
    {
        // The OrtValue's own SafeHandle finaliser releases it; here only the pin must not leak.
        _pin.Dispose();
    }
}

/// <summary>An output value owned by ORT (released on dispose); data is read through spans.</summary>
public sealed unsafe class OrtValue : IDisposable
{
    private readonly OrtValueHandle _value;

    internal OrtValue(OrtValueHandle value)
    {
        _value = value;
        var info = new OrtTensorTypeAndShapeInfoHandle();
        try
        {
            int isTensor;
            OrtNative.Check(OrtNative.IsTensor(value.Raw, &isTensor));
            if (isTensor == 0) throw new NotSupportedException("The model returned a non-tensor output (sequence/map); CLIP models return tensors.");
            IntPtr raw;
            OrtNative.Check(OrtNative.GetTensorTypeAndShape(value.Raw, &raw));
            Marshal.InitHandle(info, raw);
            (ElementType, Shape, _) = OrtSession.ReadTensorInfo(raw);
        }
        finally
        {
            info.Dispose();
        }
    }

    public TensorElementType ElementType { get; }
    public long[] Shape { get; }

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>The tensor's data in place; valid until this value is disposed.</summary>
    public ReadOnlySpan<T> GetData<T>() where T : unmanaged
    {
        if (OrtTensor.ElementTypeOf<T>() != ElementType)
            throw new InvalidOperationException($"Output is {ElementType}, not {typeof(T).Name}.");
        void* p;
        OrtNative.Check(OrtNative.GetTensorMutableData(_value.Raw, &p));
        return new ReadOnlySpan<T>(p, checked((int)ElementCount));
    }

    public void Dispose() => _value.Dispose();
}

/// <summary>The outputs of one run, in the order requested.</summary>
public sealed class OrtOutputs : IDisposable
{
    private readonly OrtValue[] _values;
    internal OrtOutputs(OrtValue[] values) => _values = values;
    public int Count => _values.Length;
    public OrtValue this[int index] => _values[index];

    public void Dispose()
    {
        foreach (var v in _values) v.Dispose();
    }
}
