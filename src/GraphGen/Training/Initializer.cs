using System.Globalization;

namespace GraphGen.Training;

/// <summary>
/// How a parameter's first values are drawn, with Keras's formulas and defaults: glorot_uniform weights and zero
/// biases unless a layer declares otherwise. fan_in and fan_out are the layer's inputs and units.
/// </summary>
public abstract record Initializer
{
    public static Initializer Zeros { get; } = new ConstantInitializer(0f);
    public static Initializer Ones { get; } = new ConstantInitializer(1f);
    public static Initializer GlorotUniform { get; } = new VarianceScalingInitializer("glorot_uniform", 1, FanMode.Average, Distribution.Uniform);
    public static Initializer GlorotNormal { get; } = new VarianceScalingInitializer("glorot_normal", 1, FanMode.Average, Distribution.TruncatedNormal);
    public static Initializer HeUniform { get; } = new VarianceScalingInitializer("he_uniform", 2, FanMode.In, Distribution.Uniform);
    public static Initializer HeNormal { get; } = new VarianceScalingInitializer("he_normal", 2, FanMode.In, Distribution.TruncatedNormal);
    public static Initializer LecunUniform { get; } = new VarianceScalingInitializer("lecun_uniform", 1, FanMode.In, Distribution.Uniform);
    public static Initializer LecunNormal { get; } = new VarianceScalingInitializer("lecun_normal", 1, FanMode.In, Distribution.TruncatedNormal);
    public static Initializer Constant(float value) => new ConstantInitializer(value);
    /// <summary>Uniform in [min, max); Keras's RandomUniform defaults to [−0.05, 0.05).</summary>
    public static Initializer Uniform(float min = -0.05f, float max = 0.05f) => new UniformInitializer(min, max);
    /// <summary>Normal(mean, std); Keras's RandomNormal defaults to (0, 0.05).</summary>
    public static Initializer Normal(float mean = 0f, float std = 0.05f) => new NormalInitializer(mean, std);
    /// <summary>Normal(mean, std) with draws beyond two standard deviations drawn again; Keras's default (0, 0.05).</summary>
    public static Initializer TruncatedNormal(float mean = 0f, float std = 0.05f) => new TruncatedNormalInitializer(mean, std);

    /// <summary>Fills <paramref name="values"/>, a tensor of fan-in <paramref name="fanIn"/> and fan-out <paramref name="fanOut"/>.</summary>
    public abstract void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random);

    /// <summary>
    /// Keras's fans for a tensor shape: (in, out) for a matrix, the length twice for a vector, 1 for a scalar, and
    /// for more axes the last two dimensions times the receptive field (the product of the others).
    /// </summary>
    public static (int FanIn, int FanOut) Fans(IReadOnlyList<int> shape)
    {
        if (shape.Count == 0) return (1, 1);
        if (shape.Count == 1) return (shape[0], shape[0]);
        long receptive = 1;
        for (int i = 0; i < shape.Count - 2; i++) receptive *= shape[i];
        return ((int)Math.Min(int.MaxValue, shape[^2] * receptive), (int)Math.Min(int.MaxValue, shape[^1] * receptive));
    }

    /// <summary>The names <see cref="Parse"/> accepts, with their arguments.</summary>
    public const string Grammar = "zeros | ones | constant:V | uniform[:MIN:MAX] | normal[:MEAN:STD] | truncated_normal[:MEAN:STD] | " +
        "glorot_uniform (glorot) | glorot_normal | he_uniform | he_normal | lecun_uniform | lecun_normal";

    /// <summary>
    /// Parses Keras's initializer names, with arguments after colons: <c>he_normal</c>, <c>uniform:0:0.1</c>,
    /// <c>normal:0:0.01</c>, <c>constant:0.1</c>. The generator checks the same grammar at compile time.
    /// </summary>
    public static Initializer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split(':');
        float Number(int i) => float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
            ? v
            : throw new FormatException($"Initializer '{text}': '{parts[i]}' is not a finite number.");
        try
        {
            return Create(text, parts, Number);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new FormatException($"Initializer '{text}': {e.Message.Split(" (Parameter")[0]}", e);
        }
    }

    private static Initializer Create(string text, string[] parts, Func<int, float> Number)
        => (parts[0].ToLowerInvariant(), parts.Length) switch
        {
            ("zeros", 1) => Zeros,
            ("ones", 1) => Ones,
            ("constant", 2) => Constant(Number(1)),
            ("uniform", 1) => Uniform(),
            ("uniform", 3) => Uniform(Number(1), Number(2)),
            ("normal", 1) => Normal(),
            ("normal", 3) => Normal(Number(1), Number(2)),
            ("truncated_normal", 1) => TruncatedNormal(),
            ("truncated_normal", 3) => TruncatedNormal(Number(1), Number(2)),
            ("glorot" or "glorot_uniform", 1) => GlorotUniform,
            ("glorot_normal", 1) => GlorotNormal,
            ("he_uniform", 1) => HeUniform,
            ("he_normal", 1) => HeNormal,
            ("lecun_uniform", 1) => LecunUniform,
            ("lecun_normal", 1) => LecunNormal,
            _ => throw new FormatException($"Initializer '{text}' is not one of: {Grammar}."),
        };

    internal static double TruncatedDraw(SeededRandom random)
    {
        double z;
        do z = random.NextNormal(); while (Math.Abs(z) > 2);
        return z;
    }
}

public enum FanMode { In, Out, Average }
public enum Distribution { Uniform, TruncatedNormal, Normal }

/// <summary>
/// Keras's VarianceScaling, the family behind glorot, he and lecun: variance scale / n with n the fan-in, fan-out
/// or their mean; uniform in ±√(3·scale/n), or a truncated normal whose standard deviation is
/// √(scale/n) / 0.8796 (so the truncated draw keeps the intended variance).
/// </summary>
public sealed record VarianceScalingInitializer(string Name, double Scale, FanMode Mode, Distribution Distribution) : Initializer
{
    private const double TruncationCorrection = 0.87962566103423978;

    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        double n = Mode switch { FanMode.In => fanIn, FanMode.Out => fanOut, _ => (fanIn + fanOut) / 2.0 };
        double variance = Scale / Math.Max(1, n);
        switch (Distribution)
        {
            case Distribution.Uniform:
                double limit = Math.Sqrt(3 * variance);
                for (int i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * limit);
                break;
            case Distribution.TruncatedNormal:
                double truncatedStd = Math.Sqrt(variance) / TruncationCorrection;
                for (int i = 0; i < values.Length; i++) values[i] = (float)(TruncatedDraw(random) * truncatedStd);
                break;
            default:
                double std = Math.Sqrt(variance);
                for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextNormal() * std);
                break;
        }
    }

    public override string ToString() => Name;
}

public sealed record ConstantInitializer(float Value) : Initializer
{
    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random) => values.Fill(Value);
    public override string ToString() => Value == 0 ? "zeros" : $"constant:{Value.ToString(CultureInfo.InvariantCulture)}";
}

public sealed record UniformInitializer : Initializer
{
    public UniformInitializer(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || !(min < max))
            throw new ArgumentOutOfRangeException(nameof(max), $"Uniform({min}, {max}): MIN must be below MAX, both finite.");
        (Min, Max) = (min, max);
    }

    public float Min { get; }
    public float Max { get; }

    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Min + random.NextDouble() * (Max - Min));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"uniform:{Min}:{Max}");
}

public sealed record NormalInitializer : Initializer
{
    public NormalInitializer(float mean, float std)
    {
        if (!float.IsFinite(mean) || !float.IsFinite(std) || std < 0)
            throw new ArgumentOutOfRangeException(nameof(std), $"Normal({mean}, {std}): STD must be ≥ 0, both finite.");
        (Mean, Std) = (mean, std);
    }

    public float Mean { get; }
    public float Std { get; }

    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Mean + random.NextNormal() * Std);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"normal:{Mean}:{Std}");
}

public sealed record TruncatedNormalInitializer : Initializer
{
    public TruncatedNormalInitializer(float mean, float std)
    {
        if (!float.IsFinite(mean) || !float.IsFinite(std) || std < 0)
            throw new ArgumentOutOfRangeException(nameof(std), $"TruncatedNormal({mean}, {std}): STD must be ≥ 0, both finite.");
        (Mean, Std) = (mean, std);
    }

    public float Mean { get; }
    public float Std { get; }

    public override void Fill(Span<float> values, int fanIn, int fanOut, SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Mean + TruncatedDraw(random) * Std);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"truncated_normal:{Mean}:{Std}");
}
