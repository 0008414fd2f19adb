namespace GraphGen.Training;

/// <summary>Float targets: the mean over outputs of (y − t)² per sample.</summary>
public sealed class MeanSquaredErrorLoss : LossFunction<float>
{
    public override string Name => "mean_squared_error";
    public override int TargetsPerSample(int outputs) => outputs;
    public override void CheckTargets(ReadOnlySpan<float> targets, int outputs, string parameterName) => Losses.CheckFinite(targets, parameterName, outputs);

    public override double Sum(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
    {
        double total = 0;
        for (int i = 0; i < rows * outputs; i++)
        {
            double d = output[i] - (double)targets[i];
            total += d * d;
        }
        return total / outputs;
    }

    public override Metric<float>[] DefaultMetrics(int outputs) => [new MeanAbsoluteErrorMetric(), new MeanSquaredErrorMetric()];
}

/// <summary>Float targets: the mean over outputs of |y − t| per sample.</summary>
public sealed class MeanAbsoluteErrorLoss : LossFunction<float>
{
    public override string Name => "mean_absolute_error";
    public override int TargetsPerSample(int outputs) => outputs;
    public override void CheckTargets(ReadOnlySpan<float> targets, int outputs, string parameterName) => Losses.CheckFinite(targets, parameterName, outputs);

    public override double Sum(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int outputs)
    {
        double total = 0;
        for (int i = 0; i < rows * outputs; i++) total += Math.Abs(output[i] - (double)targets[i]);
        return total / outputs;
    }

    public override Metric<float>[] DefaultMetrics(int outputs) => [new MeanAbsoluteErrorMetric(), new MeanSquaredErrorMetric()];
}
