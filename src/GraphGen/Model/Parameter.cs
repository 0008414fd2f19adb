namespace GraphGen;

/// <summary>A trainable tensor: its values, its gradient (same shape), its name in weight files and how it starts.</summary>
public sealed class Parameter : Tensor
{
    public Parameter(string name, params int[] shape) : this(name, shape, null) { }

    /// <param name="initializer">The initializer declared for it (null: the model's default for its rank).</param>
    public Parameter(string name, int[] shape, Training.Initializer? initializer) : base(CheckName(name, shape))
    {
        Name = name;
        Initializer = initializer;
        Gradient = new float[Data.Length];
    }

    /// <summary>Name as in weight files: <c>layer.weight</c>, <c>layer.bias</c>, or a [Parameter] property's name.</summary>
    public string Name { get; }
    /// <summary>d loss / d Data after <c>ComputeGradients</c> or <c>TrainStep</c>.</summary>
    public float[] Gradient { get; }
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
public sealed class DenseLayer
{
    /// <param name="weightInitializer">The weight initializer declared on the layer (null: glorot_uniform).</param>
    /// <param name="biasInitializer">The bias initializer declared on the layer (null: zeros).</param>
    public DenseLayer(string name, int inputs, int units, Training.Initializer? weightInitializer = null, Training.Initializer? biasInitializer = null)
    {
        WeightInitializer = weightInitializer;
        BiasInitializer = biasInitializer;
        Name = name;
        Inputs = inputs;
        Units = units;
        Weight = new Parameter(name + ".weight", inputs, units);
        Bias = new Parameter(name + ".bias", units);
    }

    public string Name { get; }
    public int Inputs { get; }
    public int Units { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    /// <summary>The initializers declared in the layer's attribute; a constructor argument of the model overrides them.</summary>
    public Training.Initializer? WeightInitializer { get; }
    public Training.Initializer? BiasInitializer { get; }

    public override string ToString() => $"{Name}: Dense({Inputs} → {Units})";
}
