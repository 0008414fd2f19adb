using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GraphGen.Cpu;

/// <summary>
/// The softmax of one row of at most <see cref="MaxClasses"/> values (a classifier's output: MNIST's 10 classes)
/// held in registers: a masked load (the lanes past the row read as −∞, so e^(z − max) is 0 there), the maximum,
/// e^(z − max) (<see cref="Exp(Vector512{float})"/>), the sum, one division, a masked store. Rows wider than that, or
/// a CPU without AVX, go through <c>TensorPrimitives</c> in the callers.
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
            var e = Exp(v - Vector512.Create(max));
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
        var e0 = Exp(v0 - m);
        var e1 = Exp(v1 - m);
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

    // e^x by hand, though Vector512.Exp and Vector256.Exp compute it (to within an ulp, through double precision),
    // because the JIT never inlines their shared core (VectorMath.ExpSingle, 217 bytes of IL): every step's softmax
    // called it, and the first epoch compiled it and its five helpers three times each (tier 0, instrumented, tier 1;
    // the runtime's JIT log of one Fit), besides the call per row. This one inlines into the row: 2^n · e^r with
    // n = round(x·log₂e) and r = x − n·ln 2 (|r| ≤ ln 2 / 2, ln 2 in two parts so that r keeps its low bits), e^r by
    // its Taylor series to r⁷/7! (the first term left out, r⁸/8!, is under 1e-8 of e^r; half a float ulp is 6e-8).
    // 2^n is built in two factors, 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), each a normal float, so that results down to the smallest
    // subnormal round as they should; x below −170 (−∞ from a masked lane) gives 0, and a NaN stays NaN.

    private const float Log2E = 1.44269504f, Ln2High = 0.693145751953125f, Ln2Low = 1.42860682e-6f, Lowest = -170f;

    /// <summary>e^x for x ≤ 0 (a value less its row's maximum), −∞ and NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(Lowest)), Vector512.Create(Lowest), x);
        var n = Vector512.Round(x * Log2E);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 5040), r, Vector512.Create(1f / 720));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 120));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        var k = Vector512.ConvertToInt32(n);
        var half = Vector512.ShiftRightArithmetic(k, 1);
        var bias = Vector512.Create(127);
        return p * Vector512.ShiftLeft(half + bias, 23).AsSingle() * Vector512.ShiftLeft(k - half + bias, 23).AsSingle();
    }

    /// <summary>The same for eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Lowest)), Vector256.Create(Lowest), x);
        var n = Vector256.Round(x * Log2E);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(1f / 5040), r, Vector256.Create(1f / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
        var k = Vector256.ConvertToInt32(n);
        var half = Vector256.ShiftRightArithmetic(k, 1);
        var bias = Vector256.Create(127);
        return p * Vector256.ShiftLeft(half + bias, 23).AsSingle() * Vector256.ShiftLeft(k - half + bias, 23).AsSingle();
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
