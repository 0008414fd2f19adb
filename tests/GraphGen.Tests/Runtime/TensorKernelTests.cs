using GraphGen.Cpu;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>
/// The general tensor kernels against plain double loops that index every element by its coordinates, over
/// shapes that take each fast path (same shape, scalar, trailing rows) and the general index walk.
/// </summary>
public partial class TensorKernelTests
{
    private static readonly SeededRandom Random = new(5);

    private static float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)(Random.NextDouble() * 2 + 0.5)).ToArray();

    private static int Count(int[] dims) => dims.Aggregate(1, (a, b) => a * b);

    /// <summary>The coordinates of flat index i in a shape.</summary>
    private static int[] Coordinates(int i, int[] dims)
    {
        var c = new int[dims.Length];
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            c[d] = i % dims[d];
            i /= dims[d];
        }
        return c;
    }

    /// <summary>The flat index an operand of <paramref name="dims"/> reads at broadcast coordinates (right-aligned, size-1 axes repeat).</summary>
    private static int Read(int[] coordinates, int[] dims)
    {
        int index = 0;
        for (int d = 0; d < dims.Length; d++)
        {
            int c = coordinates[coordinates.Length - dims.Length + d];
            index = index * dims[d] + (dims[d] == 1 ? 0 : c);
        }
        return index;
    }

    public static IEnumerable<object[]> BroadcastCases() => new[]
    {
        new object[] { new[] { 3, 4 }, new[] { 3, 4 } },        // same shape
        new object[] { new[] { 3, 4 }, Array.Empty<int>() },    // scalar
        new object[] { Array.Empty<int>(), new[] { 2, 5 } },    // scalar on the left
        new object[] { new[] { 5, 2, 3 }, new[] { 3 } },        // trailing row
        new object[] { new[] { 2, 3 }, new[] { 4, 2, 3 } },     // trailing rows on the left
        new object[] { new[] { 4, 1, 3 }, new[] { 2, 1 } },     // both stretched: the index walk
        new object[] { new[] { 3, 1 }, new[] { 1, 4 } },
    };

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void BroadcastingArithmeticMatchesDoubleLoops(int[] aDims, int[] bDims)
    {
        var outDims = TensorKernels.BroadcastShape(aDims, bDims);
        var a = Values(Count(aDims));
        var b = Values(Count(bDims));
        foreach (var (kernel, f) in new (Action<float[], float[], float[]>, Func<double, double, double>)[]
        {
            ((x, y, z) => TensorKernels.Add(x, aDims, y, bDims, z, outDims), (p, q) => p + q),
            ((x, y, z) => TensorKernels.Subtract(x, aDims, y, bDims, z, outDims), (p, q) => p - q),
            ((x, y, z) => TensorKernels.Multiply(x, aDims, y, bDims, z, outDims), (p, q) => p * q),
            ((x, y, z) => TensorKernels.Divide(x, aDims, y, bDims, z, outDims), (p, q) => p / q),
        })
        {
            var c = new float[Count(outDims) + 3]; // longer than the shape: the tail stays untouched
            kernel(a, b, c);
            for (int i = 0; i < Count(outDims); i++)
            {
                var at = Coordinates(i, outDims);
                double expected = f(a[Read(at, aDims)], b[Read(at, bDims)]);
                Assert.True(Math.Abs(c[i] - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)), $"element {i}: {c[i]} vs {expected}");
            }
            Assert.Equal(new float[3], c[^3..]);
        }
    }

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void SumToReversesEachBroadcast(int[] aDims, int[] bDims)
    {
        var full = TensorKernels.BroadcastShape(aDims, bDims);
        var source = Values(Count(full));
        foreach (var target in new[] { aDims, bDims })
        {
            var expected = new double[Count(target)];
            for (int i = 0; i < source.Length; i++) expected[Read(Coordinates(i, full), target)] += source[i];
            var actual = new float[Count(target)];
            TensorKernels.SumTo(source, full, actual, target);
            for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4);
        }
    }

    [Fact]
    public void MismatchedShapesAreRefusedWithBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => TensorKernels.Add(new float[6], [2, 3], new float[2], [2], new float[6], [2, 3]));
        Assert.Contains("(2, 3) and (2)", e.Message);
        Assert.Throws<ArgumentException>(() => TensorKernels.Add(new float[6], [2, 3], new float[3], [3], new float[5], [2, 3]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 70)]
    [InlineData(45, 33)]
    public void TransposeMatchesLoops(int rows, int cols)
    {
        var x = Values(rows * cols);
        var t = new float[rows * cols];
        TensorKernels.Transpose(x, t, rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) Assert.Equal(x[i * cols + j], t[j * rows + i]);
    }

    [Fact]
    public void CopyBlockConcatenatesAndSlices()
    {
        // (2, 3) and (2, 2) joined along axis 1 into (2, 5), then the second piece sliced back out.
        float[] a = { 1, 2, 3, 4, 5, 6 }, b = { 7, 8, 9, 10 }, joined = new float[10], back = new float[4];
        TensorKernels.CopyBlock(a, 3, 0, joined, 5, 0, 2, 3);
        TensorKernels.CopyBlock(b, 2, 0, joined, 5, 3, 2, 2);
        Assert.Equal(new float[] { 1, 2, 3, 7, 8, 4, 5, 6, 9, 10 }, joined);
        TensorKernels.CopyBlock(joined, 5, 3, back, 2, 0, 2, 2);
        Assert.Equal(b, back);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorKernels.CopyBlock(joined, 5, 4, back, 2, 0, 2, 2));
    }

    [Theory]
    [InlineData(1, 7, 1)]
    [InlineData(3, 4, 1)]
    [InlineData(2, 5, 3)]
    [InlineData(4, 1, 6)]
    public void SumAndExpandMatchLoops(int outer, int count, int inner)
    {
        var x = Values(outer * count * inner);
        var sum = new float[outer * inner];
        TensorKernels.Sum(x, sum, outer, count, inner, 0.5f);
        var back = new float[x.Length];
        TensorKernels.Expand(sum, back, outer, count, inner, 2f);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double expected = 0;
                for (int k = 0; k < count; k++) expected += x[(o * count + k) * inner + i];
                Assert.Equal(0.5 * expected, sum[o * inner + i], 1e-4);
                for (int k = 0; k < count; k++) Assert.Equal(2 * sum[o * inner + i], back[(o * count + k) * inner + i], 1e-5);
            }
    }

    [Fact]
    public void SoftmaxBackwardMatchesTheJacobian()
    {
        const int rows = 3, cols = 5;
        var z = Values(rows * cols);
        var y = new float[rows * cols];
        Kernels.Softmax(z, y, rows, cols);
        var dy = Values(rows * cols);
        var dx = new float[rows * cols];
        Kernels.SoftmaxBackward(dy, y, dx, rows, cols);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                // dx_j = Σ_i dy_i ∂y_i/∂z_j with ∂y_i/∂z_j = y_i (δ_ij − y_j).
                double expected = 0;
                for (int i = 0; i < cols; i++) expected += (double)dy[r * cols + i] * y[r * cols + i] * ((i == j ? 1 : 0) - y[r * cols + j]);
                Assert.Equal(expected, dx[r * cols + j], 1e-6);
            }
    }
}
