using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace GraphGen.Cpu;

// Hidden from IntelliSense: the generated code's kernels; a model's user never calls them.

/// <summary>
/// The fused non-GEMM kernels the generated code calls besides the losses (<see cref="LossKernels"/>): softmax,
/// bias gradients as column sums, and the element-wise passes that fusion could not fold into a GEMM. Every buffer is row-major.
/// Here and in every kernel of Cpu/ and of the optimizers, a method that loops over a step's values is
/// [MethodImpl(AggressiveOptimization)]: tiered compilation would first run it unoptimised, each vector operation a
/// call, then instrumented, and that cost the reference model's first epoch 2.1× a later one's (1.5–1.7× now; the rest
/// is the JIT's own time and the generated step's first tiers). PGO gains nothing in these loops of struct generics.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Kernels
{
    /// <summary>p = softmax(z) row by row, shifted by the row maximum so e^z cannot overflow (a row of up to 16 in registers: <see cref="SoftmaxRows"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, int rows, int classes)
    {
        CheckRows(logits, rows, classes, nameof(logits));
        CheckRows(probabilities, rows, classes, nameof(probabilities));
        if (!SoftmaxRows.Covers(classes))
        {
            SoftmaxWide(logits, probabilities, rows, classes);
            return;
        }
        unsafe
        {
            fixed (float* z = logits, p = probabilities)
                for (int i = 0; i < rows; i++) SoftmaxRows.Row(z + (long)i * classes, p + (long)i * classes, null, 0f, classes, out _, out _);
        }
    }

    /// <summary>The softmax of rows wider than <see cref="SoftmaxRows"/> takes, through <c>TensorPrimitives</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxWide(ReadOnlySpan<float> logits, Span<float> probabilities, int rows, int classes)
    {
        for (int i = 0; i < rows; i++)
        {
            var z = logits.Slice(i * classes, classes);
            var p = probabilities.Slice(i * classes, classes);
            TensorPrimitives.Subtract(z, TensorPrimitives.Max(z), p);
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Divide(p, TensorPrimitives.Sum(p), p);
        }
    }

    /// <summary>Sum over rows of x (rows × cols) into sums (cols): a bias gradient (a tall one on all cores, <see cref="ColumnSumJob"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(ReadOnlySpan<float> x, Span<float> sums, int rows, int cols)
    {
        CheckRows(x, rows, cols, nameof(x));
        CheckRows(sums, 1, cols, nameof(sums));
        unsafe
        {
            fixed (float* px = x, s = sums)
            {
                if ((long)rows * cols >= ColumnSumJob.ParallelFrom) ColumnSumJob.Run(px, sums[..cols], rows, cols);
                else ColumnSumJob.SumRows(px, rows, cols, s);
            }
        }
    }

    /// <summary>
    /// The first index of a row's largest value, or of its first NaN; −1 for an empty row (as
    /// <c>TensorPrimitives.IndexOfMax</c>, which rows wider than 16 still take). The accuracy metrics' and
    /// PredictClasses' arg-max, by hand for a classifier's few values: the library's generic core for it was 18 of the
    /// methods (tier 0, instrumented, tier 1) that the runtime's JIT log showed compiled inside the first epoch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int IndexOfMax(ReadOnlySpan<float> row)
    {
        if (row.Length > 16) return TensorPrimitives.IndexOfMax(row);
        int best = -1;
        float max = 0;
        for (int j = 0; j < row.Length; j++)
        {
            float v = row[j];
            if (float.IsNaN(v)) return j;
            // +0 counts above −0, as in the library.
            if (best < 0 || v > max || (v == max && float.IsNegative(max) && !float.IsNegative(v))) { best = j; max = v; }
        }
        return best;
    }

    /// <summary>y = act(x) element-wise (x and y may be the same buffer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Activate<TActivation>(ReadOnlySpan<float> x, Span<float> y, int count) where TActivation : IActivation
    {
        if (x.Length < count || y.Length < count) throw new ArgumentException($"Buffers shorter than {count} values.");
        for (int i = 0; i < count; i++) y[i] = TActivation.Forward(x[i]);
    }

    /// <summary>dx = dy ⊙ act'(y), with y the activation's saved output; vectorised and on all cores (<see cref="ActivationBackwardJob{TActivation}"/>).</summary>
    public static void ActivationBackward<TActivation>(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> output, Span<float> inputGradient, int count)
        where TActivation : IActivation
    {
        if (outputGradient.Length < count || output.Length < count || inputGradient.Length < count) throw new ArgumentException($"Buffers shorter than {count} values.");
        unsafe
        {
            fixed (float* dy = outputGradient, y = output, dx = inputGradient) ActivationBackwardJob<TActivation>.Run(dy, y, dx, count);
        }
    }

    /// <summary>dx = y ⊙ (dy − Σ_j dy⊙y) row by row: softmax's backward pass where it is not fused with a cross-entropy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftmaxBackward(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> output, Span<float> inputGradient, int rows, int cols)
    {
        CheckRows(outputGradient, rows, cols, nameof(outputGradient));
        CheckRows(output, rows, cols, nameof(output));
        CheckRows(inputGradient, rows, cols, nameof(inputGradient));
        for (int i = 0; i < rows; i++)
        {
            var dy = outputGradient.Slice(i * cols, cols);
            var y = output.Slice(i * cols, cols);
            var dx = inputGradient.Slice(i * cols, cols);
            float dot = TensorPrimitives.Dot(dy, y);
            TensorPrimitives.Subtract(dy, dot, dx);
            TensorPrimitives.Multiply(dx, y, dx);
        }
    }

    // The messages in a method compiled only when one throws (as Gemm's operand check).
    internal static void CheckRows(ReadOnlySpan<float> buffer, int rows, int cols, string name)
    {
        if (rows < 0 || cols <= 0 || buffer.Length < (long)rows * cols) ThrowRows(buffer.Length, rows, cols, name);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRows(int length, int rows, int cols, string name)
    {
        if (rows < 0 || cols <= 0) throw new ArgumentOutOfRangeException(name, $"Invalid shape ({rows}, {cols}).");
        throw new ArgumentException($"'{name}' holds {length} values; ({rows}, {cols}) needs {(long)rows * cols}.", name);
    }
}
