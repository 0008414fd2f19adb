using GraphGen.Generators.Model;

namespace GraphGen.Generators.Graph;

/// <summary>A trainable tensor: its node, its name in weight files, and the C# expression that holds it.</summary>
internal sealed record ParameterInfo(int Node, string Name, string Holder, int FanIn, int FanOut, bool IsBias);

/// <summary>A Dense layer as the generated class exposes it (property, field, sizes).</summary>
internal sealed record LayerInfo(string PropertyName, string Modifiers, string LayerName, string Field, int Inputs, int Units, ActivationKind Activation,
    string? WeightInitializer, string? BiasInitializer);

/// <summary>What the emitter needs about the class beside the graph.</summary>
internal sealed record ModelInfo(TypeIdentity Type, int InputWidth, int OutputWidth, LossKind Loss, bool FromLogits, EquatableArray<LayerInfo> Layers)
{
    /// <summary>Integer class labels (sparse categorical cross-entropy) rather than float targets.</summary>
    public bool SparseLabels => Loss == LossKind.SparseCategoricalCrossentropy;
}

/// <summary>
/// The forward graph: nodes in topological order, the model output, the loss (a scalar) and the parameters.
/// Front ends (Dense declarations now, [Forward] methods next) lower into this.
/// </summary>
internal sealed record ModelGraph(
    ModelInfo Info,
    EquatableArray<Node> Nodes,
    int Input,
    int Target,
    int Output,
    int Loss,
    EquatableArray<ParameterInfo> Parameters);
