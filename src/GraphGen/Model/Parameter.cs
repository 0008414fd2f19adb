namespace GraphGen;

/// <summary>What a tensor whose newer values live on a device calls before the host reads them.</summary>
internal interface ITensorHost
{
    /// <summary>Brings the values (or, with <paramref name="gradient"/>, the gradients) to the host; the reader may change them.</summary>
    void BeforeHostRead(bool gradient);
}

/// <summary>A trainable tensor: its values, its gradient (same shape), its name in weight files and how it starts.</summary>
public sealed class Parameter : Tensor
{
    public Parameter(string name, params int[] shape) : this(name, shape, null) { }

    /// <param name="initializer">The initializer declared for it (null: the model's default for its rank).</param>
    public Parameter(string name, int[] shape, Training.Initializer? initializer) : this(name, shape, initializer, trainable: true) { }

    /// <param name="trainable">False for state the model keeps beside its weights (a batch normalisation's moving statistics): saved with them, never updated by an optimizer.</param>
    public Parameter(string name, int[] shape, Training.Initializer? initializer, bool trainable) : base(CheckName(name, shape))
    {
        Name = name;
        Initializer = initializer;
        Trainable = trainable;
        _gradient = new float[HostData.Length];
    }

    private readonly float[] _gradient;

    /// <summary>Name as in weight files: <c>layer.weight</c>, <c>layer.bias</c>, or a [Parameter] property's name.</summary>
    public string Name { get; }
    /// <summary>d loss / d Data after <c>ComputeGradients</c> or <c>TrainStep</c> (on a device, brought up to date first).</summary>
    public float[] Gradient
    {
        get
        {
            SyncHost?.BeforeHostRead(gradient: true);
            return _gradient;
        }
    }

    /// <summary>The gradient as it is on the host, without a sync.</summary>
    internal float[] HostGradient => _gradient;
    /// <summary>
    /// Whether an optimizer updates it (Keras's <c>trainable_weights</c>); a non-trainable tensor is state the model
    /// keeps, such as moving statistics: in <c>Weights</c>, weight files and checkpoints, with no gradient.
    /// </summary>
    public bool Trainable { get; }
    /// <summary>The initializer declared for this tensor, if any.</summary>
    public Training.Initializer? Initializer { get; }

    public override string ToString() => $"{Name} ({string.Join(", ", Shape)})";

    private static int[] CheckName(string name, int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        foreach (int d in shape)
            if (d <= 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Parameter '{name}': every dimension must be positive, got ({string.Join(", ", shape)}).");
        return shape;
    }
}

/// <summary>The parameters of one Dense layer: W of shape (in, out) and b of shape (out).</summary>
public sealed class DenseLayer : Layer
{
    /// <param name="weightInitializer">The weight initializer declared on the layer (null: glorot_uniform).</param>
    /// <param name="biasInitializer">The bias initializer declared on the layer (null: zeros).</param>
    public DenseLayer(string name, int inputs, int units, Training.Initializer? weightInitializer = null, Training.Initializer? biasInitializer = null)
        : base(name)
    {
        WeightInitializer = weightInitializer;
        BiasInitializer = biasInitializer;
        Inputs = inputs;
        Units = units;
        Weight = new Parameter(name + ".weight", inputs, units);
        Bias = new Parameter(name + ".bias", units);
        Parameters = [Weight, Bias];
    }

    public int Inputs { get; }
    public int Units { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    /// <summary>The initializers declared in the layer's attribute; a constructor argument of the model overrides them.</summary>
    public Training.Initializer? WeightInitializer { get; }
    public Training.Initializer? BiasInitializer { get; }

    public override IReadOnlyList<Parameter> Parameters { get; }

    internal override void Initialize(Training.SeededRandom random, Training.Initializer? weightInitializer, Training.Initializer? biasInitializer)
    {
        (weightInitializer ?? WeightInitializer ?? Training.Initializer.GlorotUniform).Fill(Weight.Data, Inputs, Units, random);
        (biasInitializer ?? BiasInitializer ?? Training.Initializer.Zeros).Fill(Bias.Data, Inputs, Units, random);
    }

    public override string ToString() => $"{Name}: Dense({Inputs} → {Units})";
}
