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

    private static float[] Filled(int length) => Enumerable.Repeat(Sentinel, length).ToArray();
}
