namespace GraphGen.Generators.Model;

/// <summary>Padding as the runtime's <c>GraphGen.Padding</c> enum numbers it.</summary>
internal enum PaddingKind { Valid = 0, Same = 1 }

/// <summary>
/// One layer property, as written: its property, its name in weight files (<see cref="LayerName"/>) and where that
/// name is given (<see cref="Site"/>, the attribute). One record per kind of layer, each with its attribute's
/// arguments and their sites; adding a kind is a record here, a rule in <c>LayerParser</c> and one in <c>LayerRules</c>.
/// </summary>
internal abstract record LayerSpec(string PropertyName, string Modifiers, string LayerName, Site? Site)
{
    /// <summary>The attribute as Keras names the layer: Dense, Conv2D, …</summary>
    public abstract string Kind { get; }
}

/// <summary>A <c>[Dense]</c> property.</summary>
internal sealed record DenseLayerSpec(
    string PropertyName,
    string Modifiers,
    string LayerName,
    int Units,
    ActivationKind Activation,
    Site? Site,
    Site? ActivationSite,
    string? WeightInitializer = null,
    string? BiasInitializer = null) : LayerSpec(PropertyName, Modifiers, LayerName, Site)
{
    public override string Kind => "Dense";
}

/// <summary>A <c>[Conv2D]</c> property: a square kernel, the same stride both ways.</summary>
internal sealed record Conv2DLayerSpec(
    string PropertyName,
    string Modifiers,
    string LayerName,
    int Filters,
    int KernelSize,
    int Strides,
    PaddingKind Padding,
    ActivationKind Activation,
    Site? Site,
    Site? KernelSite,
    Site? StridesSite,
    Site? ActivationSite,
    string? WeightInitializer = null,
    string? BiasInitializer = null) : LayerSpec(PropertyName, Modifiers, LayerName, Site)
{
    public override string Kind => "Conv2D";
}

/// <summary>A <c>[MaxPooling2D]</c> property; <paramref name="Strides"/> is the pool size unless given.</summary>
internal sealed record MaxPooling2DLayerSpec(
    string PropertyName,
    string Modifiers,
    string LayerName,
    int PoolSize,
    int Strides,
    Site? Site,
    Site? PoolSite,
    Site? StridesSite) : LayerSpec(PropertyName, Modifiers, LayerName, Site)
{
    public override string Kind => "MaxPooling2D";
}

/// <summary>A <c>[Dropout(rate)]</c> property.</summary>
internal sealed record DropoutLayerSpec(string PropertyName, string Modifiers, string LayerName, double Rate, Site? Site)
    : LayerSpec(PropertyName, Modifiers, LayerName, Site)
{
    public override string Kind => "Dropout";
}

/// <summary>A <c>[BatchNormalization]</c> property.</summary>
internal sealed record BatchNormalizationLayerSpec(string PropertyName, string Modifiers, string LayerName, double Momentum, double Epsilon, Site? Site)
    : LayerSpec(PropertyName, Modifiers, LayerName, Site)
{
    public override string Kind => "BatchNormalization";
}

/// <summary>A <c>[Flatten]</c> property.</summary>
internal sealed record FlattenLayerSpec(string PropertyName, string Modifiers, string LayerName, Site? Site)
    : LayerSpec(PropertyName, Modifiers, LayerName, Site)
{
    public override string Kind => "Flatten";
}
