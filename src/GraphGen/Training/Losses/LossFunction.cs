namespace GraphGen.Training;

/// <summary>
/// A loss as Keras defines it: the per-sample value, averaged over the batch. The generated training code computes
/// the loss fused with its gradient; these are the same formulas evaluated from the model output, used by
/// <c>Evaluate</c> and available on their own (<c>keras.losses.X()(y_true, y_pred)</c>).
/// </summary>
public abstract class LossFunction<TTarget> where TTarget : unmanaged
{
    /// <summary>Keras's name, as in <c>model.compile(loss=…)</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Whether the model output it reads is logits (true) or probabilities/values (false).</summary>
    public bool FromLogits { get; protected init; }

    /// <summary>Target values per sample for a model with <paramref name="outputs"/> outputs.</summary>
    public abstract int TargetsPerSample(int outputs);

    /// <summary>Throws, naming the index, if a target cannot be scored by this loss.</summary>
    public abstract void CheckTargets(ReadOnlySpan<TTarget> targets, int outputs, string parameterName);

    /// <summary>The sum over <paramref name="rows"/> samples of the per-sample loss.</summary>
    public abstract double Sum(ReadOnlySpan<float> output, ReadOnlySpan<TTarget> targets, int rows, int outputs);

    /// <summary>The mean per-sample loss over every row of <paramref name="output"/>.</summary>
    public double Mean(ReadOnlySpan<float> output, ReadOnlySpan<TTarget> targets, int outputs)
    {
        if (outputs <= 0 || output.Length == 0 || output.Length % outputs != 0)
            throw new ArgumentException($"The output holds {output.Length} values, not a positive whole number of rows of {outputs}.", nameof(output));
        int rows = output.Length / outputs;
        if (targets.Length != (long)rows * TargetsPerSample(outputs))
            throw new ArgumentException($"{targets.Length} targets for {rows} rows; {Name} needs {TargetsPerSample(outputs)} per row.", nameof(targets));
        CheckTargets(targets, outputs, nameof(targets));
        return Sum(output, targets, rows, outputs) / rows;
    }

    /// <summary>The metrics Keras would report with <c>metrics=["accuracy"]</c> (classification) or mae/mse (regression).</summary>
    public abstract Metric<TTarget>[] DefaultMetrics(int outputs);

    public override string ToString() => FromLogits ? $"{Name}(from_logits=True)" : Name;
}

/// <summary>The losses of <c>keras.losses</c> that GraphGen trains with.</summary>
public static class Losses
{
    /// <summary>Keras clips probabilities to [ε, 1 − ε] before taking logs.</summary>
    public const float Epsilon = 1e-7f;

    public static LossFunction<int> SparseCategoricalCrossentropy(bool fromLogits = false) => new SparseCategoricalCrossentropyLoss(fromLogits);
    public static LossFunction<float> CategoricalCrossentropy(bool fromLogits = false) => new CategoricalCrossentropyLoss(fromLogits);
    public static LossFunction<float> BinaryCrossentropy(bool fromLogits = false) => new BinaryCrossentropyLoss(fromLogits);
    public static LossFunction<float> MeanSquaredError() => new MeanSquaredErrorLoss();
    public static LossFunction<float> MeanAbsoluteError() => new MeanAbsoluteErrorLoss();

    internal static double Clip(double p) => Math.Clamp(p, Epsilon, 1 - (double)Epsilon);

    internal static double RowSum(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (float v in row) sum += v;
        return sum;
    }

    internal static double LogSumExp(ReadOnlySpan<float> z)
    {
        double max = double.NegativeInfinity;
        foreach (float v in z) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in z) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    internal static void CheckFinite(ReadOnlySpan<float> targets, string parameterName, int outputs, float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        for (int i = 0; i < targets.Length; i++)
            if (!float.IsFinite(targets[i]) || targets[i] < min || targets[i] > max)
                throw new ArgumentException($"Target {targets[i]} at index {i} (row {i / outputs}) is " +
                    (float.IsFinite(targets[i]) ? $"outside [{min}, {max}]." : "not a finite number."), parameterName);
    }
}
