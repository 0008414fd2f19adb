namespace GraphGen;

/// <summary>Marks a partial class as a GraphGen model. The source generator compiles it into training code.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>The loss the model is trained with.</summary>
    public Loss Loss { get; set; } = Loss.SparseCategoricalCrossentropy;
}

/// <summary>The width of one input sample (features per row).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class InputAttribute(int width) : Attribute
{
    public int Width { get; } = width;
}

/// <summary>
/// A fully connected layer, <c>y = activation(x·W + b)</c>, on a <c>partial DenseLayer</c> property.
/// Declaration order of the properties is the order of the layers.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DenseAttribute(int units, Activation activation = Activation.Linear) : Attribute
{
    public int Units { get; } = units;
    public Activation Activation { get; } = activation;

    /// <summary>The layer's name in weight files and messages; defaults to the property name in snake_case.</summary>
    public string? Name { get; set; }
}

/// <summary>Element-wise activations a layer can apply to <c>x·W + b</c>.</summary>
public enum Activation
{
    Linear = 0,
    Relu = 1,
    Tanh = 2,
    Sigmoid = 3,
    /// <summary>Only on the last layer; trained fused with cross-entropy from the logits.</summary>
    Softmax = 4,
}

/// <summary>Training losses. Each is the mean over the batch, as in Keras.</summary>
public enum Loss
{
    /// <summary>Integer class labels against a softmax output: mean of −log p[label].</summary>
    SparseCategoricalCrossentropy = 0,
    /// <summary>Float targets against a linear output: mean over batch and outputs of (y − t)².</summary>
    MeanSquaredError = 1,
}
