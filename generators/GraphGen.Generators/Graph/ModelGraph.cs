using GraphGen.Generators.Model;

namespace GraphGen.Generators.Graph;

/// <summary>Which part of its member a parameter is: a Dense layer's weight or bias, or a whole [Parameter] property or function argument.</summary>
internal enum ParameterPart { Whole, Weight, Bias, Gamma, Beta, MovingMean, MovingVariance }

/// <summary>
/// A trainable tensor: its node, its name in weight files, and whose it is: <paramref name="Member"/> indexes the
/// owner's layers, declared parameters or function arguments. Each emitter spells where it lives.
/// </summary>
internal sealed record ParameterInfo(int Node, string Name, int Member, ParameterPart Part)
{
    /// <summary>False for state the model keeps beside its weights (moving statistics): no gradient reaches it, no optimizer updates it.</summary>
    public bool Trainable { get; init; } = true;
}

/// <summary>
/// A layer as the generated class exposes it: its property (of <paramref name="PropertyType"/>), the runtime object
/// behind it (a <c>GraphGen.<paramref name="RuntimeType"/></c> made from the name, <paramref name="Arguments"/> and the
/// declared initializers), and the comment text: what it computes and the tensors it holds.
/// </summary>
internal sealed record LayerInfo(string PropertyName, string Modifiers, string LayerName, string PropertyType, string RuntimeType,
    EquatableArray<string> Arguments, string Description, string Holds, long ParameterCount, string? WeightInitializer, string? BiasInitializer);

/// <summary>A [Parameter] property as the generated class exposes it.</summary>
internal sealed record DeclaredParameterInfo(string PropertyName, string Modifiers, string TypeName, EquatableArray<int> Shape, string? Initializer)
{
    public bool Trainable { get; init; } = true;

    public long Count => System.Linq.Enumerable.Aggregate(Shape, 1L, (p, d) => p * d);
}

/// <summary>What the graph is compiled into: a model class or a [Differentiable] function's gradient.</summary>
internal abstract record GraphOwner(TypeIdentity Type);

/// <summary>
/// What the emitter needs about a model class beside the graph. Dense models have <paramref name="Layers"/>;
/// [Forward] models have <paramref name="Declared"/> parameters and the widths of their inputs, which arrive
/// side by side in one row. <paramref name="MixesBatchRows"/>: a sample's output depends on the other rows of its
/// batch (<see cref="RowDependence"/>), so Predict and Evaluate run the whole input as one batch. <paramref name="InputShape"/>
/// is an image model's (height, width, channels), empty otherwise.
/// </summary>
internal sealed record ModelInfo(TypeIdentity Type, int InputWidth, int OutputWidth, LossKind Loss, bool FromLogits, EquatableArray<LayerInfo> Layers,
    string? ForwardMethod = null, EquatableArray<DeclaredParameterInfo> Declared = default, EquatableArray<int> InputWidths = default,
    bool MixesBatchRows = false, EquatableArray<int> InputShape = default) : GraphOwner(Type)
{
    /// <summary>Integer class labels (sparse categorical cross-entropy) rather than float targets.</summary>
    public bool SparseLabels => Loss == LossKind.SparseCategoricalCrossentropy;
}

/// <summary>A [Differentiable] function: where its gradient method goes, its arguments, what it returns and its file's hint name.</summary>
internal sealed record FunctionInfo(TypeIdentity Type, string ContainerKeyword, string Name, string Modifiers, bool ReturnsScalar,
    EquatableArray<ArgumentSpec> Arguments, string HintName) : GraphOwner(Type);

/// <summary>
/// The forward graph: nodes in topological order, the output, the value differentiated (a model's loss, a scalar;
/// a function's result, summed if it is a tensor) and the parameters. Both front ends (Dense declarations and
/// [Forward] bodies) and [Differentiable] functions lower into this; a function's arguments are its parameters.
/// </summary>
internal sealed record ModelGraph(
    GraphOwner Owner,
    EquatableArray<Node> Nodes,
    int Output,
    int Loss,
    EquatableArray<ParameterInfo> Parameters);
