using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GraphGen.Cpu;

/// <summary>
/// The softmax of one row of at most <see cref="MaxClasses"/> values (a classifier's output: MNIST's 10 classes)
/// held in registers: a masked load (the lanes past the row read as −∞, so e^(z − max) is 0 there), the maximum,
/// e^(z − max) by <see cref="Vector512.Exp(Vector512{float})"/>, the sum, one division, a masked store. Rows wider
/// than that, or a CPU without AVX, go through <c>TensorPrimitives</c> in the callers.
/// </summary>
/// <remarks>
/// By hand rather than through <c>TensorPrimitives</c> (which the wider rows still take) for two measured reasons. Its
/// five calls per row (Max, Subtract, Exp, Sum, Divide) each pay their own dispatch on ten values: 1,024 rows of 10
/// took 40 µs (AVX-512) and 47 µs (AVX2) against 20–23 and 24 µs here, most of which is the exponential. And the
/// first training epoch compiled their generic cores three times over (tier 0, instrumented, tier 1): in the runtime's
/// JIT log of one Fit, 111 of the 174 <c>TensorPrimitives</c> methods compiled were the softmax's and the loss's.
/// </remarks>
internal static unsafe class SoftmaxRows
{
    public const int MaxClasses = 16;

    private static bool Wide => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Whether rows of <paramref name="classes"/> values go through <see cref="Row"/> on this CPU.</summary>
    public static bool Covers(int classes) => classes <= MaxClasses && (Wide || Avx.IsSupported);

    /// <summary>
    /// p = softmax(z) over one row of <paramref name="classes"/> (≤ <see cref="MaxClasses"/>) values, and, unless
    /// <paramref name="scaled"/> is null, scaled = p · <paramref name="scale"/>. Gives the row's maximum and
    /// Σ e^(z − max), from which the loss takes log-sum-exp. z and p may be the same row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(float* z, float* p, float* scaled, float scale, int classes, out float max, out float sum)
    {
        if (Wide)
        {
            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(classes)).AsSingle();
            var v = Avx512F.MaskLoad(z, mask, Vector512.Create(float.NegativeInfinity));
            max = Max(Vector256.MaxNative(v.GetLower(), v.GetUpper()));
            var e = Vector512.Exp(v - Vector512.Create(max));
            sum = Sum(e.GetLower() + e.GetUpper());
            var q = e / Vector512.Create(sum);
            Avx512F.MaskStore(p, mask, q);
            if (scaled != null) Avx512F.MaskStore(scaled, mask, q * scale);
            return;
        }
        // Two halves of eight; vmaskmovps neither reads nor writes a masked-off lane (so never past the buffer).
        var lanes = Vector256<int>.Indices;
        var lo = Vector256.LessThan(lanes, Vector256.Create(classes)).AsSingle();
        var hi = Vector256.LessThan(lanes, Vector256.Create(classes - 8)).AsSingle();
        var minusInfinity = Vector256.Create(float.NegativeInfinity);
        var v0 = Vector256.ConditionalSelect(lo, Avx.MaskLoad(z, lo), minusInfinity);
        var v1 = Vector256.ConditionalSelect(hi, Avx.MaskLoad(z + 8, hi), minusInfinity);
        max = Max(Vector256.MaxNative(v0, v1));
        var m = Vector256.Create(max);
        var e0 = Vector256.Exp(v0 - m);
        var e1 = Vector256.Exp(v1 - m);
        sum = Sum(e0 + e1);
        var s = Vector256.Create(sum);
        var q0 = e0 / s;
        var q1 = e1 / s;
        Avx.MaskStore(p, lo, q0);
        Avx.MaskStore(p + 8, hi, q1);
        if (scaled != null)
        {
            Avx.MaskStore(scaled, lo, q0 * scale);
            Avx.MaskStore(scaled + 8, hi, q1 * scale);
        }
    }

    // The reductions by hand: Vector512.Sum added its four 128-bit quarters apart, and Vector128.Max's IEEE rules cost
    // two fix-up instructions per step. MaxNative may pass over a NaN, but a NaN in z still turns its e^(z − max),
    // the sum and so the whole row into NaN, as before.

    /// <summary>The largest of eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Max(Vector256<float> v)
    {
        var q = Vector128.MaxNative(v.GetLower(), v.GetUpper());
        q = Vector128.MaxNative(q, Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1)));
        q = Vector128.MaxNative(q, Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2)));
        return q.ToScalar();
    }

    /// <summary>The sum of eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum(Vector256<float> v)
    {
        var q = v.GetLower() + v.GetUpper();
        q += Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1));
        q += Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2));
        return q.ToScalar();
    }
}
