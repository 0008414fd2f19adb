using GraphGen.Cpu;
using GraphGen.Training;
using GraphGen.Tests.Models;
using Xunit;

namespace GraphGen.Tests.Numerics;

/// <summary>Every SGEMM layout and epilogue against a plain-loop double-precision reference, on odd sizes.</summary>
public class GemmTests
{
    private static readonly int[] Sizes = { 1, 7, 33, 129 };

    public static IEnumerable<object[]> Shapes()
    {
        foreach (var layout in new[] { GemmLayout.NN, GemmLayout.TN, GemmLayout.NT })
            foreach (int m in Sizes)
                foreach (int n in Sizes)
                    foreach (int k in Sizes)
                        yield return new object[] { layout, m, n, k };
        // Past every blocking boundary: k > KC, m > MC, n > NC, and the reference model's shapes.
        foreach (var layout in new[] { GemmLayout.NN, GemmLayout.TN, GemmLayout.NT })
        {
            yield return new object[] { layout, 131, 1100, 300 };
            yield return new object[] { layout, 128, 512, 784 };
            // Both loop orders over several k-blocks, on any number of cores: B in panels with C kept resident (one
            // panel; several with a ragged last one; three row blocks, ragged rows and strips, a short last k-block),
            // and a k too deep for a panel of B to fit the pack buffer.
            yield return new object[] { layout, 197, 100, 600 };
            yield return new object[] { layout, 131, 1100, 600 };
            yield return new object[] { layout, 37, 300, 2100 };
            // At most 16 columns: 16-column strips on AVX-512 (10 classes; exactly 16), over several k-blocks, odd k.
            yield return new object[] { layout, 131, 10, 601 };
            yield return new object[] { layout, 128, 16, 784 };
        }
        yield return new object[] { GemmLayout.NN, 5, 3, 0 };
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PlainProductMatchesReference(GemmLayout layout, int m, int n, int k)
    {
        var (a, b) = Operands(m, n, k, seed: m * 10007 + n * 101 + k);
        var c = new float[m * n];
        c.AsSpan().Fill(float.NaN); // every element must be written
        Gemm.Multiply(layout, m, n, k, a, b, c);
        AssertClose(Reference(layout, m, n, k, a, b), c, k);
    }

    [Fact]
    public void TheLargeShapesTakeBothLoopOrders()
    {
        // 197 × 100 × 600 and 131 × 1100 × 600 keep C resident, in one panel and in several; 37 × 300 × 2100 does not.
        Assert.Equal(Gemm.RoundUpToStrips(100), Gemm.ResidentPanelColumns(600, 100));
        Assert.Equal(Gemm.ResidentPanel, Gemm.ResidentPanelColumns(600, 1100));
        Assert.True(1100 % Gemm.ResidentPanel != 0); // the last panel is ragged
        Assert.Equal(0, Gemm.ResidentPanelColumns(2100, 150));
        Assert.Equal(0, Gemm.ResidentPanelColumns(Gemm.KC, 100)); // one k-block: nothing to keep C across
        Assert.Equal(Gemm.ResidentPanel, Gemm.ResidentPanelColumns(784, 256)); // the first layer's forward GEMM, on each of two cores
        Assert.Equal(Gemm.ResidentPanel, Gemm.ResidentPanelColumns(2048, 1024)); // 2048³ on two cores
    }

    [Fact]
    public void ANarrowCTakesTheNarrowKernelWhereVector512Is()
    {
        bool wide = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        Assert.Equal(wide, Gemm.IsNarrow(10));
        Assert.Equal(wide, Gemm.IsNarrow(Gemm.NarrowStrip));
        Assert.False(Gemm.IsNarrow(Gemm.NarrowStrip + 1));
    }

    [Theory]
    [InlineData(GemmLayout.NN, 33, 129, 7)]
    [InlineData(GemmLayout.NN, 128, 512, 784)]
    [InlineData(GemmLayout.NN, 197, 100, 600)]
    [InlineData(GemmLayout.NT, 7, 33, 300)]
    [InlineData(GemmLayout.TN, 45, 10, 301)]
    [InlineData(GemmLayout.NN, 5, 33, 0)] // no sum: C is act(bias)
    public void BiasActivationEpiloguesMatchReference(GemmLayout layout, int m, int n, int k)
    {
        var (a, b) = Operands(m, n, k, seed: 3);
        var bias = Random(n, 4);
        var product = Reference(layout, m, n, k, a, b);
        Check<Relu>(Activation.Relu);
        Check<Tanh>(Activation.Tanh);
        Check<Sigmoid>(Activation.Sigmoid);
        Check<Linear>(Activation.Linear);
        Check<LeakyRelu>(Activation.LeakyRelu);
        Check<Elu>(Activation.Elu);
        Check<Gelu>(Activation.Gelu);
        Check<Softplus>(Activation.Softplus);

        void Check<TActivation>(Activation activation) where TActivation : IActivation
        {
            Func<double, double> f = x => ReferenceMath.Activate(activation, x);
            var c = new float[m * n];
            Gemm.Multiply(layout, m, n, k, a, b, c, new BiasActivation<TActivation>(bias));
            var expected = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    expected[i * n + j] = f(product[i * n + j] + bias[j]);
            AssertClose(expected, c, k);
        }
    }

    [Theory]
    [InlineData(GemmLayout.NT, 129, 33, 10)]
    [InlineData(GemmLayout.NT, 128, 512, 10)]
    [InlineData(GemmLayout.NN, 7, 1, 33)]
    [InlineData(GemmLayout.TN, 6, 10, 0)]
    public void ActivationGradientEpiloguesMatchReference(GemmLayout layout, int m, int n, int k)
    {
        var (a, b) = Operands(m, n, k, seed: 5);
        var product = Reference(layout, m, n, k, a, b);
        var pre = Random(m * n, 6);
        Check<Relu>(Activation.Relu);
        Check<Tanh>(Activation.Tanh);
        Check<Sigmoid>(Activation.Sigmoid);
        Check<LeakyRelu>(Activation.LeakyRelu);
        Check<Elu>(Activation.Elu);
        Check<Gelu>(Activation.Gelu);
        Check<Softplus>(Activation.Softplus);

        void Check<TActivation>(Activation activation) where TActivation : IActivation
        {
            // The backward pass keeps the activation's output — gelu's input — and the epilogue reads it.
            var saved = activation == Activation.Gelu ? pre.ToArray() : pre.Select(v => (float)ReferenceMath.Activate(activation, v)).ToArray();
            var c = new float[m * n];
            Gemm.Multiply(layout, m, n, k, a, b, c, new ActivationGradient<TActivation>(saved, n));
            var expected = new double[m * n];
            for (int i = 0; i < m * n; i++) expected[i] = product[i] * ReferenceMath.Derivative(activation, pre[i]);
            AssertClose(expected, c, k);
        }
    }

    [Fact]
    public void ShortBuffersAreRejectedWithTheirNames()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(GemmLayout.NN, 4, 4, 4, new float[15], new float[16], new float[16]));
        Assert.Equal("a", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(GemmLayout.NN, 4, 4, 4, new float[16], new float[16], new float[16], new BiasActivation<Relu>(new float[3])));
        Assert.Contains("Bias has 3 values", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(GemmLayout.NN, 4, 4, 4, new float[16], new float[16], new float[16], new ActivationGradient<Relu>(new float[15], 4)));
        Assert.Contains("needs 16", e.Message);
    }

    internal static double[] Reference(GemmLayout layout, int m, int n, int k, float[] a, float[] b)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = layout == GemmLayout.TN ? a[p * m + i] : a[i * k + p];
                    double bv = layout == GemmLayout.NT ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                c[i * n + j] = sum;
            }
        return c;
    }

    private static (float[] A, float[] B) Operands(int m, int n, int k, int seed) => (Random(m * k, seed), Random(k * n, seed + 1));

    internal static float[] Random(int count, int seed)
    {
        var random = new SeededRandom((ulong)seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>Float sums of k products of values in [-1, 1]: error grows like sqrt(k) ulps of the magnitudes.</summary>
    private static void AssertClose(double[] expected, float[] actual, int k)
    {
        double tolerance = 1e-5 * Math.Sqrt(Math.Max(k, 1)) + 1e-6;
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
