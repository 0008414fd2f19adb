using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

// Hidden from IntelliSense: these types exist for the generated code (and the benchmarks); a model's user never calls them.

/// <summary>
/// An element-wise activation as static abstract members, so a generic epilogue specialises on it at JIT time
/// and the activation costs no call. The derivative is written in terms of the output y, which is what the
/// backward pass keeps — except for <see cref="Gelu"/>, whose derivative is written in terms of its input x, which
/// the generated code keeps for it instead.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IActivation
{
    static abstract float Forward(float x);
    static abstract Vector256<float> Forward(Vector256<float> x);
    static abstract Vector512<float> Forward(Vector512<float> x);
    /// <summary>dy/dx expressed through y = Forward(x).</summary>
    static abstract float Derivative(float y);
    static abstract Vector256<float> Derivative(Vector256<float> y);
    static abstract Vector512<float> Derivative(Vector512<float> y);
}

[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Linear : IActivation
{
    public static float Forward(float x) => x;
    public static Vector256<float> Forward(Vector256<float> x) => x;
    public static Vector512<float> Forward(Vector512<float> x) => x;
    public static float Derivative(float y) => 1f;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256<float>.One;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512<float>.One;
}

/// <summary>max(x, 0); derivative 1 where y &gt; 0, else 0.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Relu : IActivation
{
    public static float Forward(float x) => x > 0f ? x : 0f;
    public static Vector256<float> Forward(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public static Vector512<float> Forward(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
    public static float Derivative(float y) => y > 0f ? 1f : 0f;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256.GreaterThan(y, Vector256<float>.Zero) & Vector256<float>.One;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512.GreaterThan(y, Vector512<float>.Zero) & Vector512<float>.One;
}

/// <summary>tanh(x) = 1 − 2 / (e^{2x} + 1), exact at ±∞; derivative 1 − y².</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Tanh : IActivation
{
    public static float Forward(float x) => MathF.Tanh(x);
    public static Vector256<float> Forward(Vector256<float> x)
        => Vector256<float>.One - Vector256.Create(2f) / (Vector256.Exp(x + x) + Vector256<float>.One);
    public static Vector512<float> Forward(Vector512<float> x)
        => Vector512<float>.One - Vector512.Create(2f) / (Vector512.Exp(x + x) + Vector512<float>.One);
    public static float Derivative(float y) => 1f - y * y;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256<float>.One - y * y;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512<float>.One - y * y;
}

/// <summary>1 / (1 + e^{−x}); derivative y (1 − y).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Sigmoid : IActivation
{
    public static float Forward(float x) => 1f / (1f + MathF.Exp(-x));
    public static Vector256<float> Forward(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
    public static Vector512<float> Forward(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));
    public static float Derivative(float y) => y * (1f - y);
    public static Vector256<float> Derivative(Vector256<float> y) => y * (Vector256<float>.One - y);
    public static Vector512<float> Derivative(Vector512<float> y) => y * (Vector512<float>.One - y);
}

/// <summary>x for x &gt; 0, else αx (Keras's leaky_relu, α = 0.2); derivative 1 or α, read off the sign of y.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct LeakyRelu : IActivation
{
    public const float Slope = 0.2f;
    public static float Forward(float x) => x > 0f ? x : Slope * x;
    public static Vector256<float> Forward(Vector256<float> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, x * Slope);
    public static Vector512<float> Forward(Vector512<float> x) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * Slope);
    public static float Derivative(float y) => y > 0f ? 1f : Slope;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, Vector256.Create(Slope));
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, Vector512.Create(Slope));
}

/// <summary>x for x &gt; 0, else e^x − 1 (Keras's elu, α = 1); derivative 1, or y + 1 = e^x.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Elu : IActivation
{
    public static float Forward(float x) => x > 0f ? x : MathF.Exp(x) - 1f;
    public static Vector256<float> Forward(Vector256<float> x)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x, Vector256.Exp(Vector256.Min(x, Vector256<float>.Zero)) - Vector256<float>.One);
    public static Vector512<float> Forward(Vector512<float> x)
        => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, Vector512.Exp(Vector512.Min(x, Vector512<float>.Zero)) - Vector512<float>.One);
    public static float Derivative(float y) => y > 0f ? 1f : y + 1f;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, y + Vector256<float>.One);
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, y + Vector512<float>.One);
}

/// <summary>
/// log(1 + e^x), computed as max(x, 0) + log(1 + e^−|x|) so it neither overflows nor loses small values;
/// derivative σ(x) = 1 − e^−y.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Softplus : IActivation
{
    public static float Forward(float x) => MathF.Max(x, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
    public static Vector256<float> Forward(Vector256<float> x)
        => Vector256.Max(x, Vector256<float>.Zero) + Vector256.Log(Vector256<float>.One + Vector256.Exp(-Vector256.Abs(x)));
    public static Vector512<float> Forward(Vector512<float> x)
        => Vector512.Max(x, Vector512<float>.Zero) + Vector512.Log(Vector512<float>.One + Vector512.Exp(-Vector512.Abs(x)));
    public static float Derivative(float y) => 1f - MathF.Exp(-y);
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256<float>.One - Vector256.Exp(-y);
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512<float>.One - Vector512.Exp(-y);
}

/// <summary>
/// x·Φ(x), Φ the standard normal CDF (Keras's gelu, exact form). Its output does not determine its input, so unlike
/// the other activations, whose derivatives are written in terms of their outputs, the backward pass keeps the
/// pre-activation x for it: <see cref="Derivative(float)"/> takes x and returns Φ(x) + x·φ(x).
/// Φ uses erf to within 1.5e-7 (Abramowitz &amp; Stegun 7.1.26), the same formula in the scalar and vector paths.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Gelu : IActivation
{
    private const float InvSqrt2 = 0.70710678118654752f, InvSqrt2Pi = 0.39894228040143268f;
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    public static float Forward(float x) => x * Phi(x);
    public static Vector256<float> Forward(Vector256<float> x) => x * Phi(x);
    public static Vector512<float> Forward(Vector512<float> x) => x * Phi(x);
    public static float Derivative(float x) => Phi(x) + x * InvSqrt2Pi * MathF.Exp(-0.5f * x * x);
    public static Vector256<float> Derivative(Vector256<float> x) => Phi(x) + x * InvSqrt2Pi * Vector256.Exp(Vector256.Create(-0.5f) * x * x);
    public static Vector512<float> Derivative(Vector512<float> x) => Phi(x) + x * InvSqrt2Pi * Vector512.Exp(Vector512.Create(-0.5f) * x * x);

    private static float Phi(float x)
    {
        float z = MathF.Abs(x) * InvSqrt2, t = 1f / (1f + P * z);
        float erf = 1f - ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t * MathF.Exp(-z * z);
        return 0.5f * (1f + (x < 0 ? -erf : erf));
    }

    private static Vector256<float> Phi(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * InvSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + P * z);
        var poly = ((((A5 * t + Vector256.Create(A4)) * t + Vector256.Create(A3)) * t + Vector256.Create(A2)) * t + Vector256.Create(A1)) * t;
        var erf = Vector256<float>.One - poly * Vector256.Exp(-(z * z));
        erf = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -erf, erf);
        return Vector256.Create(0.5f) * (Vector256<float>.One + erf);
    }

    private static Vector512<float> Phi(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * InvSqrt2;
        var t = Vector512<float>.One / (Vector512<float>.One + P * z);
        var poly = ((((A5 * t + Vector512.Create(A4)) * t + Vector512.Create(A3)) * t + Vector512.Create(A2)) * t + Vector512.Create(A1)) * t;
        var erf = Vector512<float>.One - poly * Vector512.Exp(-(z * z));
        erf = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -erf, erf);
        return Vector512.Create(0.5f) * (Vector512<float>.One + erf);
    }
}
