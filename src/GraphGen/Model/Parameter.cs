namespace GraphGen;

/// <summary>A trainable tensor: its values, its gradient (same shape) and where it came from.</summary>
public sealed class Parameter
{
    public Parameter(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        long count = 1;
        foreach (int d in shape)
        {
            if (d <= 0) throw new ArgumentOutOfRangeException(nameof(shape), $"Parameter '{name}': every dimension must be positive, got ({string.Join(", ", shape)}).");
            count *= d;
        }
        if (count > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(shape), $"Parameter '{name}': {count} elements do not fit in one array.");
        Name = name;
        Shape = shape;
        Data = new float[count];
        Gradient = new float[count];
    }

    /// <summary>Name as in weight files: <c>layer.weight</c> or <c>layer.bias</c>.</summary>
    public string Name { get; }
    public IReadOnlyList<int> Shape { get; }
    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }
    /// <summary>d loss / d Data after <c>ComputeGradients</c> or <c>TrainStep</c>.</summary>
    public float[] Gradient { get; }
    public int Length => Data.Length;

    public override string ToString() => $"{Name} ({string.Join(", ", Shape)})";
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
