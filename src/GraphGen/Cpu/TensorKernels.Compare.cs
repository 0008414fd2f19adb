using System.Numerics;
using System.Numerics.Tensors;

namespace GraphGen.Cpu;

/// <summary>
/// The order kernels: element-wise maximum and minimum with broadcasting, the 1/0 masks their gradients (and the
/// gradient of a maximum over an axis) are built from, sign (the gradient of |x|) and the maximum over one axis.
/// NaN and signed zeros follow IEEE 754:2019 <c>maximum</c>/<c>minimum</c>, as TensorPrimitives and MathF do: a NaN
/// operand gives NaN, and +0 counts as greater than −0. Every path, vectorised or scalar, gives the same results.
/// </summary>
public static partial class TensorKernels
{
    /// <summary>c = max(a, b) element-wise with NumPy broadcasting; NaN if either is NaN, max(−0, +0) = +0.</summary>
    public static void Maximum(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<MaximumOp>(a, aDims, b, bDims, c, cDims);

    /// <summary>c = min(a, b) element-wise with NumPy broadcasting; NaN if either is NaN, min(−0, +0) = −0.</summary>
    public static void Minimum(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<MinimumOp>(a, aDims, b, bDims, c, cDims);

    /// <summary>
    /// c = 1 where a ≥ b, else 0, with NumPy broadcasting: the share of a maximum's gradient that goes to a (b gets
    /// 1 − c; for a minimum, swap the operands). −0 ≥ +0 holds; a comparison with NaN is false, so it gives 0.
    /// </summary>
    public static void GreaterEqual(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<MaskOp<GreaterEqualTest>>(a, aDims, b, bDims, c, cDims);

    /// <summary>
    /// c = 1 where a == b, else 0, with NumPy broadcasting: which elements attain a maximum over an axis (compared
    /// with it broadcast back). −0 == +0 holds; NaN equals nothing, itself included.
    /// </summary>
    public static void Equal(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<MaskOp<EqualTest>>(a, aDims, b, bDims, c, cDims);

    /// <summary>
    /// destination = sign(source): −1, +1, or +0 for either zero; NaN stays NaN. The gradient of |x|. Covers all of
    /// <paramref name="source"/>; the buffers may be the same.
    /// </summary>
    public static void Sign(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"'{nameof(destination)}' holds {destination.Length} values; the source has {source.Length}.", nameof(destination));
        int i = 0;
        for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var x = new Vector<float>(source[i..]);
            var sign = (Vector.GreaterThan<float>(x, Vector<float>.Zero) & Vector<float>.One) - (Vector.LessThan<float>(x, Vector<float>.Zero) & Vector<float>.One);
            Vector.ConditionalSelect(Vector.Equals<float>(x, x), sign, x).CopyTo(destination[i..]);
        }
        for (; i < source.Length; i++) destination[i] = Sign(source[i]);
    }

    /// <summary>
    /// destination[o, i] = max_k source[o, k, i] for source seen as (outer, count, inner): the maximum over one axis.
    /// A NaN in a slice makes its maximum NaN; +0 beats −0.
    /// </summary>
    public static void Max(ReadOnlySpan<float> source, Span<float> destination, int outer, int count, int inner)
    {
        CheckBlocks(source, destination, outer, count, inner);
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                destination[o] = TensorPrimitives.Max(source.Slice(o * count, count));
                continue;
            }
            var row = destination.Slice(o * inner, inner);
            source.Slice(o * count * inner, inner).CopyTo(row);
            for (int k = 1; k < count; k++) TensorPrimitives.Max(row, source.Slice((o * count + k) * inner, inner), row);
        }
    }

    private static float Sign(float x) => x > 0f ? 1f : x < 0f ? -1f : x == 0f ? 0f : x;

    /// <summary>
    /// max(a, b) as <see cref="MathF.Max(float, float)"/> and these kernels compute it (NaN if either is NaN, +0 over
    /// −0), spelled in comparisons and one addition: the generated ILGPU kernels call it, and every ILGPU backend then
    /// computes it alike (PTX's <c>max.f32</c> would return the other operand of a NaN).
    /// </summary>
    public static float MaximumOf(float a, float b) => a > b ? a : b > a ? b : float.IsNaN(a) ? a : float.IsNaN(b) ? b : a == 0f ? a + b : a;

    /// <summary>min(a, b) as <see cref="MathF.Min(float, float)"/>: NaN if either is NaN, −0 under +0 (see <see cref="MaximumOf"/>).</summary>
    public static float MinimumOf(float a, float b) => a < b ? a : b < a ? b : float.IsNaN(a) ? a : float.IsNaN(b) ? b : a == 0f ? -(-a - b) : a;

    private readonly struct MaximumOp : IBinaryOp
    {
        public static float Apply(float a, float b) => MathF.Max(a, b);
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Max(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Max(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Max(b, a, c);
    }

    private readonly struct MinimumOp : IBinaryOp
    {
        public static float Apply(float a, float b) => MathF.Min(a, b);
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Min(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Min(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Min(b, a, c);
    }

    private interface IComparison
    {
        static abstract bool Test(float a, float b);
        /// <summary>All bits set in the lanes where the test holds, none elsewhere.</summary>
        static abstract Vector<float> Test(Vector<float> a, Vector<float> b);
    }

    private readonly struct GreaterEqualTest : IComparison
    {
        public static bool Test(float a, float b) => a >= b;
        public static Vector<float> Test(Vector<float> a, Vector<float> b) => Vector.GreaterThanOrEqual<float>(a, b);
    }

    private readonly struct EqualTest : IComparison
    {
        public static bool Test(float a, float b) => a == b;
        public static Vector<float> Test(Vector<float> a, Vector<float> b) => Vector.Equals<float>(a, b);
    }

    /// <summary>1f where the comparison holds, else 0f; the span forms take Vector&lt;float&gt; steps and finish the tail one by one.</summary>
    private readonly struct MaskOp<TTest> : IBinaryOp where TTest : IComparison
    {
        public static float Apply(float a, float b) => TTest.Test(a, b) ? 1f : 0f;

        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
        {
            int i = 0, width = Vector<float>.Count;
            for (; i <= c.Length - width; i += width)
                (TTest.Test(new Vector<float>(a[i..]), new Vector<float>(b[i..])) & Vector<float>.One).CopyTo(c[i..]);
            for (; i < c.Length; i++) c[i] = Apply(a[i], b[i]);
        }

        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c)
        {
            int i = 0, width = Vector<float>.Count;
            var vb = new Vector<float>(b);
            for (; i <= c.Length - width; i += width)
                (TTest.Test(new Vector<float>(a[i..]), vb) & Vector<float>.One).CopyTo(c[i..]);
            for (; i < c.Length; i++) c[i] = Apply(a[i], b);
        }

        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c)
        {
            int i = 0, width = Vector<float>.Count;
            var va = new Vector<float>(a);
            for (; i <= c.Length - width; i += width)
                (TTest.Test(va, new Vector<float>(b[i..])) & Vector<float>.One).CopyTo(c[i..]);
            for (; i < c.Length; i++) c[i] = Apply(a, b[i]);
        }
    }
}
