using System.Numerics.Tensors;

namespace GraphGen.Cpu;

/// <summary>
/// The fused non-GEMM kernels the generated code calls: loss value and gradient in one pass, bias gradients as
/// column sums, and the element-wise passes that fusion could not fold into a GEMM. Every buffer is row-major.
/// </summary>
public static class Kernels
{
    /// <summary>
    /// Softmax and sparse categorical cross-entropy from the logits z (rows × classes) in one pass:
    /// p = softmax(z), loss = mean over rows of (logsumexp(z) − z[label]), dz = (p − onehot(label)) / rows.
    /// Working from the logits keeps the loss exact where p[label] underflows. Returns the mean loss.
    /// </summary>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> probabilities,
        Span<float> logitGradient, int rows, int classes)
    {
        CheckRows(logits, rows, classes, nameof(logits));
        CheckRows(probabilities, rows, classes, nameof(probabilities));
        CheckRows(logitGradient, rows, classes, nameof(logitGradient));
        if (labels.Length < rows) throw new ArgumentException($"{labels.Length} labels for {rows} rows.", nameof(labels));
        double total = 0;
        float scale = 1f / rows;
        for (int i = 0; i < rows; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} at row {i} is outside [0, {classes}).");
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

    /// <summary>p = softmax(z) row by row, shifted by the row maximum so e^z cannot overflow.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, int rows, int classes)
    {
        CheckRows(logits, rows, classes, nameof(logits));
        CheckRows(probabilities, rows, classes, nameof(probabilities));
        for (int i = 0; i < rows; i++)
        {
            var z = logits.Slice(i * classes, classes);
            var p = probabilities.Slice(i * classes, classes);
            TensorPrimitives.Subtract(z, TensorPrimitives.Max(z), p);
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Divide(p, TensorPrimitives.Sum(p), p);
        }
    }

    /// <summary>
    /// Mean squared error and its gradient in one pass: loss = mean over all rows × cols of (y − t)²,
    /// dy = 2 (y − t) / (rows · cols). Returns the loss.
    /// </summary>
    public static float MeanSquaredError(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, Span<float> outputGradient, int rows, int cols)
    {
        int count = rows * cols;
        CheckRows(output, rows, cols, nameof(output));
        CheckRows(targets, rows, cols, nameof(targets));
        CheckRows(outputGradient, rows, cols, nameof(outputGradient));
        var dy = outputGradient[..count];
        TensorPrimitives.Subtract(output[..count], targets[..count], dy);
        double loss = TensorPrimitives.Dot(dy, dy) / count;
        TensorPrimitives.Multiply(dy, 2f / count, dy);
        return (float)loss;
    }

    /// <summary>Sum over rows of x (rows × cols) into sums (cols): a bias gradient.</summary>
    public static void ColumnSums(ReadOnlySpan<float> x, Span<float> sums, int rows, int cols)
    {
        CheckRows(x, rows, cols, nameof(x));
        var s = sums[..cols];
        s.Clear();
        for (int i = 0; i < rows; i++) TensorPrimitives.Add(s, x.Slice(i * cols, cols), s);
    }

    /// <summary>y = act(x) element-wise (x and y may be the same buffer).</summary>
    public static void Activate<TActivation>(ReadOnlySpan<float> x, Span<float> y, int count) where TActivation : IActivation
    {
        if (x.Length < count || y.Length < count) throw new ArgumentException($"Buffers shorter than {count} values.");
        for (int i = 0; i < count; i++) y[i] = TActivation.Forward(x[i]);
    }

    /// <summary>dx = dy ⊙ act'(y), with y the activation's saved output.</summary>
    public static void ActivationBackward<TActivation>(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> output, Span<float> inputGradient, int count)
        where TActivation : IActivation
    {
        if (outputGradient.Length < count || output.Length < count || inputGradient.Length < count) throw new ArgumentException($"Buffers shorter than {count} values.");
        for (int i = 0; i < count; i++) inputGradient[i] = outputGradient[i] * TActivation.Derivative(output[i]);
    }

    /// <summary>Mean of −log(clip(p[label], 1e-7, 1 − 1e-7)) over rows: Keras's cross-entropy on probabilities.</summary>
    public static float CrossEntropyOfProbabilities(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int rows, int classes)
    {
        CheckRows(probabilities, rows, classes, nameof(probabilities));
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} at row {i} is outside [0, {classes}).");
            total -= Math.Log(Math.Clamp(probabilities[i * classes + label], 1e-7f, 1f - 1e-7f));
        }
        return (float)(total / rows);
    }

    private static void CheckRows(ReadOnlySpan<float> buffer, int rows, int cols, string name)
    {
        if (rows < 0 || cols <= 0) throw new ArgumentOutOfRangeException(name, $"Invalid shape ({rows}, {cols}).");
        if (buffer.Length < (long)rows * cols) throw new ArgumentException($"'{name}' holds {buffer.Length} values; ({rows}, {cols}) needs {(long)rows * cols}.", name);
    }
}
