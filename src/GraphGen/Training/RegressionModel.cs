namespace GraphGen.Training;

/// <summary>Base of generated regression models: one float target per output, mean squared error.</summary>
public abstract class RegressionModel(int inputWidth, int outputWidth) : CompiledModel<float>(inputWidth, outputWidth)
{
    protected sealed override int TargetsPerSample => OutputWidth;

    protected sealed override void CheckTargets(ReadOnlySpan<float> targets, string parameterName)
    {
        for (int i = 0; i < targets.Length; i++)
            if (!float.IsFinite(targets[i]))
                throw new ArgumentException($"Target {targets[i]} at index {i} (row {i / OutputWidth}) is not a finite number.", parameterName);
    }

    protected sealed override bool HasAccuracy => false;

    protected sealed override long CountCorrect(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int batch)
        => throw new NotSupportedException("A regression model has no accuracy.");

    protected sealed override double LossSum(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int batch)
    {
        int count = batch * OutputWidth;
        // Per-sample loss is the mean over outputs, so the batch's sum of losses is the squared distance / outputs.
        double squared = 0;
        for (int i = 0; i < count; i++)
        {
            double d = output[i] - targets[i];
            squared += d * d;
        }
        return squared / OutputWidth;
    }
}
