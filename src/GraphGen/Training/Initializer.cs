using System.Globalization;

namespace GraphGen.Training;

/// <summary>How a parameter's first values are drawn. Keras's defaults: glorot_uniform weights, zero biases.</summary>
public abstract record Initializer
{
    public static Initializer GlorotUniform { get; } = new GlorotUniformInitializer();
    public static Initializer Zeros { get; } = new ConstantInitializer(0f);
    public static Initializer Uniform(float min, float max) => new UniformInitializer(min, max);
    public static Initializer Normal(float mean, float std) => new NormalInitializer(mean, std);

    /// <summary>Fills <paramref name="values"/>, a tensor of fan-in <paramref name="fanIn"/> and fan-out <paramref name="fanOut"/>.</summary>
    public abstract void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random);

    /// <summary>
    /// Parses the command-line form: <c>glorot</c>, <c>zeros</c>, <c>uniform:MIN:MAX</c> or <c>normal:MEAN:STD</c>.
    /// </summary>
    public static Initializer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        float Number(int i) => float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
            ? v
            : throw new FormatException($"Initializer '{text}': '{parts[i]}' is not a finite number.");
        return (parts[0].ToLowerInvariant(), parts.Length) switch
        {
            ("glorot" or "glorot_uniform", 1) => GlorotUniform,
            ("zeros", 1) => Zeros,
            ("uniform", 3) => Number(1) < Number(2) ? Uniform(Number(1), Number(2))
                : throw new FormatException($"Initializer '{text}': MIN must be below MAX."),
            ("normal", 3) => Number(2) >= 0 ? Normal(Number(1), Number(2))
                : throw new FormatException($"Initializer '{text}': STD must not be negative."),
            _ => throw new FormatException($"Initializer '{text}' is not one of glorot, zeros, uniform:MIN:MAX, normal:MEAN:STD."),
        };
    }
}

/// <summary>Uniform in ±sqrt(6 / (fanIn + fanOut)) (Glorot &amp; Bengio, 2010).</summary>
public sealed record GlorotUniformInitializer : Initializer
{
    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    }
}

public sealed record ConstantInitializer(float Value) : Initializer
{
    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random) => values.Fill(Value);
}

public sealed record UniformInitializer(float Min, float Max) : Initializer
{
    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Min + random.NextDouble() * (Max - Min));
    }
}

public sealed record NormalInitializer(float Mean, float Std) : Initializer
{
    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Mean + random.NextNormal() * Std);
    }
}
