using Xunit;

namespace GraphGen.Tests.Models;

/// <summary>
/// The generated <c>{Name}Gradient</c> methods: the seed's GradientTape examples with their known answers, and
/// functions of every op against central differences of the eager body evaluated in double where it matters.
/// </summary>
public class DifferentiableTests
{
    [Fact]
    public void LineOfAFloat()
    {
        var (value, dx) = TapeFunctions.LineGradient(4f);
        Assert.Equal(11f, value);
        Assert.Equal(2f, dx);
    }

    [Fact]
    public void LineOfATensor()
    {
        var x = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        var (value, dx) = TapeFunctions.LineOfTensorGradient(x);
        Assert.Equal(new float[] { 5, 7, 9, 11 }, value.Data);
        Assert.Equal(new[] { 2, 2 }, dx.Shape);
        Assert.All(dx.Data, d => Assert.Equal(2f, d));
        Assert.Equal(TapeFunctions.LineOfTensor(x).Data, value.Data); // the eager body agrees
    }

    [Fact]
    public void AffineGivesRowSumsOfXTransposedAndTwos()
    {
        var x = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        var w = Tensor.FromArray(new float[,] { { 0.5f, -1 }, { 2, 0.25f } });
        var b = Tensor.FromArray(new float[] { 0.1f, -0.2f });
        var (value, dx, dw, db) = TapeFunctions.AffineGradient(x, w, b);
        Assert.Equal(TapeFunctions.Affine(x, w, b).Data, value.Data);
        // dy/dW[i, j] = Σ_r x[r, i]: each column repeats the row sums of xᵀ, (1 + 3, 2 + 4).
        Assert.Equal(new float[] { 4, 4, 6, 6 }, dw.Data);
        Assert.Equal(new float[] { 2, 2 }, db.Data);
        // dy/dx[r, i] = Σ_j W[i, j].
        Assert.Equal(new float[] { -0.5f, 2.25f, -0.5f, 2.25f }, dx.Data);
    }

    [Fact]
    public void WrongShapesAreRefusedNamingTheArgument()
    {
        var good = new Tensor(2, 2);
        var e = Assert.Throws<ArgumentException>(() => TapeFunctions.AffineGradient(good, new Tensor(3, 2), new Tensor(2)));
        Assert.Equal("w", e.ParamName);
        Assert.Contains("(3, 2); it must be (2, 2)", e.Message);
        Assert.Throws<ArgumentNullException>(() => TapeFunctions.AffineGradient(null!, good, new Tensor(2)));
    }

    [Fact]
    public void ScalarFunctionMatchesItsDerivative()
    {
        // f(x, y) = (tanh(xy) + √(x² + 1)) / (eʸ + 2) − x, differentiated by hand in double.
        foreach (var (x, y) in new[] { (0.3, -0.7), (1.5, 0.2), (-2.0, 1.1) })
        {
            var (value, dx, dy) = TapeFunctions.SmoothGradient((float)x, (float)y);
            double t = Math.Tanh(x * y), r = Math.Sqrt(x * x + 1), d = Math.Exp(y) + 2;
            double f = (t + r) / d - x;
            double fx = ((1 - t * t) * y + x / r) / d - 1;
            double fy = (1 - t * t) * x / d - (t + r) * Math.Exp(y) / (d * d);
            Assert.Equal(f, value, 1e-5);
            Assert.Equal(fx, dx, 1e-5);
            Assert.Equal(fy, dy, 1e-5);
            Assert.Equal(TapeFunctions.Smooth((float)x, (float)y), value, 1e-6);
        }
    }

    [Fact]
    public void EveryOpMatchesCentralDifferences()
    {
        var random = new GraphGen.Training.SeededRandom(9);
        Tensor Random(params int[] shape)
        {
            var t = new Tensor(shape);
            for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(random.NextDouble() * 2 - 1);
            return t;
        }
        Tensor a = Random(3, 4), v = Random(4), m = Random(4, 2);
        var (value, da, dv, dm) = TapeFunctions.MixtureGradient(a, v, m);
        Assert.Empty(value.Shape);
        Assert.Equal(TapeFunctions.Mixture(a, v, m).ToScalar(), value.ToScalar(), 1e-4);
        foreach (var (argument, gradient) in new[] { (a, da), (v, dv), (m, dm) })
        {
            for (int i = 0; i < argument.Length; i++)
            {
                float saved = argument.Data[i];
                const float eps = 1e-2f;
                argument.Data[i] = saved + eps;
                double plus = TapeFunctions.Mixture(a, v, m).ToScalar();
                argument.Data[i] = saved - eps;
                double minus = TapeFunctions.Mixture(a, v, m).ToScalar();
                argument.Data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - gradient.Data[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"element {i}: compiled {gradient.Data[i]}, central differences {numeric}");
            }
        }
    }

    [Fact]
    public void TheOpsAddedThroughTheTableMatchTheirEagerValueAndCentralDifferences()
    {
        // Away from the kinks (|a − v| = 0, ties, a max changing hands) a central difference of 1e-2 is exact enough.
        var random = new GraphGen.Training.SeededRandom(21);
        Tensor Random(params int[] shape)
        {
            var t = new Tensor(shape);
            for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(random.NextDouble() * 2 - 1);
            return t;
        }
        Tensor a = Random(3, 4), v = Random(4);
        var (value, da, dv) = TapeFunctions.ExtremesGradient(a, v);
        Assert.Equal(TapeFunctions.Extremes(a, v).ToScalar(), value.ToScalar(), 1e-5);
        foreach (var (argument, gradient) in new[] { (a, da), (v, dv) })
        {
            Assert.Contains(gradient.Data, g => g != 0);
            for (int i = 0; i < argument.Length; i++)
            {
                float saved = argument.Data[i];
                const float eps = 1e-2f;
                argument.Data[i] = saved + eps;
                double plus = TapeFunctions.Extremes(a, v).ToScalar();
                argument.Data[i] = saved - eps;
                double minus = TapeFunctions.Extremes(a, v).ToScalar();
                argument.Data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - gradient.Data[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"element {i}: compiled {gradient.Data[i]}, central differences {numeric}");
            }
        }
    }

    [Fact]
    public void ConcurrentCallsDoNotShareBuffers()
    {
        var x = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        var w = Tensor.FromArray(new float[,] { { 0.5f, -1 }, { 2, 0.25f } });
        var b = Tensor.FromArray(new float[] { 0.1f, -0.2f });
        var expected = TapeFunctions.AffineGradient(x, w, b).dw.Data;
        Parallel.For(0, 64, _ => Assert.Equal(expected, TapeFunctions.AffineGradient(x, w, b).dw.Data));
    }
}
