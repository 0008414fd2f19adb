using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace GraphGen.Cpu;

// Hidden from IntelliSense: the generated code's kernels; a model's user never calls them.

/// <summary>
/// Every loss the generated code trains with, fused with its gradient: one pass over the model output (or the
/// logits of a softmax or sigmoid output) writes d loss / d that buffer and returns the batch's mean loss.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LossKernels
{
    /// <summary>
    /// Softmax and sparse categorical cross-entropy from the logits z (rows × classes) in one pass:
    /// p = softmax(z), loss = mean over rows of (logsumexp(z) − z[label]), dz = (p − onehot(label)) / rows.
    /// Working from the logits keeps the loss exact where p[label] underflows. Returns the mean loss. A row of up to
    /// 16 classes is worked in registers (<see cref="SoftmaxRows"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> probabilities,
        Span<float> logitGradient, int rows, int classes)
    {
        Kernels.CheckRows(logits, rows, classes, nameof(logits));
        Kernels.CheckRows(probabilities, rows, classes, nameof(probabilities));
        Kernels.CheckRows(logitGradient, rows, classes, nameof(logitGradient));
        if (labels.Length < rows) ThrowLabelCount(labels.Length, rows);
        // Wider rows in a method of their own: this one, on every training step, compiles faster without them.
        if (!SoftmaxRows.Covers(classes)) return SoftmaxCrossEntropyWide(logits, labels, probabilities, logitGradient, rows, classes);
        double total = 0;
        float scale = 1f / rows;
        unsafe
        {
            fixed (float* z = logits, p = probabilities, dz = logitGradient)
                for (int i = 0; i < rows; i++)
                {
                    int label = labels[i];
                    if ((uint)label >= (uint)classes) throw LabelOutOfRange(label, i, classes);
                    long row = (long)i * classes;
                    SoftmaxRows.Row(z + row, p + row, dz + row, scale, classes, out float max, out float sum);
                    total += Math.Log(sum) - (z[row + label] - max);
                    dz[row + label] -= scale;
                }
        }
        return (float)(total / rows);
    }

    /// <summary>The sparse cross-entropy for rows wider than <see cref="SoftmaxRows"/> takes, through <c>TensorPrimitives</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SoftmaxCrossEntropyWide(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> probabilities,
        Span<float> logitGradient, int rows, int classes)
    {
        double total = 0;
        float scale = 1f / rows;
        for (int i = 0; i < rows; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes) throw LabelOutOfRange(label, i, classes);
            var z = logits.Slice(i * classes, classes);
            var p = probabilities.Slice(i * classes, classes);
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, p);
            TensorPrimitives.Exp(p, p);
            float sum = TensorPrimitives.Sum(p);
            total += Math.Log(sum) - (z[label] - max);
            TensorPrimitives.Divide(p, sum, p);
            var dz = logitGradient.Slice(i * classes, classes);
            TensorPrimitives.Multiply(p, scale, dz);
            dz[label] -= scale;
        }
        return (float)(total / rows);
    }

    // The messages in methods compiled only when one throws (as Gemm's operand check).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentOutOfRangeException LabelOutOfRange(int label, int row, int classes)
        => new("labels", $"Label {label} at row {row} is outside [0, {classes}).");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLabelCount(int labels, int rows) => throw new ArgumentException($"{labels} labels for {rows} rows.", nameof(labels));

    /// <summary>
    /// Mean squared error and its gradient in one pass: loss = mean over all rows × cols of (y − t)²,
    /// dy = 2 (y − t) / (rows · cols). Returns the loss.
    /// </summary>
    public static float MeanSquaredError(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, Span<float> outputGradient, int rows, int cols)
    {
        int count = rows * cols;
        Kernels.CheckRows(output, rows, cols, nameof(output));
        Kernels.CheckRows(targets, rows, cols, nameof(targets));
        Kernels.CheckRows(outputGradient, rows, cols, nameof(outputGradient));
        var dy = outputGradient[..count];
        TensorPrimitives.Subtract(output[..count], targets[..count], dy);
        double loss = TensorPrimitives.Dot(dy, dy) / count;
        TensorPrimitives.Multiply(dy, 2f / count, dy);
        return (float)loss;
    }


    /// <summary>
    /// Softmax and categorical cross-entropy against target distributions t (one-hot rows) from the logits:
    /// loss = mean over rows of Σ t·(logsumexp(z) − z), dz = (p·Σt − t) / rows. Returns the mean loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> probabilities,
        Span<float> logitGradient, int rows, int classes)
    {
        Kernels.CheckRows(logits, rows, classes, nameof(logits));
        Kernels.CheckRows(targets, rows, classes, nameof(targets));
        Kernels.CheckRows(probabilities, rows, classes, nameof(probabilities));
        Kernels.CheckRows(logitGradient, rows, classes, nameof(logitGradient));
        double total = 0;
        float scale = 1f / rows;
        for (int i = 0; i < rows; i++)
        {
            var z = logits.Slice(i * classes, classes);
            var t = targets.Slice(i * classes, classes);
            var p = probabilities.Slice(i * classes, classes);
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, p);
            TensorPrimitives.Exp(p, p);
            float sum = TensorPrimitives.Sum(p);
            double logSum = Math.Log(sum) + max;
            float mass = TensorPrimitives.Sum(t);
            total += mass * logSum - TensorPrimitives.Dot(t, z);
            TensorPrimitives.Divide(p, sum, p);
            var dz = logitGradient.Slice(i * classes, classes);
            TensorPrimitives.Multiply(p, mass * scale, dz);
            TensorPrimitives.MultiplyAdd(t, -scale, dz, dz);
        }
        return (float)(total / rows);
    }

    /// <summary>
    /// Sigmoid and binary cross-entropy from the logits z in one pass: p = σ(z),
    /// loss = mean over every value of max(z, 0) − z·t + log(1 + e^−|z|) (never overflows), dz = (p − t) / (rows·cols).
    /// Returns the loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SigmoidCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, Span<float> probabilities,
        Span<float> logitGradient, int rows, int cols)
    {
        Kernels.CheckRows(logits, rows, cols, nameof(logits));
        Kernels.CheckRows(targets, rows, cols, nameof(targets));
        Kernels.CheckRows(probabilities, rows, cols, nameof(probabilities));
        Kernels.CheckRows(logitGradient, rows, cols, nameof(logitGradient));
        int count = rows * cols;
        float scale = 1f / count;
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            float z = logits[i], t = targets[i];
            total += Math.Max(z, 0f) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            float p = Sigmoid.Forward(z);
            probabilities[i] = p;
            logitGradient[i] = (p - t) * scale;
        }
        return (float)(total / count);
    }

    /// <summary>
    /// Mean absolute error and its gradient in one pass: loss = mean of |y − t|, dy = sign(y − t) / (rows·cols)
    /// (0 where y = t, as Keras). Returns the loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float MeanAbsoluteError(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, Span<float> outputGradient, int rows, int cols)
    {
        Kernels.CheckRows(output, rows, cols, nameof(output));
        Kernels.CheckRows(targets, rows, cols, nameof(targets));
        Kernels.CheckRows(outputGradient, rows, cols, nameof(outputGradient));
        int count = rows * cols;
        float scale = 1f / count;
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            float d = output[i] - targets[i];
            total += Math.Abs(d);
            outputGradient[i] = MathF.Sign(d) * scale;
        }
        return (float)(total / count);
    }
}
