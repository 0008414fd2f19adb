using GraphGen.Cpu;
using GraphGen.Tests.Models;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>The fused non-GEMM kernels against double-precision loops.</summary>
public class KernelTests
{
    [Fact]
    public void SoftmaxCrossEntropyGivesProbabilitiesLossAndGradient()
    {
        int rows = 7, classes = 5;
        var logits = GeneratedModelTests.Data(rows * classes, 1).Select(v => v * 30).ToArray(); // large logits: no overflow
        var labels = Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
        var p = new float[rows * classes];
        var dz = new float[rows * classes];
        float loss = LossKernels.SoftmaxCrossEntropy(logits, labels, p, dz, rows, classes);
        double expectedLoss = 0;
        for (int i = 0; i < rows; i++)
        {
            var z = logits.Skip(i * classes).Take(classes).Select(v => (double)v).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            expectedLoss += Math.Log(sum) + max - z[labels[i]];
            for (int j = 0; j < classes; j++)
            {
                double pj = Math.Exp(z[j] - max) / sum;
                Assert.Equal(pj, p[i * classes + j], tolerance: 1e-5);
                Assert.Equal((pj - (j == labels[i] ? 1 : 0)) / rows, dz[i * classes + j], tolerance: 1e-5);
            }
        }
        Assert.Equal(expectedLoss / rows, loss, tolerance: 1e-4);
        var softmax = new float[rows * classes];
        Kernels.Softmax(logits, softmax, rows, classes);
        Assert.Equal(p, softmax);
    }

    [Fact]
    public void LabelOutOfRangeIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LossKernels.SoftmaxCrossEntropy(new float[4], new[] { 0, 2 }, new float[4], new float[4], 2, 2));
        Assert.Contains("Label 2 at row 1", e.Message);
    }

    [Fact]
    public void MeanSquaredErrorAndColumnSums()
    {
        var y = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = new float[] { 0, 2, 1, 4, 5, 9 };
        var dy = new float[6];
        float loss = LossKernels.MeanSquaredError(y, t, dy, 3, 2);
        Assert.Equal((1 + 0 + 4 + 0 + 0 + 9) / 6f, loss, tolerance: 1e-6);
        Assert.Equal(new[] { 2 / 6f, 0, 4 / 6f, 0, 0, -6 / 6f }, dy);
        var sums = new float[2];
        Kernels.ColumnSums(y, sums, 3, 2);
        Assert.Equal(new[] { 9f, 12f }, sums);
    }

    [Fact]
    public void UnfusedActivationKernelsMatchTheirDefinitions()
    {
        var x = GeneratedModelTests.Data(37, 9).Select(v => v * 4).ToArray();
        var y = new float[37];
        var dy = GeneratedModelTests.Data(37, 10);
        var dx = new float[37];
        Kernels.Activate<Tanh>(x, y, 37);
        Kernels.ActivationBackward<Tanh>(dy, y, dx, 37);
        for (int i = 0; i < 37; i++)
        {
            Assert.Equal(Math.Tanh(x[i]), y[i], tolerance: 1e-6);
            Assert.Equal(dy[i] * (1 - y[i] * y[i]), dx[i], tolerance: 1e-6);
        }
        Kernels.Activate<Relu>(x, y, 37);
        Kernels.ActivationBackward<Relu>(dy, y, dx, 37);
        for (int i = 0; i < 37; i++) Assert.Equal(x[i] > 0 ? dy[i] : 0f, dx[i]);
        Kernels.Activate<Sigmoid>(x, y, 37);
        for (int i = 0; i < 37; i++) Assert.Equal(1 / (1 + Math.Exp(-x[i])), y[i], tolerance: 1e-6);
    }

    [Fact]
    public void IndexOfMaxAgreesWithTensorPrimitivesOnTiesNaNsZerosAndWideRows()
    {
        float[][] rows =
        [
            [], [3f], [1f, 5f, 5f, 2f], [-0f, 0f], [0f, -0f], [1f, float.NaN, 9f, float.NaN], [float.NegativeInfinity, -1e30f],
            GeneratedModelTests.Data(10, 1), GeneratedModelTests.Data(16, 2), GeneratedModelTests.Data(17, 3), GeneratedModelTests.Data(100, 4),
        ];
        foreach (var row in rows)
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row), Kernels.IndexOfMax(row));
        Assert.Equal(1, Kernels.IndexOfMax([-0f, 0f]));
        Assert.Equal(1, Kernels.IndexOfMax([1f, 5f, 5f, 2f]));
    }

    [Theory]
    [InlineData(128, 10)] // the output layer's bias gradient: one core
    [InlineData(33, 37)] // vector blocks of 32 and 8 columns and a scalar tail
    [InlineData(4096, 20)] // past ColumnSumJob.ParallelFrom: every core, partials added in order
    public void ColumnSumsMatchDoublePrecision(int rows, int cols)
    {
        var x = GeneratedModelTests.Data(rows * cols, rows);
        var sums = Enumerable.Repeat(7f, cols + 3).ToArray();
        Kernels.ColumnSums(x, sums, rows, cols);
        for (int c = 0; c < cols; c++)
        {
            double expected = 0;
            for (int r = 0; r < rows; r++) expected += x[r * cols + c];
            Assert.Equal(expected, sums[c], tolerance: 1e-5 * rows);
        }
        Assert.Equal([7f, 7f, 7f], sums[cols..]);
    }
}
