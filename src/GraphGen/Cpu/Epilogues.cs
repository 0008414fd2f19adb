using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

// Hidden from IntelliSense: these types exist for the generated code (and the benchmarks); a model's user never calls them.

/// <summary>
/// What a GEMM does to each finished sum before storing it in C. Implemented by small structs passed as generic
/// type arguments: the JIT specialises the GEMM for each one and inlines the epilogue into the store loop.
/// In the vector overloads, col is the first column of the vector.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IGemmEpilogue
{
    /// <summary>Throws unless the epilogue's buffers cover a rows × cols result (the store loop does not check).</summary>
    void Check(int rows, int cols);
    float Apply(float sum, int row, int col);
    Vector256<float> Apply(Vector256<float> sum, int row, int col);
    Vector512<float> Apply(Vector512<float> sum, int row, int col);
}

/// <summary>C = A·B, stored as is.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct NoEpilogue : IGemmEpilogue
{
    public void Check(int rows, int cols) { }
    public float Apply(float sum, int row, int col) => sum;
    public Vector256<float> Apply(Vector256<float> sum, int row, int col) => sum;
    public Vector512<float> Apply(Vector512<float> sum, int row, int col) => sum;
}

/// <summary>C = act(A·B + bias), the bias broadcast over rows: a Dense layer's forward pass in one store.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct BiasActivation<TActivation>(float[] bias) : IGemmEpilogue where TActivation : IActivation
{
    private readonly float[] _bias = bias;

    public void Check(int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(_bias, "bias");
        if (_bias.Length < cols) ThrowBias(_bias.Length, cols);
    }

    // The message in a method compiled only when it throws (as Gemm's operand check).
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBias(int length, int cols) => throw new ArgumentException($"Bias has {length} values; the GEMM result has {cols} columns.", "bias");

    public float Apply(float sum, int row, int col) => TActivation.Forward(sum + _bias[col]);

    public Vector256<float> Apply(Vector256<float> sum, int row, int col)
        => TActivation.Forward(sum + Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_bias), (nuint)col));

    public Vector512<float> Apply(Vector512<float> sum, int row, int col)
        => TActivation.Forward(sum + Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_bias), (nuint)col));
}

/// <summary>
/// C = (A·B) ⊙ act'(Y): the gradient reaching a layer's pre-activation, with the activation's derivative
/// applied as the backward GEMM stores (Y is the layer's saved output, row-major with <paramref name="stride"/>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ActivationGradient<TActivation>(float[] output, int stride) : IGemmEpilogue where TActivation : IActivation
{
    private readonly float[] _output = output;
    private readonly int _stride = stride;

    public void Check(int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(_output, "output");
        if (_stride < cols || (long)rows * _stride > _output.Length) ThrowShape(_output.Length, _stride, rows, cols);
    }

    // The messages in a method compiled only when one throws (as Gemm's operand check).
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShape(int length, int stride, int rows, int cols)
    {
        if (stride < cols) throw new ArgumentException($"Stride {stride} is below the {cols} columns of the GEMM result.", "stride");
        throw new ArgumentException($"Saved output has {length} values; a {rows} × {cols} result with stride {stride} needs {(long)rows * stride}.", "output");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nuint Index(int row, int col) => (nuint)row * (nuint)_stride + (nuint)col;

    public float Apply(float sum, int row, int col)
        => sum * TActivation.Derivative(Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_output), Index(row, col)));

    public Vector256<float> Apply(Vector256<float> sum, int row, int col)
        => sum * TActivation.Derivative(Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_output), Index(row, col)));

    public Vector512<float> Apply(Vector512<float> sum, int row, int col)
        => sum * TActivation.Derivative(Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_output), Index(row, col)));
}
