using System.ComponentModel;
using System.Globalization;
using System.Text;
using GraphGen.Cpu;

namespace GraphGen;

/// <summary>
/// A dense, row-major float tensor: its shape and its values. It is what [Forward] and [Differentiable] methods
/// are written with: the generator compiles their bodies, and calling them runs the same operations eagerly
/// (through <see cref="Op"/> and these operators), which is handy for checking a model by hand.
/// </summary>
public class Tensor
{
    private readonly int[] _shape;

    /// <summary>A tensor of zeros. No dimensions gives a scalar.</summary>
    public Tensor(params int[] shape) : this(shape, null) { }

    /// <summary>A tensor over <paramref name="data"/> (not copied), which must hold exactly the shape's values.</summary>
    public Tensor(int[] shape, float[]? data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            if (d <= 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Every dimension must be positive, got {TensorKernels.Format(shape)}.");
            count *= d;
            if (count > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(shape), $"Shape {TensorKernels.Format(shape)} holds more values than one array.");
        }
        if (data is not null && data.Length != count)
            throw new ArgumentException($"Shape {TensorKernels.Format(shape)} holds {count} values, but the data has {data.Length}.", nameof(data));
        _shape = (int[])shape.Clone();
        _data = data ?? new float[count];
    }

    private readonly float[] _data;

    public IReadOnlyList<int> Shape => _shape;
    public int Rank => _shape.Length;
    /// <summary>The values, row-major. A parameter of a model on a device is brought up to date first (a sync point).</summary>
    public float[] Data
    {
        get
        {
            SyncHost?.BeforeHostRead(gradient: false);
            return _data;
        }
    }

    public int Length => _data.Length;

    /// <summary>The values as they are on the host, without a sync (the device code's own copies).</summary>
    internal float[] HostData => _data;

    /// <summary>The model whose device holds this tensor's newer values (a placed model's parameters), else null.</summary>
    internal ITensorHost? SyncHost { get; set; }

    internal ReadOnlySpan<int> Dims => _shape;

    public float this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    public static Tensor Scalar(float value) => new([], [value]);

    /// <summary>A vector holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(float[] values) => new([values.Length], (float[])values.Clone());

    /// <summary>A matrix holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(float[,] values)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var data = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) data[i * cols + j] = values[i, j];
        return new([rows, cols], data);
    }

    /// <summary>The one value of a scalar (or one-element) tensor.</summary>
    public float ToScalar() => Data.Length == 1 ? Data[0]
        : throw new InvalidOperationException($"A tensor of shape {TensorKernels.Format(_shape)} holds {Data.Length} values, not one.");

    /// <summary>Throws unless <paramref name="tensor"/> has exactly <paramref name="shape"/> (the generated gradient methods check their arguments with it).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void CheckShape(Tensor tensor, string name, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (!tensor.Dims.SequenceEqual(shape))
            throw new ArgumentException($"'{name}' has shape {TensorKernels.Format(tensor.Dims)}; it must be {TensorKernels.Format(shape)}.", name);
    }

    public static Tensor operator +(Tensor a, Tensor b) => Op.Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Op.Subtract(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Op.Multiply(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Op.Divide(a, b);
    public static Tensor operator +(Tensor a, float b) => Op.Add(a, Scalar(b));
    public static Tensor operator -(Tensor a, float b) => Op.Subtract(a, Scalar(b));
    public static Tensor operator *(Tensor a, float b) => Op.Multiply(a, Scalar(b));
    public static Tensor operator /(Tensor a, float b) => Op.Divide(a, Scalar(b));
    public static Tensor operator +(float a, Tensor b) => Op.Add(Scalar(a), b);
    public static Tensor operator -(float a, Tensor b) => Op.Subtract(Scalar(a), b);
    public static Tensor operator *(float a, Tensor b) => Op.Multiply(Scalar(a), b);
    public static Tensor operator /(float a, Tensor b) => Op.Divide(Scalar(a), b);
    public static Tensor operator -(Tensor a) => Op.Negate(a);

    /// <summary>"Tensor (2, 3) [[1, 2, 3], [4, 5, 6]]", the first values of each axis only for large tensors.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"Tensor {TensorKernels.Format(_shape)} ");
        Append(text, 0, 0);
        return text.ToString();
    }

    private void Append(StringBuilder text, int axis, int offset)
    {
        if (axis == _shape.Length)
        {
            text.Append(Data[offset].ToString("G6", CultureInfo.InvariantCulture));
            return;
        }
        int stride = 1;
        for (int d = axis + 1; d < _shape.Length; d++) stride *= _shape[d];
        text.Append('[');
        int shown = Math.Min(_shape[axis], 6);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) text.Append(", ");
            Append(text, axis + 1, offset + i * stride);
        }
        if (shown < _shape[axis]) text.Append(", …");
        text.Append(']');
    }

    private int Offset(int[] index)
    {
        if (index.Length != _shape.Length) throw new ArgumentException($"A rank-{_shape.Length} tensor takes {_shape.Length} indices, not {index.Length}.", nameof(index));
        int offset = 0;
        for (int d = 0; d < index.Length; d++)
        {
            if ((uint)index[d] >= (uint)_shape[d]) throw new IndexOutOfRangeException($"Index {index[d]} is outside axis {d} of shape {TensorKernels.Format(_shape)}.");
            offset = offset * _shape[d] + index[d];
        }
        return offset;
    }
}
