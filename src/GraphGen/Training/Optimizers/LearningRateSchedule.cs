namespace GraphGen.Training;

/// <summary>
/// The learning rate as a function of the optimizer's step count, as Keras's
/// <c>keras.optimizers.schedules</c>. A plain number converts implicitly to a <see cref="ConstantLearningRate"/>,
/// so <c>new Sgd(0.1f)</c> and <c>new Sgd(LearningRateSchedule.CosineDecay(0.1f, 1000))</c> both read naturally.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate for the step after <paramref name="iterations"/> steps.</summary>
    public abstract float At(long iterations);

    public static implicit operator LearningRateSchedule(float learningRate) => new ConstantLearningRate(learningRate);
    public static implicit operator LearningRateSchedule(double learningRate) => new ConstantLearningRate((float)learningRate);

    public static LearningRateSchedule Constant(float learningRate) => new ConstantLearningRate(learningRate);

    /// <summary>lr·rate^(step / decaySteps), the exponent floored when <paramref name="staircase"/>.</summary>
    public static LearningRateSchedule ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
        => new ExponentialDecayLearningRate(initialLearningRate, decaySteps, decayRate, staircase);

    /// <summary>lr·((1 − α)·½(1 + cos(π·min(step, decaySteps) / decaySteps)) + α).</summary>
    public static LearningRateSchedule CosineDecay(float initialLearningRate, long decaySteps, float alpha = 0f)
        => new CosineDecayLearningRate(initialLearningRate, decaySteps, alpha);

    internal static void CheckRate(float value, string name)
    {
        if (!(value >= 0) || !float.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, "A learning rate must be a finite number ≥ 0.");
    }
}

public sealed record ConstantLearningRate : LearningRateSchedule
{
    public ConstantLearningRate(float value)
    {
        CheckRate(value, nameof(value));
        Value = value;
    }

    public float Value { get; }
    public override float At(long iterations) => Value;
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record ExponentialDecayLearningRate : LearningRateSchedule
{
    public ExponentialDecayLearningRate(float initialLearningRate, long decaySteps, float decayRate, bool staircase)
    {
        CheckRate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!(decayRate > 0) || !float.IsFinite(decayRate)) throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "The decay rate must be a positive finite number.");
        (InitialLearningRate, DecaySteps, DecayRate, Staircase) = (initialLearningRate, decaySteps, decayRate, staircase);
    }

    public float InitialLearningRate { get; }
    public long DecaySteps { get; }
    public float DecayRate { get; }
    public bool Staircase { get; }

    public override float At(long iterations)
    {
        double p = (double)iterations / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return (float)(InitialLearningRate * Math.Pow(DecayRate, p));
    }

    public override string ToString() => $"exponential_decay({InitialLearningRate}, {DecaySteps} steps, rate {DecayRate})";
}

public sealed record CosineDecayLearningRate : LearningRateSchedule
{
    public CosineDecayLearningRate(float initialLearningRate, long decaySteps, float alpha)
    {
        CheckRate(initialLearningRate, nameof(initialLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1].");
        (InitialLearningRate, DecaySteps, Alpha) = (initialLearningRate, decaySteps, alpha);
    }

    public float InitialLearningRate { get; }
    public long DecaySteps { get; }
    public float Alpha { get; }

    public override float At(long iterations)
    {
        double progress = Math.Min(iterations, DecaySteps) / (double)DecaySteps;
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return (float)(InitialLearningRate * ((1 - Alpha) * cosine + Alpha));
    }

    public override string ToString() => $"cosine_decay({InitialLearningRate}, {DecaySteps} steps, alpha {Alpha})";
}
