namespace GraphGen.Generators.Model;

/// <summary>Activation names as the runtime's <c>GraphGen.Activation</c> enum numbers them.</summary>
internal enum ActivationKind { Linear = 0, Relu = 1, Tanh = 2, Sigmoid = 3, Softmax = 4, LeakyRelu = 5, Elu = 6, Gelu = 7, Softplus = 8 }

/// <summary>Loss names as the runtime's <c>GraphGen.Loss</c> enum numbers them.</summary>
internal enum LossKind
{
    SparseCategoricalCrossentropy = 0, MeanSquaredError = 1, CategoricalCrossentropy = 2, BinaryCrossentropy = 3, MeanAbsoluteError = 4,
}

/// <summary>A type that encloses the model class (the generated part must repeat it).</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>Where the generated partial class goes and what it is called.</summary>
internal sealed record TypeIdentity(string? Namespace, EquatableArray<ContainingType> Containers, string Name)
{
    public string FullName => (Namespace is null ? "" : Namespace + ".")
        + string.Concat(System.Linq.Enumerable.Select(Containers, c => c.Name + ".")) + Name;
}

/// <summary>
/// The whole declaration of a model, the Parsing stage's output: either an input shape and layers (Dense, Conv2D, …
/// in declaration order) or a [Forward] method (<paramref name="Forward"/>), which lower into the same IR.
/// <paramref name="InputShape"/> is (features) or (height, width, channels); empty for a [Forward] model.
/// </summary>
internal sealed record ModelSpec(
    TypeIdentity Type,
    EquatableArray<int> InputShape,
    LossKind Loss,
    EquatableArray<LayerSpec> Layers,
    Site? Site,
    Site? LossSite,
    bool FromLogits = false,
    Site? FromLogitsSite = null,
    ForwardSpec? Forward = null,
    Site? InputSite = null)
{
    /// <summary>Values per sample: the product of the input shape.</summary>
    public int InputWidth => System.Linq.Enumerable.Aggregate(InputShape, 1, (p, d) => p * d);
}
