using System.Runtime.CompilerServices;
namespace GraphGen.Training;

/// <summary>
/// Integer labels against a softmax output: −log p[label] per sample, on probabilities normalised and clipped to
/// [1e-7, 1 − 1e-7] as Keras does, or from the logits as logsumexp(z) − z[label].
/// </summary>
public sealed class SparseCategoricalCrossentropyLoss : LossFunction<int>
{
    public SparseCategoricalCrossentropyLoss(bool fromLogits = false) => FromLogits = fromLogits;

    public override string Name => "sparse_categorical_crossentropy";
    public override int TargetsPerSample(int outputs) => 1;

    public override void CheckTargets(ReadOnlySpan<int> targets, int outputs, string parameterName)
    {
        for (int i = 0; i < targets.Length; i++)
            if ((uint)targets[i] >= (uint)outputs)
                throw new ArgumentOutOfRangeException(parameterName, $"Label {targets[i]} at row {i} is outside [0, {outputs}): the model has {outputs} classes.");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double Sum(ReadOnlySpan<float> output, ReadOnlySpan<int> targets, int rows, int outputs)
    {
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            var row = output.Slice(i * outputs, outputs);
            int label = targets[i];
            if (FromLogits) total += Losses.LogSumExp(row) - row[label];
            else total -= Math.Log(Losses.Clip(row[label] / Losses.RowSum(row)));
        }
        return total;
    }

    public override Metric<int>[] DefaultMetrics(int outputs) => [new SparseCategoricalAccuracy()];
}

/// <summary>One-hot (or any probability) targets against a softmax output: −Σ t·log p per sample.</summary>
public sealed class CategoricalCrossentropyLoss : LossFunction<float>
{
    public CategoricalCrossentropyLoss(bool fromLogits = false) => FromLogits = fromLogits;

    public override string Name => "categorical_crossentropy";
    public override int TargetsPerSample(int outputs) => outputs;
    public override void CheckTargets(ReadOnlySpan<float> targets, int outputs, string parameterName) => Losses.CheckFinite(targets, parameterName, outputs, 0f, 1f);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double Sum(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
    {
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            var row = output.Slice(i * outputs, outputs);
            var t = targets.Slice(i * outputs, outputs);
            double lse = FromLogits ? Losses.LogSumExp(row) : 0, sum = FromLogits ? 0 : Losses.RowSum(row);
            for (int j = 0; j < outputs; j++)
                total -= t[j] * (FromLogits ? row[j] - lse : Math.Log(Losses.Clip(row[j] / sum)));
        }
        return total;
    }

    public override Metric<float>[] DefaultMetrics(int outputs) => [new CategoricalAccuracy()];
}

/// <summary>
/// Targets in [0, 1] against a sigmoid output: the mean over outputs of −(t·log p + (1 − t)·log(1 − p)), p
/// clipped to [1e-7, 1 − 1e-7]; from the logits, max(z, 0) − z·t + log(1 + e^−|z|).
/// </summary>
public sealed class BinaryCrossentropyLoss : LossFunction<float>
{
    public BinaryCrossentropyLoss(bool fromLogits = false) => FromLogits = fromLogits;

    public override string Name => "binary_crossentropy";
    public override int TargetsPerSample(int outputs) => outputs;
    public override void CheckTargets(ReadOnlySpan<float> targets, int outputs, string parameterName) => Losses.CheckFinite(targets, parameterName, outputs, 0f, 1f);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override double Sum(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
    {
        double total = 0;
        int count = rows * outputs;
        for (int i = 0; i < count; i++)
        {
            double t = targets[i], y = output[i];
            total += FromLogits
                ? Math.Max(y, 0) - y * t + Math.Log(1 + Math.Exp(-Math.Abs(y)))
                : -(t * Math.Log(Losses.Clip(y)) + (1 - t) * Math.Log(1 - Losses.Clip(y)));
        }
        return total / outputs;
    }

    public override Metric<float>[] DefaultMetrics(int outputs) => [new BinaryAccuracy(FromLogits ? 0f : 0.5f)];
}
