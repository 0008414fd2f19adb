using System.Numerics.Tensors;

namespace GraphGen.Training;

/// <summary>Updates parameters from their gradients after each batch.</summary>
public abstract class Optimizer
{
    /// <summary>Applies one update to every parameter from its <see cref="Parameter.Gradient"/>.</summary>
    public abstract void Step(IReadOnlyList<Parameter> parameters);
}

/// <summary>Plain stochastic gradient descent: w ← w − lr · g. Keras's default learning rate is 0.01.</summary>
public sealed class Sgd : Optimizer
{
    public Sgd(float learningRate = 0.01f)
    {
        if (!(learningRate > 0) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive finite number.");
        LearningRate = learningRate;
    }

    public float LearningRate { get; }

    public override void Step(IReadOnlyList<Parameter> parameters)
    {
        // An indexed loop: foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            TensorPrimitives.MultiplyAdd(p.Gradient, -LearningRate, p.Data, p.Data);
        }
    }

    public override string ToString() => $"SGD(learning rate {LearningRate})";
}
