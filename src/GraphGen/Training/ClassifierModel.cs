using System.Numerics.Tensors;

namespace GraphGen.Training;

/// <summary>Base of generated classifiers: integer labels in [0, classes), softmax probabilities out.</summary>
public abstract class ClassifierModel(int inputWidth, int outputWidth) : CompiledModel<int>(inputWidth, outputWidth)
{
    protected sealed override int TargetsPerSample => 1;
    protected sealed override bool HasAccuracy => true;

    /// <summary>The most probable class of every row of x.</summary>
    public int[] PredictClasses(ReadOnlySpan<float> x)
    {
        var probabilities = Predict(x);
        var classes = new int[probabilities.Length / OutputWidth];
        for (int i = 0; i < classes.Length; i++) classes[i] = TensorPrimitives.IndexOfMax(probabilities.AsSpan(i * OutputWidth, OutputWidth));
        return classes;
    }

    protected sealed override void CheckTargets(ReadOnlySpan<int> targets, string parameterName)
    {
        for (int i = 0; i < targets.Length; i++)
            if ((uint)targets[i] >= (uint)OutputWidth)
                throw new ArgumentOutOfRangeException(parameterName, $"Label {targets[i]} at row {i} is outside [0, {OutputWidth}): the model has {OutputWidth} classes.");
    }

    protected sealed override double LossSum(ReadOnlySpan<float> output, ReadOnlySpan<int> targets, int batch)
        => Cpu.Kernels.CrossEntropyOfProbabilities(output, targets, batch, OutputWidth) * (double)batch;

    protected sealed override long CountCorrect(ReadOnlySpan<float> output, ReadOnlySpan<int> targets, int batch)
    {
        long correct = 0;
        for (int i = 0; i < batch; i++)
            if (TensorPrimitives.IndexOfMax(output.Slice(i * OutputWidth, OutputWidth)) == targets[i]) correct++;
        return correct;
    }
}
