using System.Numerics.Tensors;
using GraphGen.Cpu;

namespace GraphGen;

/// <summary>
/// The operations [Forward] and [Differentiable] bodies are written with. The generator reads calls to them and
/// compiles each, with its gradient, into fused kernels; called directly, each runs eagerly on the CPU kernels
/// the compiled code uses and returns a new tensor. Axes count from 0 (the batch axis, in a [Forward] method) or
/// from the end when negative, as in NumPy.
/// </summary>
public static partial class Op
{
    public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, TensorKernels.Add);
    public static Tensor Subtract(Tensor a, Tensor b) => Binary(a, b, TensorKernels.Subtract);
    public static Tensor Multiply(Tensor a, Tensor b) => Binary(a, b, TensorKernels.Multiply);
    public static Tensor Divide(Tensor a, Tensor b) => Binary(a, b, TensorKernels.Divide);

    public static Tensor Negate(Tensor x) => Map(x, TensorPrimitives.Negate);

    /// <summary>
    /// The element-wise maximum of <paramref name="a"/> and <paramref name="b"/>, with NumPy broadcasting as <see cref="Add"/>.
    /// A NaN in either operand gives NaN, and +0 counts as greater than −0 (IEEE 754 <c>maximum</c>, as
    /// <c>np.maximum</c> and <c>torch.maximum</c>). The gradient follows TensorFlow: it goes to <paramref name="a"/>
    /// where a ≥ b (ties included) and to <paramref name="b"/> elsewhere, so where either is NaN (the comparison is
    /// false) it goes to b.
    /// </summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Binary(a, b, TensorKernels.Maximum);

    /// <summary>
    /// The element-wise minimum of <paramref name="a"/> and <paramref name="b"/>, with NumPy broadcasting as <see cref="Add"/>.
    /// A NaN in either operand gives NaN, and −0 counts as less than +0 (IEEE 754 <c>minimum</c>). The gradient
    /// follows TensorFlow: it goes to <paramref name="a"/> where a ≤ b (ties included) and to <paramref name="b"/>
    /// elsewhere, so where either is NaN it goes to b.
    /// </summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Binary(a, b, TensorKernels.Minimum);

    /// <summary>a·b for matrices a (m, k) and b (k, n).</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2)
            throw new ArgumentException($"MatMul needs matrices (rank 2); got {TensorKernels.Format(a.Dims)} and {TensorKernels.Format(b.Dims)}.");
        if (a.Shape[1] != b.Shape[0])
            throw new ArgumentException($"MatMul of {TensorKernels.Format(a.Dims)} and {TensorKernels.Format(b.Dims)}: inner dimensions {a.Shape[1]} and {b.Shape[0]} differ.");
        var c = new Tensor(a.Shape[0], b.Shape[1]);
        Gemm.Multiply(GemmLayout.NN, a.Shape[0], b.Shape[1], a.Shape[1], a.Data, b.Data, c.Data);
        return c;
    }

    /// <summary>
    /// 2-D convolution of NHWC images x (batch, height, width, channels) with a kernel (kh, kw, channels, filters), as
    /// Keras's Conv2D without its bias: (batch, outHeight, outWidth, filters).
    /// </summary>
    public static Tensor Conv2D(Tensor x, Tensor kernel, int strides = 1, Padding padding = Padding.Valid)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kernel);
        if (x.Rank != 4 || kernel.Rank != 4 || kernel.Shape[2] != x.Shape[3])
            throw new ArgumentException($"Conv2D needs images (batch, height, width, channels) and a kernel (kh, kw, channels, filters); got {TensorKernels.Format(x.Dims)} and {TensorKernels.Format(kernel.Dims)}.");
        var shape = Window(x, kernel.Shape[0], kernel.Shape[1], strides, padding, "Conv2D");
        var y = new Tensor(x.Shape[0], shape.OutHeight, shape.OutWidth, kernel.Shape[3]);
        Convolution.Forward(x.Data, kernel.Data, y.Data, shape, kernel.Shape[3], default(NoEpilogue));
        return y;
    }

    /// <summary>The maximum of each poolSize × poolSize window of NHWC images, per channel; strides 0 means the pool size.</summary>
    public static Tensor MaxPool2D(Tensor x, int poolSize = 2, int strides = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ArgumentException($"MaxPool2D needs images (batch, height, width, channels); got {TensorKernels.Format(x.Dims)}.");
        var shape = Window(x, poolSize, poolSize, strides == 0 ? poolSize : strides, Padding.Valid, "MaxPool2D");
        var y = new Tensor(x.Shape[0], shape.OutHeight, shape.OutWidth, x.Shape[3]);
        Pooling.MaxForward(x.Data, y.Data, shape);
        return y;
    }

    private static ConvShape Window(Tensor x, int kh, int kw, int stride, Padding padding, string op)
    {
        int height = x.Shape[1], width = x.Shape[2];
        if (kh <= 0 || kw <= 0 || stride <= 0 || (padding == Padding.Valid && (kh > height || kw > width)))
            throw new ArgumentException($"{op}: a {kh}×{kw} window at stride {stride} does not fit {height}×{width} images with {padding} padding.");
        int Out(int n, int k) => padding == Padding.Same ? (n + stride - 1) / stride : (n - k) / stride + 1;
        int Pad(int n, int k) => padding == Padding.Same ? Math.Max((Out(n, k) - 1) * stride + k - n, 0) / 2 : 0;
        return new ConvShape(x.Shape[0], height, width, x.Shape[3], kh, kw, stride, Pad(height, kh), Pad(width, kw), Out(height, kh), Out(width, kw));
    }

    /// <summary>The transpose of a matrix.</summary>
    public static Tensor Transpose(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2) throw new ArgumentException($"Transpose needs a matrix (rank 2); got {TensorKernels.Format(x.Dims)}.", nameof(x));
        var y = new Tensor(x.Shape[1], x.Shape[0]);
        TensorKernels.Transpose(x.Data, y.Data, x.Shape[0], x.Shape[1]);
        return y;
    }

    /// <summary>The same values under <paramref name="shape"/>; one dimension may be −1 (inferred). In a [Forward] method the batch dimension is that −1.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        var dims = (int[])shape.Clone();
        int unknown = Array.IndexOf(dims, -1);
        long known = dims.Where(d => d != -1).Aggregate(1L, (p, d) => p * d);
        if (dims.Count(d => d == -1) > 1 || dims.Any(d => d == 0 || d < -1) || (unknown >= 0 ? x.Length % known != 0 : known != x.Length))
            throw new ArgumentException($"Reshape of {TensorKernels.Format(x.Dims)} ({x.Length} values) to {TensorKernels.Format(dims)} is not possible.", nameof(shape));
        if (unknown >= 0) dims[unknown] = (int)(x.Length / known);
        return new Tensor(dims, (float[])x.Data.Clone());
    }

    /// <summary><paramref name="a"/> and <paramref name="b"/> joined along <paramref name="axis"/>.</summary>
    public static Tensor Concat(Tensor a, Tensor b, int axis = -1) => Concat([a, b], axis);

    /// <summary>The tensors joined along <paramref name="axis"/>; every other dimension must match.</summary>
    public static Tensor Concat(Tensor[] tensors, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        var first = tensors[0];
        int resolved = Axis(axis, first.Rank, "Concat");
        var dims = first.Shape.ToArray();
        dims[resolved] = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank || Enumerable.Range(0, t.Rank).Any(d => d != resolved && t.Shape[d] != first.Shape[d]))
                throw new ArgumentException($"Concat along axis {axis} of {TensorKernels.Format(first.Dims)} and {TensorKernels.Format(t.Dims)}: the other dimensions differ.", nameof(tensors));
            dims[resolved] += t.Shape[resolved];
        }
        var result = new Tensor(dims);
        int outer = dims.Take(resolved).Aggregate(1, (p, d) => p * d), unit = dims.Skip(resolved + 1).Aggregate(1, (p, d) => p * d), offset = 0;
        foreach (var t in tensors)
        {
            int width = t.Shape[resolved] * unit;
            TensorKernels.CopyBlock(t.Data, width, 0, result.Data, dims[resolved] * unit, offset, outer, width);
            offset += width;
        }
        return result;
    }

    public static Tensor Relu(Tensor x) => Activate<Cpu.Relu>(x);
    public static Tensor Tanh(Tensor x) => Activate<Cpu.Tanh>(x);
    public static Tensor Sigmoid(Tensor x) => Activate<Cpu.Sigmoid>(x);
    /// <summary>x, or 0.2·x below zero (Keras's leaky_relu).</summary>
    public static Tensor LeakyRelu(Tensor x) => Activate<Cpu.LeakyRelu>(x);
    public static Tensor Elu(Tensor x) => Activate<Cpu.Elu>(x);
    /// <summary>x·Φ(x), the exact (erf) form.</summary>
    public static Tensor Gelu(Tensor x) => Activate<Cpu.Gelu>(x);
    public static Tensor Softplus(Tensor x) => Activate<Cpu.Softplus>(x);

    /// <summary>softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) throw new ArgumentException("Softmax needs at least one axis.", nameof(x));
        var y = new Tensor(x.Shape.ToArray());
        int cols = x.Shape[^1];
        Kernels.Softmax(x.Data, y.Data, x.Length / cols, cols);
        return y;
    }

    public static Tensor Exp(Tensor x) => Map(x, TensorPrimitives.Exp);
    public static Tensor Log(Tensor x) => Map(x, TensorPrimitives.Log);
    public static Tensor Sqrt(Tensor x) => Map(x, TensorPrimitives.Sqrt);
    public static Tensor Square(Tensor x) => Map(x, (v, d) => TensorPrimitives.Multiply(v, v, d));

    /// <summary>|x| element-wise. Its gradient is dy·sign(x), which is 0 at x = ±0 (as TensorFlow and PyTorch); NaN stays NaN.</summary>
    public static Tensor Abs(Tensor x) => Map(x, TensorPrimitives.Abs);

    /// <summary>The sum of every element: a scalar.</summary>
    public static Tensor Sum(Tensor x) => Tensor.Scalar(TensorPrimitives.Sum(x.Data));

    /// <summary>The sum over <paramref name="axis"/>, which the result no longer has.</summary>
    public static Tensor Sum(Tensor x, int axis) => Reduce(x, axis, "Sum", (s, d, outer, count, inner) => TensorKernels.Sum(s, d, outer, count, inner, 1f));

    /// <summary>The mean of every element: a scalar.</summary>
    public static Tensor Mean(Tensor x) => Tensor.Scalar(TensorPrimitives.Sum(x.Data) / x.Length);

    /// <summary>The mean over <paramref name="axis"/>, which the result no longer has.</summary>
    public static Tensor Mean(Tensor x, int axis) => Reduce(x, axis, "Mean", (s, d, outer, count, inner) => TensorKernels.Sum(s, d, outer, count, inner, 1f / count));

    /// <summary>
    /// The largest element: a scalar. A NaN anywhere makes it NaN; +0 counts as greater than −0. The gradient is
    /// shared equally among the elements equal to the maximum (as TensorFlow's reduce_max and torch.amax): with k
    /// tied maxima each gets dy / k, the others 0. (−0 and +0 tie; NaN equals nothing.)
    /// </summary>
    public static Tensor Max(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Tensor.Scalar(TensorPrimitives.Max(x.Data));
    }

    /// <summary>
    /// The maximum over <paramref name="axis"/>, which the result no longer has. NaN and signed zeros as in
    /// <see cref="Max(Tensor)"/>; the gradient is shared equally among the elements of each slice that equal its maximum.
    /// </summary>
    public static Tensor Max(Tensor x, int axis) => Reduce(x, axis, "Max", TensorKernels.Max);

    // Scalar forms, for [Differentiable] functions of floats.
    public static float Relu(float x) => Cpu.Relu.Forward(x);
    public static float Tanh(float x) => MathF.Tanh(x);
    public static float Sigmoid(float x) => Cpu.Sigmoid.Forward(x);
    public static float Exp(float x) => MathF.Exp(x);
    public static float Log(float x) => MathF.Log(x);
    public static float Sqrt(float x) => MathF.Sqrt(x);
    public static float Square(float x) => x * x;
    public static float Abs(float x) => MathF.Abs(x);

    private static Tensor Binary(Tensor a, Tensor b, BinaryKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var c = new Tensor(TensorKernels.BroadcastShape(a.Dims, b.Dims));
        kernel(a.Data, a.Dims, b.Data, b.Dims, c.Data, c.Dims);
        return c;
    }

    private delegate void BinaryKernel(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims);
    private delegate void UnaryKernel(ReadOnlySpan<float> x, Span<float> y);
    private delegate void ReduceKernel(ReadOnlySpan<float> source, Span<float> destination, int outer, int count, int inner);

    private static Tensor Map(Tensor x, UnaryKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = new Tensor(x.Shape.ToArray());
        kernel(x.Data, y.Data);
        return y;
    }

    private static Tensor Activate<TActivation>(Tensor x) where TActivation : IActivation
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = new Tensor(x.Shape.ToArray());
        Kernels.Activate<TActivation>(x.Data, y.Data, x.Length);
        return y;
    }

    private static Tensor Reduce(Tensor x, int axis, string op, ReduceKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(x);
        int resolved = Axis(axis, x.Rank, op);
        int outer = x.Shape.Take(resolved).Aggregate(1, (p, d) => p * d), count = x.Shape[resolved], inner = x.Shape.Skip(resolved + 1).Aggregate(1, (p, d) => p * d);
        var y = new Tensor(x.Shape.Where((_, i) => i != resolved).ToArray());
        kernel(x.Data, y.Data, outer, count, inner);
        return y;
    }

    private static int Axis(int axis, int rank, string op)
    {
        int resolved = axis < 0 ? axis + rank : axis;
        if (resolved < 0 || resolved >= rank) throw new ArgumentOutOfRangeException(nameof(axis), $"{op} axis {axis} is out of range for rank {rank}.");
        return resolved;
    }
}
