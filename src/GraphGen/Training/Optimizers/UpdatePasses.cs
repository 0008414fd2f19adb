using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GraphGen.Cpu;

namespace GraphGen.Training;

/// <summary>
/// How an optimizer's rule reaches a parameter: <see cref="Optimizer"/> hands each parameter's rule to a pass, which
/// either runs it as one fused loop over the parameter or inside the GEMM that computes the parameter's gradient.
/// </summary>
public interface IUpdatePass
{
    /// <summary>Applies <paramref name="rule"/> to <paramref name="parameter"/>; a state slot the rule does not use is null.</summary>
    void Apply<TRule>(in TRule rule, Parameter parameter, float[]? s0, float[]? s1, float[]? s2) where TRule : struct, IUpdateRule;
}

/// <summary>The rule over the parameter and its finished gradient, in one pass on every core.</summary>
internal readonly struct LoopPass : IUpdatePass
{
    public void Apply<TRule>(in TRule rule, Parameter parameter, float[]? s0, float[]? s1, float[]? s2) where TRule : struct, IUpdateRule
        => FusedUpdate.Run(rule, parameter.Data, parameter.Gradient, s0, s1, s2);
}

/// <summary>
/// The rule inside the GEMM that computes the gradient, op(A)·op(B): each value is stored as the gradient and updates
/// its weight and state at once, while the GEMM's tile is in registers. That saves the separate pass over the
/// gradient, the weight and the state, which the backward pass has pushed out of the cache by then.
/// </summary>
internal readonly ref struct GemmPass(GemmLayout layout, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b) : IUpdatePass
{
    private readonly ReadOnlySpan<float> _a = a, _b = b;

    public void Apply<TRule>(in TRule rule, Parameter parameter, float[]? s0, float[]? s1, float[]? s2) where TRule : struct, IUpdateRule
        => Gemm.Multiply(layout, m, n, k, _a, _b, parameter.Gradient, new UpdateEpilogue<TRule>(rule, parameter.Data, s0, s1, s2, n));
}

/// <summary>
/// A GEMM epilogue that stores the gradient unchanged and applies an update rule to the weight (and state) at the same
/// index: element-wise, so the result equals the separate pass bit for bit. Vectors go to the rule as
/// <see cref="Vector{T}"/>s where those are 256 bits wide; otherwise value by value.
/// </summary>
internal readonly struct UpdateEpilogue<TRule>(TRule rule, float[] weight, float[]? s0, float[]? s1, float[]? s2, int stride) : IGemmEpilogue
    where TRule : struct, IUpdateRule
{
    private readonly TRule _rule = rule;
    private readonly float[] _weight = weight;
    private readonly float[]? _s0 = s0, _s1 = s1, _s2 = s2;
    private readonly int _stride = stride;

    public void Check(int rows, int cols)
    {
        long needed = (long)rows * _stride;
        if (cols > _stride || _weight.Length < needed || _s0 is { } a && a.Length < needed || _s1 is { } b && b.Length < needed || _s2 is { } c && c.Length < needed)
            throw new ArgumentException($"The weight and its state must hold {needed} values for a {rows} × {cols} gradient.");
    }

    public float Apply(float sum, int row, int col)
    {
        int i = row * _stride + col;
        float scratch0 = 0, scratch1 = 0, scratch2 = 0;
        _rule.Apply(ref _weight[i], sum, ref _s0 is null ? ref scratch0 : ref _s0[i], ref _s1 is null ? ref scratch1 : ref _s1[i],
            ref _s2 is null ? ref scratch2 : ref _s2[i]);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Vector256<float> Apply(Vector256<float> sum, int row, int col)
    {
        if (Vector<float>.Count != 8)
        {
            for (int j = 0; j < 8; j++) Apply(sum.GetElement(j), row, col + j);
            return sum;
        }
        ApplyVector(sum.AsVector(), row * _stride + col);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Vector512<float> Apply(Vector512<float> sum, int row, int col)
    {
        if (Vector<float>.Count != 8)
        {
            for (int j = 0; j < 16; j++) Apply(sum.GetElement(j), row, col + j);
            return sum;
        }
        int i = row * _stride + col;
        ApplyVector(sum.GetLower().AsVector(), i);
        ApplyVector(sum.GetUpper().AsVector(), i + 8);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ApplyVector(Vector<float> gradient, int i)
    {
        Vector<float> scratch0 = default, scratch1 = default, scratch2 = default;
        _rule.Apply(ref At(_weight, i), gradient,
            ref _s0 is null ? ref scratch0 : ref At(_s0, i), ref _s1 is null ? ref scratch1 : ref At(_s1, i), ref _s2 is null ? ref scratch2 : ref At(_s2, i));
    }

    private static ref Vector<float> At(float[] values, int i)
        => ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(values), i));
}
