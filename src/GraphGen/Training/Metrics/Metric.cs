using GraphGen.Cpu;

namespace GraphGen.Training;

/// <summary>
/// A streaming metric, as Keras's: <see cref="Reset"/>, then <see cref="Update"/> once per batch, then
/// <see cref="Result"/>. Updates allocate nothing, so metrics run inside the training loop.
/// </summary>
public abstract class Metric<TTarget> where TTarget : unmanaged
{
    private double _total;
    private long _count;

    /// <summary>The key in History and Evaluate results (Keras's name; val_ is prefixed for validation).</summary>
    public abstract string Name { get; }

    public void Reset() => (_total, _count) = (0, 0);

    /// <summary>The running sum and count, for adding up over the ranks of a distributed run.</summary>
    internal (double Total, double Count) State
    {
        get => (_total, _count);
        set => (_total, _count) = (value.Total, (long)value.Count);
    }

    /// <summary>The mean over every sample seen since <see cref="Reset"/>; NaN before any.</summary>
    public double Result => _count == 0 ? double.NaN : _total / _count;

    /// <summary>Adds a batch: <paramref name="rows"/> rows of <paramref name="outputs"/> model outputs and their targets.</summary>
    public void Update(ReadOnlySpan<float> output, ReadOnlySpan<TTarget> targets, int rows, int outputs)
    {
        _total += Score(output, targets, rows, outputs);
        _count += rows;
    }

    /// <summary>The batch's sum of per-sample scores.</summary>
    protected abstract double Score(ReadOnlySpan<float> output, ReadOnlySpan<TTarget> targets, int rows, int outputs);

    public override string ToString() => $"{Name}: {Result:F4}";
}

/// <summary>Fraction of rows whose most probable class is the label.</summary>
public sealed class SparseCategoricalAccuracy : Metric<int>
{
    public override string Name => "accuracy";

    protected override double Score(ReadOnlySpan<float> output, ReadOnlySpan<int> targets, int rows, int outputs)
    {
        long correct = 0;
        for (int i = 0; i < rows; i++)
            if (Kernels.IndexOfMax(output.Slice(i * outputs, outputs)) == targets[i]) correct++;
        return correct;
    }
}

/// <summary>Fraction of rows whose label is among the k most probable classes (ties counted in the label's favour).</summary>
public sealed class SparseTopKCategoricalAccuracy : Metric<int>
{
    public SparseTopKCategoricalAccuracy(int k = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        K = k;
    }

    public int K { get; }
    public override string Name => K == 5 ? "sparse_top_k_categorical_accuracy" : $"top_{K}_accuracy";

    protected override double Score(ReadOnlySpan<float> output, ReadOnlySpan<int> targets, int rows, int outputs)
    {
        long hits = 0;
        for (int i = 0; i < rows; i++)
        {
            var row = output.Slice(i * outputs, outputs);
            float labelScore = row[targets[i]];
            int above = 0;
            foreach (float v in row) if (v > labelScore) above++;
            if (above < K) hits++;
        }
        return hits;
    }
}

/// <summary>Fraction of rows whose most probable class is the target's largest entry (one-hot targets).</summary>
public sealed class CategoricalAccuracy : Metric<float>
{
    public override string Name => "accuracy";

    protected override double Score(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
    {
        long correct = 0;
        for (int i = 0; i < rows; i++)
            if (Kernels.IndexOfMax(output.Slice(i * outputs, outputs)) == Kernels.IndexOfMax(targets.Slice(i * outputs, outputs))) correct++;
        return correct;
    }
}

/// <summary>Fraction of outputs on the target's side of <see cref="Threshold"/> (0.5 on probabilities, 0 on logits), averaged per row.</summary>
public sealed class BinaryAccuracy(float threshold = 0.5f) : Metric<float>
{
    public float Threshold { get; } = threshold;
    public override string Name => "accuracy";

    protected override double Score(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
    {
        long correct = 0;
        for (int i = 0; i < rows * outputs; i++)
            if (output[i] > Threshold == targets[i] > 0.5f) correct++;
        return (double)correct / outputs;
    }
}

/// <summary>Mean absolute error per sample (mean over outputs): the MAE loss's own sum.</summary>
public sealed class MeanAbsoluteErrorMetric : Metric<float>
{
    private static readonly MeanAbsoluteErrorLoss s_loss = new();
    public override string Name => "mae";

    protected override double Score(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
        => s_loss.Sum(output, targets, rows, outputs);
}

/// <summary>Mean squared error per sample (mean over outputs): the MSE loss's own sum.</summary>
public sealed class MeanSquaredErrorMetric : Metric<float>
{
    private static readonly MeanSquaredErrorLoss s_loss = new();
    public override string Name => "mse";

    protected override double Score(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
        => s_loss.Sum(output, targets, rows, outputs);
}
