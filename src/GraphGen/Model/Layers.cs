namespace GraphGen;

/// <summary>
/// One layer of a model declared with layer attributes ([Dense], [Conv2D], [MaxPooling2D], [Flatten], …), in
/// declaration order: its name in weight files and messages and its trainable tensors (none for a layer that only
/// moves values).
/// </summary>
public abstract class Layer
{
    private protected Layer(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    public string Name { get; }

    /// <summary>The layer's trainable tensors in weight-file order (weight, then bias).</summary>
    public abstract IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Draws the parameters from <paramref name="random"/>: the override, else the declared initializer, else Keras's default.</summary>
    internal abstract void Initialize(Training.SeededRandom random, Training.Initializer? weightInitializer, Training.Initializer? biasInitializer);
}

/// <summary>
/// The parameters of one 2-D convolution over NHWC images: the kernel W of shape (kernel height, kernel width, input
/// channels, filters), as Keras lays it out, and the bias b of shape (filters).
/// </summary>
public sealed class Conv2DLayer : Layer
{
    /// <param name="weightInitializer">The kernel initializer declared on the layer (null: glorot_uniform with Keras's fans).</param>
    /// <param name="biasInitializer">The bias initializer declared on the layer (null: zeros).</param>
    public Conv2DLayer(string name, int kernelHeight, int kernelWidth, int channels, int filters,
        Training.Initializer? weightInitializer = null, Training.Initializer? biasInitializer = null) : base(name)
    {
        Weight = new Parameter(name + ".weight", kernelHeight, kernelWidth, channels, filters);
        Bias = new Parameter(name + ".bias", filters);
        WeightInitializer = weightInitializer;
        BiasInitializer = biasInitializer;
        Parameters = [Weight, Bias];
    }

    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public int Filters => Bias.Length;
    public Training.Initializer? WeightInitializer { get; }
    public Training.Initializer? BiasInitializer { get; }
    public override IReadOnlyList<Parameter> Parameters { get; }

    internal override void Initialize(Training.SeededRandom random, Training.Initializer? weightInitializer, Training.Initializer? biasInitializer)
    {
        // Keras's fans of a kernel: receptive field × input channels in, receptive field × filters out.
        var (fanIn, fanOut) = Training.Initializer.Fans(Weight.Shape);
        (weightInitializer ?? WeightInitializer ?? Training.Initializer.GlorotUniform).Fill(Weight.Data, fanIn, fanOut, random);
        (biasInitializer ?? BiasInitializer ?? Training.Initializer.Zeros).Fill(Bias.Data, fanIn, fanOut, random);
    }

    public override string ToString() => $"{Name}: Conv2D({string.Join("×", Weight.Shape)})";
}

/// <summary>A layer without trainable tensors (max pooling, flatten): what a <c>partial Layer</c> property of such a layer holds.</summary>
public sealed class ParameterlessLayer : Layer
{
    public ParameterlessLayer(string name, string kind) : base(name)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        Kind = kind;
    }

    /// <summary>The attribute that declared it, as Keras names the layer: MaxPooling2D, Flatten.</summary>
    public string Kind { get; }
    public override IReadOnlyList<Parameter> Parameters => [];

    internal override void Initialize(Training.SeededRandom random, Training.Initializer? weightInitializer, Training.Initializer? biasInitializer) { }

    public override string ToString() => $"{Name}: {Kind}";
}
