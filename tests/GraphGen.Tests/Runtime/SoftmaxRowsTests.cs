using System.Runtime.Intrinsics;
using GraphGen.Cpu;
using GraphGen.Tests.Models;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>
/// The softmax and the sparse cross-entropy on every row width around the register path's edges (one value, one
/// AVX half, one AVX-512 vector, one past it), against double precision, and nothing written past the rows.
/// </summary>
public class SoftmaxRowsTests
{
    private const float Sentinel = 12345f;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void EveryRowWidthMatchesDoublePrecisionAndWritesNothingPastTheRows(int classes)
    {
        int rows = 13;
        var logits = GeneratedModelTests.Data(rows * classes, classes).Select(v => v * 40).ToArray(); // spreads of ±40: e^z would overflow unshifted
        var labels = Enumerable.Range(0, rows).Select(i => (i * 7) % classes).ToArray();
        // One vector's worth of room past the rows, holding a sentinel that must survive.
        var p = Filled(rows * classes + 16);
        var dz = Filled(rows * classes + 16);
        var softmax = Filled(rows * classes + 16);
        float loss = LossKernels.SoftmaxCrossEntropy(logits, labels, p, dz, rows, classes);
        Kernels.Softmax(logits, softmax, rows, classes);

        double expectedLoss = 0;
        for (int i = 0; i < rows; i++)
        {
            var z = logits.Skip(i * classes).Take(classes).Select(v => (double)v).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            expectedLoss += Math.Log(sum) + max - z[labels[i]];
            for (int j = 0; j < classes; j++)
            {
                double pj = Math.Exp(z[j] - max) / sum;
                int at = i * classes + j;
                // z − max rounds to float: up to half an ulp of |z − max|, which e^ turns into that relative error.
                double allowed = pj * (1e-6 + 1.2e-7 * (max - z[j]));
                Assert.True(Math.Abs(p[at] - pj) <= allowed, $"p[{i}, {j}] = {p[at]}, expected {pj}");
                Assert.Equal((pj - (j == labels[i] ? 1 : 0)) / rows, dz[at], tolerance: 1e-7);
            }
        }
        Assert.Equal(expectedLoss / rows, loss, tolerance: 1e-4 * Math.Max(1, expectedLoss / rows));
        Assert.Equal(p.AsSpan(0, rows * classes).ToArray(), softmax.AsSpan(0, rows * classes).ToArray());
        foreach (var buffer in new[] { p, dz, softmax })
            Assert.All(buffer.AsSpan(rows * classes).ToArray(), v => Assert.Equal(Sentinel, v));
    }

    [Fact]
    public void SoftmaxInPlaceGivesTheSameRows()
    {
        int rows = 9, classes = 10;
        var logits = GeneratedModelTests.Data(rows * classes, 3).Select(v => v * 5).ToArray();
        var expected = new float[logits.Length];
        Kernels.Softmax(logits, expected, rows, classes);
        Kernels.Softmax(logits, logits, rows, classes);
        Assert.Equal(expected, logits);
    }

    [Fact]
    public void ANaNLogitMakesItsOwnRowNaNAndLeavesTheOthers()
    {
        int rows = 3, classes = 10;
        var logits = GeneratedModelTests.Data(rows * classes, 4);
        logits[classes + 6] = float.NaN;
        var p = new float[rows * classes];
        var dz = new float[rows * classes];
        float loss = LossKernels.SoftmaxCrossEntropy(logits, [0, 1, 2], p, dz, rows, classes);
        Assert.True(float.IsNaN(loss));
        Assert.All(p.AsSpan(classes, classes).ToArray(), v => Assert.True(float.IsNaN(v)));
        foreach (int row in new[] { 0, 2 })
        {
            var probabilities = p.AsSpan(row * classes, classes).ToArray();
            Assert.All(probabilities, v => Assert.True(float.IsFinite(v) && v > 0));
            Assert.Equal(1.0, probabilities.Sum(v => (double)v), tolerance: 1e-6);
        }
    }

    [Fact]
    public void TheExponentialIsWithinTwoUlpsDownToTheSmallestSubnormal()
    {
        // Every 1/1024 from −110 to 0 (subnormal results start below −87.34 and end near −103.28), and the edges.
        var xs = Enumerable.Range(0, 110 * 1024 + 1).Select(i => -i / 1024f)
            .Concat([-87.33654f, -87.3366f, -103.27893f, -103.972f, -104f, -169.9f, -170f, -171f, -1e30f, float.NegativeInfinity, -0f, 1e-30f, 0.25f, 10f])
            .ToArray();
        for (int i = 0; i < xs.Length; i += 16)
        {
            var lanes = new float[16];
            Array.Copy(xs, i, lanes, 0, Math.Min(16, xs.Length - i));
            var x = Vector512.Create(lanes);
            var lower = SoftmaxRows.Exp(x.GetLower());
            var upper = SoftmaxRows.Exp(x.GetUpper());
            var wide = Vector512.IsHardwareAccelerated ? SoftmaxRows.Exp(x) : default;
            for (int j = 0; j < 16 && i + j < xs.Length; j++)
            {
                float expected = (float)Math.Exp(xs[i + j]);
                // Two ulps of the float result; a subnormal's ulp is the smallest subnormal.
                float tolerance = 2 * Math.Max(MathF.BitIncrement(expected) - expected, float.Epsilon);
                float narrow = j < 8 ? lower[j] : upper[j - 8];
                Assert.True(Math.Abs(narrow - expected) <= tolerance, $"Vector256: e^{xs[i + j]:R} = {narrow:R}, expected {expected:R}");
                if (Vector512.IsHardwareAccelerated)
                {
                    Assert.True(Math.Abs(wide[j] - expected) <= tolerance, $"Vector512: e^{xs[i + j]:R} = {wide[j]:R}, expected {expected:R}");
                }
            }
        }
        Assert.True(float.IsNaN(SoftmaxRows.Exp(Vector256.Create(float.NaN))[3]));
        if (Vector512.IsHardwareAccelerated) Assert.True(float.IsNaN(SoftmaxRows.Exp(Vector512.Create(float.NaN))[11]));
    }

    private static float[] Filled(int length) => Enumerable.Repeat(Sentinel, length).ToArray();
}
