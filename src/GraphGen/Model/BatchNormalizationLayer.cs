namespace GraphGen;

/// <summary>
/// The tensors of one batch normalisation over C channels (the last axis), named as Keras names them: γ
/// (<c>{layer}.gamma</c>, ones) and β (<c>{layer}.beta</c>, zeros) are trained; the moving mean
/// (<c>{layer}.moving_mean</c>, zeros) and moving variance (<c>{layer}.moving_variance</c>, ones) are state the
/// training step moves towards each batch's statistics, which Predict and Evaluate normalise with (not trainable).
/// </summary>
public sealed class BatchNormalizationLayer : Layer
{
    public BatchNormalizationLayer(string name, int channels) : base(name)
    {
        Gamma = new Parameter(name + ".gamma", [channels], Training.Initializer.Ones);
        Beta = new Parameter(name + ".beta", [channels], Training.Initializer.Zeros);
        MovingMean = new Parameter(name + ".moving_mean", [channels], Training.Initializer.Zeros, trainable: false);
        MovingVariance = new Parameter(name + ".moving_variance", [channels], Training.Initializer.Ones, trainable: false);
        Parameters = [Gamma, Beta, MovingMean, MovingVariance];
    }

    public Parameter Gamma { get; }
    public Parameter Beta { get; }
    public Parameter MovingMean { get; }
    public Parameter MovingVariance { get; }
    public int Channels => Gamma.Length;

    /// <summary>γ, β, the moving mean and the moving variance, in Keras's order (the last two not trainable).</summary>
    public override IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Keras's fixed starts (ones, zeros, zeros, ones); the model's initializer overrides are for weights and biases, not these.</summary>
    internal override void Initialize(Training.SeededRandom random, Training.Initializer? weightInitializer, Training.Initializer? biasInitializer)
    {
        foreach (var p in Parameters) p.Initializer!.Fill(p.Data, Channels, Channels, random);
    }

    public override string ToString() => $"{Name}: BatchNormalization({Channels})";
}
