using GraphGen.Cpu;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>
/// The order kernels (maximum, minimum, the ≥ and == masks, sign, max over an axis) bit for bit against plain double
/// loops written from IEEE 754's definitions, on values drawn from a small set so ties are common, with ±0, ±∞ and NaN
/// among them, and on lengths that are not multiples of any vector width, so the scalar tails run too.
/// </summary>
public partial class TensorKernelTests
{
    private static readonly float[] Specials = [float.NaN, -0f, 0f, -1f, 1f, float.PositiveInfinity, float.NegativeInfinity];

    /// <summary>Values from {−1.5, −0.5, −0, +0, 0.5, 1.5, 2.25} and, with <paramref name="nan"/>, NaN: ties and signed zeros are frequent.</summary>
    internal static float[] OrderValues(int count, int seed, bool nan = true)
    {
        float[] choices = nan ? [-1.5f, -0.5f, -0f, 0f, 0.5f, 1.5f, 2.25f, float.NaN] : [-1.5f, -0.5f, -0f, 0f, 0.5f, 1.5f, 2.25f];
        var random = new SeededRandom((ulong)seed);
        return Enumerable.Range(0, count).Select(_ => choices[(int)(random.NextDouble() * choices.Length)]).ToArray();
    }

    // IEEE 754:2019 maximum and minimum, written out: NaN wins, and +0 > −0.
    internal static double ReferenceMax(double p, double q)
        => double.IsNaN(p) || double.IsNaN(q) ? double.NaN : p > q ? p : q > p ? q : p == 0 ? (double.IsNegative(p) && double.IsNegative(q) ? -0.0 : 0.0) : p;

    internal static double ReferenceMin(double p, double q)
        => double.IsNaN(p) || double.IsNaN(q) ? double.NaN : p < q ? p : q < p ? q : p == 0 ? (double.IsNegative(p) || double.IsNegative(q) ? -0.0 : 0.0) : p;

    private static double ReferenceSign(double p) => double.IsNaN(p) ? p : p > 0 ? 1 : p < 0 ? -1 : 0.0;

    /// <summary>The same float, bit for bit (so −0 ≠ +0), or NaN for NaN.</summary>
    internal static void AssertSameFloat(double expected, float actual, string where)
    {
        if (double.IsNaN(expected)) Assert.True(float.IsNaN(actual), $"{where}: {actual}, expected NaN");
        else Assert.True(BitConverter.SingleToInt32Bits((float)expected) == BitConverter.SingleToInt32Bits(actual), $"{where}: {actual:R}, expected {expected:R}");
    }

    private delegate void BroadcastKernel(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims);

    private static readonly (string Name, BroadcastKernel Kernel, Func<double, double, double> Reference)[] OrderKernels =
    [
        ("Maximum", TensorKernels.Maximum, ReferenceMax),
        ("Minimum", TensorKernels.Minimum, ReferenceMin),
        ("GreaterEqual", TensorKernels.GreaterEqual, (p, q) => p >= q ? 1 : 0),
        ("Equal", TensorKernels.Equal, (p, q) => p == q ? 1 : 0),
    ];

    /// <summary>Each order kernel on (a, b) against its reference at every broadcast coordinate; the buffer's tail past the shape stays untouched.</summary>
    private static void CheckOrderKernels(float[] a, int[] aDims, float[] b, int[] bDims)
    {
        var outDims = TensorKernels.BroadcastShape(aDims, bDims);
        int n = Count(outDims);
        foreach (var (name, kernel, reference) in OrderKernels)
        {
            var c = new float[n + 3];
            kernel(a, aDims, b, bDims, c, outDims);
            for (int i = 0; i < n; i++)
            {
                var at = Coordinates(i, outDims);
                float p = a[Read(at, aDims)], q = b[Read(at, bDims)];
                AssertSameFloat(reference(p, q), c[i], $"{name}({p}, {q}) at {i} of {Format(aDims)} vs {Format(bDims)}");
            }
            Assert.Equal(new float[3], c[^3..]);
        }
    }

    private static string Format(int[] dims) => "(" + string.Join(", ", dims) + ")";

    public static IEnumerable<object[]> OrderBroadcastCases() => BroadcastCases().Concat(new[]
    {
        new object[] { new[] { 37 }, new[] { 37 } },            // odd length: vector steps and a scalar tail
        new object[] { new[] { 3, 37 }, new[] { 37 } },         // trailing rows with tails
        new object[] { new[] { 67 }, Array.Empty<int>() },      // span and scalar
        new object[] { Array.Empty<int>(), new[] { 2, 2 } },    // scalar and a matrix
        new object[] { new[] { 2, 3 }, new[] { 3 } },
        new object[] { new[] { 5, 1, 7 }, new[] { 3, 1 } },     // the index walk
    });

    [Theory]
    [MemberData(nameof(OrderBroadcastCases))]
    public void OrderKernelsMatchIeeeReferences(int[] aDims, int[] bDims)
    {
        CheckOrderKernels(OrderValues(Count(aDims), 11), aDims, OrderValues(Count(bDims), 12), bDims);
        CheckOrderKernels(OrderValues(Count(aDims), 13, nan: false), aDims, OrderValues(Count(bDims), 14, nan: false), bDims);
    }

    /// <summary>Every pair of special values through each path: the vectorised same-shape, span-scalar and scalar-span forms and the scalar index walk.</summary>
    [Fact]
    public void EveryPairOfSpecialValuesTakesEveryPath()
    {
        int s = Specials.Length;
        // (s, 1) against (1, s): the index walk sees every pair.
        CheckOrderKernels(Specials, [s, 1], Specials, [1, s]);
        // The same pairs as two flat (s·s) spans, then as a repeated span against each special as a scalar.
        var left = new float[s * s];
        var right = new float[s * s];
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++) (left[i * s + j], right[i * s + j]) = (Specials[i], Specials[j]);
        CheckOrderKernels(left, [s * s], right, [s * s]);
        foreach (float scalar in Specials)
        {
            CheckOrderKernels(left, [s * s], [scalar], []);
            CheckOrderKernels([scalar], [], left, [s * s]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(37)]
    [InlineData(67)]
    public void SignMatchesTheReference(int length)
    {
        var x = OrderValues(length, length).Concat(Specials).ToArray();
        var y = new float[x.Length + 2];
        TensorKernels.Sign(x, y);
        for (int i = 0; i < x.Length; i++) AssertSameFloat(ReferenceSign(x[i]), y[i], $"sign({x[i]}) at {i}");
        Assert.Equal(new float[2], y[^2..]);
        var inPlace = (float[])x.Clone();
        TensorKernels.Sign(inPlace, inPlace);
        for (int i = 0; i < x.Length; i++) AssertSameFloat(ReferenceSign(x[i]), inPlace[i], $"in-place sign({x[i]}) at {i}");
    }

    [Theory]
    [InlineData(1, 7, 1, true)]
    [InlineData(3, 37, 1, false)]
    [InlineData(3, 37, 1, true)]
    [InlineData(2, 5, 3, true)]
    [InlineData(4, 1, 6, true)]
    [InlineData(2, 3, 37, false)]
    [InlineData(2, 6, 37, true)]
    public void MaxOverAnAxisMatchesLoops(int outer, int count, int inner, bool nan)
    {
        var x = OrderValues(outer * count * inner, outer * 100 + count + inner, nan);
        var max = new float[outer * inner + 2];
        TensorKernels.Max(x, max, outer, count, inner);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double expected = x[o * count * inner + i];
                for (int k = 1; k < count; k++) expected = ReferenceMax(expected, x[(o * count + k) * inner + i]);
                AssertSameFloat(expected, max[o * inner + i], $"max at ({o}, {i})");
            }
        Assert.Equal(new float[2], max[^2..]);
    }

    [Fact]
    public void OrderKernelsRefuseBadArguments()
    {
        foreach (var (name, kernel, _) in OrderKernels)
        {
            var e = Assert.Throws<ArgumentException>(() => kernel(new float[6], [2, 3], new float[2], [2], new float[6], [2, 3]));
            Assert.Contains("(2, 3) and (2)", e.Message);
            e = Assert.Throws<ArgumentException>(() => kernel(new float[6], [2, 3], new float[3], [3], new float[5], [2, 3]));
            Assert.Equal("c", e.ParamName);
            e = Assert.Throws<ArgumentException>(() => kernel(new float[5], [2, 3], new float[3], [3], new float[6], [2, 3]));
            Assert.Equal("a", e.ParamName);
        }
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => TensorKernels.Sign(new float[5], new float[4])).ParamName);
        Assert.Throws<ArgumentException>(() => TensorKernels.Max(new float[6], new float[1], 2, 3, 1));
        Assert.Throws<ArgumentException>(() => TensorKernels.Max(new float[5], new float[2], 2, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorKernels.Max(new float[6], new float[2], 2, 0, 3));
    }

    [Fact]
    public void OrderKernelsAllocateNothing()
    {
        int[] full = [3, 37], row = [37], column = [3, 1], none = [];
        float[] a = OrderValues(3 * 37, 1), b = OrderValues(37, 2), col = OrderValues(3, 3), c = new float[3 * 37], scalar = [0.5f];
        void Call()
        {
            TensorKernels.Maximum(a, full, b, row, c, full);
            TensorKernels.Minimum(a, full, a, full, c, full);
            TensorKernels.GreaterEqual(a, full, col, column, c, full);
            TensorKernels.Equal(scalar, none, a, full, c, full);
            TensorKernels.Sign(a, c);
            TensorKernels.Max(a, c, 3, 37, 1);
            TensorKernels.Max(a, c, 1, 3, 37);
        }
        for (int i = 0; i < 40; i++) Call();
        Thread.Sleep(300); // let tiered compilation install its final code, whose bookkeeping would otherwise count
        for (int i = 0; i < 40; i++) Call();
        long least = long.MaxValue;
        for (int w = 0; w < 3 && least > 0; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) Call();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }
}
