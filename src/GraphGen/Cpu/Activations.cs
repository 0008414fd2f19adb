using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>
/// An element-wise activation as static abstract members, so a generic epilogue specialises on it at JIT time
/// and the activation costs no call. The derivative is written in terms of the output y, which is what the
/// backward pass keeps.
/// </summary>
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
public readonly struct Sigmoid : IActivation
{
    public static float Forward(float x) => 1f / (1f + MathF.Exp(-x));
    public static Vector256<float> Forward(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
    public static Vector512<float> Forward(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));
    public static float Derivative(float y) => y * (1f - y);
    public static Vector256<float> Derivative(Vector256<float> y) => y * (Vector256<float>.One - y);
    public static Vector512<float> Derivative(Vector512<float> y) => y * (Vector512<float>.One - y);
}
