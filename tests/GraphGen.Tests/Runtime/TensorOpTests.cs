using GraphGen.Cpu;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>The eager Tensor and Op API that [Forward] and [Differentiable] bodies run on when called directly.</summary>
public class TensorOpTests
{
    private static Tensor Range(params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = i + 1;
        return t;
    }

    [Fact]
    public void BroadcastingAMatrixWithAVector()
    {
        var x = Range(32, 10);
        var y = Range(10);
        var z = x + y;
        Assert.Equal(new[] { 32, 10 }, z.Shape);
        for (int i = 0; i < 32; i++)
            for (int j = 0; j < 10; j++) Assert.Equal(x[i, j] + y[j], z[i, j]);
        Assert.Equal(new[] { 32, 10 }, (Range(32, 1) * Range(10)).Shape);
        var e = Assert.Throws<ArgumentException>(() => x + Range(3));
        Assert.Contains("(32, 10) and (3) do not broadcast", e.Message);
    }

    [Fact]
    public void ScalarsAndOperators()
    {
        var x = Tensor.FromArray(new float[,] { { 1, -2 }, { 3, 4 } });
        Assert.Equal(new float[] { 5, -1, 9, 11 }, (2 * x + 3).Data);
        Assert.Equal(new float[] { -1, 2, -3, -4 }, (-x).Data);
        Assert.Equal(new float[] { 0.5f, -1, 1.5f, 2 }, (x / 2).Data);
        Assert.Equal(new float[] { 0, 3, -2, -3 }, (1 - x).Data);
        Assert.Equal(new float[] { 1, 0, 3, 4 }, Op.Relu(x).Data);
        Assert.Equal(6f, Op.Sum(x).ToScalar());
        Assert.Equal(1.5f, Op.Mean(x).ToScalar());
    }

    [Fact]
    public void MatMulTransposeReshapeConcat()
    {
        var a = Range(2, 3);
        var b = Range(3, 2);
        // [1 2 3; 4 5 6]·[1 2; 3 4; 5 6] = [22 28; 49 64]
        Assert.Equal(new float[] { 22, 28, 49, 64 }, Op.MatMul(a, b).Data);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, Op.Transpose(a).Data);
        var r = Op.Reshape(a, -1, 2);
        Assert.Equal(new[] { 3, 2 }, r.Shape);
        Assert.Equal(a.Data, r.Data);
        Assert.NotSame(a.Data, r.Data);
        var joined = Op.Concat(a, Range(2, 1));
        Assert.Equal(new float[] { 1, 2, 3, 1, 4, 5, 6, 2 }, joined.Data);
        Assert.Equal(new[] { 4, 3 }, Op.Concat([a, a], axis: 0).Shape);
        Assert.Throws<ArgumentException>(() => Op.MatMul(a, a));
        Assert.Throws<ArgumentException>(() => Op.Reshape(a, 4, -1));
        Assert.Throws<ArgumentException>(() => Op.Concat(a, Range(3, 1)));
    }

    [Fact]
    public void ReductionsOverAnAxis()
    {
        var x = Range(2, 3, 4);
        var sum = Op.Sum(x, 1);
        Assert.Equal(new[] { 2, 4 }, sum.Shape);
        Assert.Equal(1 + 5 + 9, sum[0, 0]);
        Assert.Equal((13 + 17 + 21) / 3f, Op.Mean(x, -2)[1, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Op.Sum(x, 3));
        var p = Op.Softmax(Range(2, 3));
        Assert.Equal(1f, p[0, 0] + p[0, 1] + p[0, 2], 5);
    }

    [Theory]
    [InlineData(new[] { 3, 1 }, new[] { 1, 4 })]
    [InlineData(new[] { 2, 3 }, new[] { 3 })]
    [InlineData(new int[0], new[] { 2, 2 })]
    [InlineData(new[] { 5, 7 }, new[] { 5, 7 })]
    public void MaximumMinimumAndAbsRunEagerly(int[] aDims, int[] bDims)
    {
        var a = new Tensor(aDims, TensorKernelTests.OrderValues(aDims.Aggregate(1, (p, d) => p * d), 21));
        var b = new Tensor(bDims, TensorKernelTests.OrderValues(bDims.Aggregate(1, (p, d) => p * d), 22));
        var max = Op.Maximum(a, b);
        var min = Op.Minimum(a, b);
        var shape = TensorKernels.BroadcastShape(aDims, bDims);
        Assert.Equal(shape, max.Shape);
        Assert.Equal(shape, min.Shape);
        for (int i = 0; i < max.Length; i++)
        {
            // Broadcast coordinates, walked from the last axis: size-1 axes of an operand repeat.
            int ia = 0, ib = 0, rest = i, strideA = 1, strideB = 1;
            for (int d = 1; d <= shape.Length; d++)
            {
                int c = rest % shape[^d];
                rest /= shape[^d];
                if (d <= aDims.Length) { ia += (aDims[^d] == 1 ? 0 : c) * strideA; strideA *= aDims[^d]; }
                if (d <= bDims.Length) { ib += (bDims[^d] == 1 ? 0 : c) * strideB; strideB *= bDims[^d]; }
            }
            TensorKernelTests.AssertSameFloat(TensorKernelTests.ReferenceMax(a.Data[ia], b.Data[ib]), max.Data[i], $"max at {i}");
            TensorKernelTests.AssertSameFloat(TensorKernelTests.ReferenceMin(a.Data[ia], b.Data[ib]), min.Data[i], $"min at {i}");
        }
        var abs = Op.Abs(a);
        Assert.Equal(aDims, abs.Shape);
        for (int i = 0; i < a.Length; i++)
            TensorKernelTests.AssertSameFloat(double.IsNegative(a.Data[i]) ? -(double)a.Data[i] : a.Data[i], abs.Data[i], $"abs at {i}");
        Assert.Equal(2.5f, Op.Abs(-2.5f));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(Op.Abs(-0f)));
        Assert.Throws<ArgumentException>(() => Op.Maximum(Range(2, 3), Range(2)));
        Assert.Throws<ArgumentNullException>(() => Op.Minimum(a, null!));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MaxOverAnAxisAndOverEverything(bool nan)
    {
        int[] dims = [3, 5, 7];
        var x = new Tensor(dims, TensorKernelTests.OrderValues(3 * 5 * 7, 23, nan));
        for (int axis = -3; axis < 3; axis++)
        {
            int resolved = axis < 0 ? axis + 3 : axis;
            var max = Op.Max(x, axis);
            Assert.Equal(dims.Where((_, d) => d != resolved), max.Shape);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 5; j++)
                    for (int k = 0; k < 7; k++)
                    {
                        int[] at = [i, j, k];
                        if (at[resolved] != 0) continue;
                        double expected = double.NegativeInfinity;
                        for (int m = 0; m < dims[resolved]; m++)
                        {
                            at[resolved] = m;
                            expected = TensorKernelTests.ReferenceMax(expected, x[at]);
                        }
                        TensorKernelTests.AssertSameFloat(expected, max[at.Where((_, d) => d != resolved).ToArray()], $"max over axis {axis} at ({i}, {j}, {k})");
                    }
        }
        double all = x.Data.Aggregate(double.NegativeInfinity, (m, v) => TensorKernelTests.ReferenceMax(m, v));
        var scalar = Op.Max(x);
        Assert.Empty(scalar.Shape);
        TensorKernelTests.AssertSameFloat(all, scalar.ToScalar(), "max of everything");
        Assert.Equal(6f, Op.Max(Range(2, 3)).ToScalar());
        Assert.Equal(new float[] { 4, 5, 6 }, Op.Max(Range(2, 3), 0).Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => Op.Max(x, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Op.Max(x, -4));
        Assert.Throws<ArgumentNullException>(() => Op.Max(null!));
    }

    [Fact]
    public void TensorChecksItsShapeAndData()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tensor(2, 0));
        var e = Assert.Throws<ArgumentException>(() => new Tensor([2, 2], new float[3]));
        Assert.Contains("holds 4 values, but the data has 3", e.Message);
        Assert.Throws<IndexOutOfRangeException>(() => Range(2, 2)[2, 0]);
        Assert.Equal("Tensor (2, 2) [[1, 2], [3, 4]]", Range(2, 2).ToString());
        Assert.Empty(Tensor.Scalar(3).Shape);
        Assert.Throws<InvalidOperationException>(() => Range(2).ToScalar());
    }
}
