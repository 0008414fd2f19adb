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
