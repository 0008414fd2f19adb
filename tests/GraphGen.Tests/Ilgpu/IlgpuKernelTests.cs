using GraphGen.Cpu;
using GraphGen.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GraphGen.Tests.Ilgpu;

/// <summary>One ILGPU CPU accelerator for a test class (opening one starts its threads).</summary>
public sealed class IlgpuCpuAccelerator : IDisposable
{
    public Accelerator Accelerator { get; } = IlgpuAccelerators.Create(Device.IlgpuCpu);
    public void Dispose() => Accelerator.Dispose();

    public MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] values) where T : unmanaged
    {
        var buffer = Accelerator.Allocate1D<T>(Math.Max(values.Length, 1));
        IlgpuCopy.Upload<T>(buffer.View, values);
        return buffer;
    }

    public static T[] Download<T>(ArrayView<T> view, long length) where T : unmanaged
    {
        var values = new T[length];
        IlgpuCopy.Download<T>(view, values);
        return values;
    }
}

/// <summary>
/// IlgpuStep's own operations on ILGPU's CPU accelerator against the CPU kernels: the GEMM kernels on ragged sizes in
/// every layout, the cuBLAS argument mapping (run through a column-major reference), the mean loss, the gather, Clear
/// and the buffers' growth.
/// </summary>
public class IlgpuKernelTests(IlgpuCpuAccelerator device) : IClassFixture<IlgpuCpuAccelerator>
{
    private static readonly (int M, int N, int K)[] s_ragged = [(1, 1, 1), (7, 5, 3), (13, 1, 17), (1, 19, 6), (33, 29, 31), (5, 64, 2), (65, 3, 70)];

    private IlgpuStep NewStep(int parameters = 0, IlgpuProgram? program = null)
        => new(device.Accelerator, program ?? new EmptyProgram(), inputWidth: 3, targetWidth: 2, labels: false, parameters == 0 ? [] : [parameters]);

    private static float[] Cpu(GemmLayout layout, int m, int n, int k, float[] a, float[] b)
    {
        var c = new float[m * n];
        Gemm.Multiply(layout, m, n, k, a, b, c);
        return c;
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(GemmLayout.NN)]
    [InlineData(GemmLayout.TN)]
    [InlineData(GemmLayout.NT)]
    public void IlgpuGemmPerOutputMatchesTheCpuSgemmOnRaggedSizes(GemmLayout layout)
    {
        using var step = NewStep();
        Assert.Equal(IlgpuGemmPath.PerOutput, step.Gemms); // the CPU accelerator's choice
        foreach (var (m, n, k) in s_ragged) CheckGemm(step, layout, m, n, k);
    }

    [Theory]
    [InlineData(GemmLayout.NN)]
    [InlineData(GemmLayout.TN)]
    [InlineData(GemmLayout.NT)]
    public void IlgpuGemmTiledMatchesTheCpuSgemmOnRaggedSizes(GemmLayout layout)
    {
        // The GPU fallback's shared-memory kernel, in 4×4 tiles here (the CPU accelerator's groups hold 16 threads):
        // small sizes, as every barrier is a hand-off between OS threads.
        using var step = NewStep();
        step.Gemms = IlgpuGemmPath.Tiled;
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 5, 3), (9, 6, 13), (4, 8, 4) }) CheckGemm(step, layout, m, n, k);
    }

    private void CheckGemm(IlgpuStep step, GemmLayout layout, int m, int n, int k)
    {
        var a = Models.GeneratedModelTests.Data(m * k, m + 7 * k);
        var b = Models.GeneratedModelTests.Data(k * n, n + 3 * k);
        using var da = device.Upload(a);
        using var db = device.Upload(b);
        // C is longer than m·n and pre-filled: the GEMM writes exactly m·n values, leaving the rest.
        using var dc = device.Upload(Enumerable.Repeat(9f, m * n + 5).ToArray());
        step.Gemm(layout, m, n, k, da.View, db.View, dc.View);
        var c = IlgpuCpuAccelerator.Download<float>(dc.View, m * n + 5);
        AssertClose(Cpu(layout, m, n, k, a, b), c[..(m * n)], 1e-5, $"{layout} {m}×{n}×{k}");
        Assert.All(c[(m * n)..], v => Assert.Equal(9f, v));
    }

    [Fact]
    public void IlgpuGemmWithNoInnerDimensionWritesZerosAndChecksItsArguments()
    {
        using var step = NewStep();
        using var c = device.Upload(new[] { 1f, 2f, 3f, 4f, 5f, 6f });
        using var a = device.Upload(new float[6]);
        step.Gemm(GemmLayout.NN, 2, 3, 0, a.View, a.View, c.View);
        Assert.All(IlgpuCpuAccelerator.Download<float>(c.View, 6), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => step.Gemm(GemmLayout.NN, 2, 3, 4, a.View, a.View, c.View));
        Assert.Throws<ArgumentOutOfRangeException>(() => step.Gemm(GemmLayout.TN, -1, 3, 1, a.View, a.View, c.View));
    }

    /// <summary>C (column-major, M × N, ldc) = op(X)·op(Y), reference BLAS semantics.</summary>
    private static void ColumnMajorSgemm(ColumnMajorGemm g, float[] x, float[] y, float[] c)
    {
        for (int j = 0; j < g.N; j++)
            for (int i = 0; i < g.M; i++)
            {
                double sum = 0;
                for (int p = 0; p < g.K; p++)
                {
                    float xv = g.TransFirst ? x[p + i * g.LdFirst] : x[i + p * g.LdFirst];
                    float yv = g.TransSecond ? y[j + p * g.LdSecond] : y[p + j * g.LdSecond];
                    sum += xv * yv;
                }
                c[i + j * g.Ldc] = (float)sum;
            }
    }

    [Theory]
    [InlineData(GemmLayout.NN)]
    [InlineData(GemmLayout.TN)]
    [InlineData(GemmLayout.NT)]
    public void IlgpuCuBlasArgumentsComputeTheRowMajorProduct(GemmLayout layout)
    {
        // No GPU here: the arguments IlgpuStep hands cuBLAS (B first, then A) run through a column-major reference SGEMM.
        foreach (var (m, n, k) in s_ragged)
        {
            var a = Models.GeneratedModelTests.Data(m * k, m + 5 * k);
            var b = Models.GeneratedModelTests.Data(k * n, n + 11 * k);
            var c = new float[m * n];
            ColumnMajorSgemm(IlgpuStep.ColumnMajor(layout, m, n, k), b, a, c);
            AssertClose(Cpu(layout, m, n, k, a, b), c, 1e-5, $"{layout} {m}×{n}×{k}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(1000)]
    public void IlgpuMeanLossIsTheMeanOfTheRowLosses(int count)
    {
        using var step = NewStep();
        step.EnsureCapacity(1000);
        var values = Models.GeneratedModelTests.Data(1000, count).Select(v => v * 3 + 1).ToArray();
        IlgpuCopy.Upload<float>(step.RowLosses, values);
        step.MeanLoss(count);
        double expected = values.Take(count).Sum(v => (double)v) / count;
        Assert.Equal(expected, step.ReadLoss(), 1e-6);
        Assert.Throws<ArgumentOutOfRangeException>(() => step.MeanLoss(1001));
    }

    [Fact]
    public void IlgpuGatherCopiesTheOrderedRowsOfFloatsAndInts()
    {
        const int rows = 11, width = 3;
        var x = Enumerable.Range(0, rows * width).Select(i => (float)i).ToArray();
        var labels = Enumerable.Range(0, rows).Select(i => 100 + i).ToArray();
        int[] order = [4, 10, 0, 7, 7, 2, 9, 1, 3, 5, 6, 8];
        using var dx = device.Upload(x);
        using var dl = device.Upload(labels);
        using var dorder = device.Upload(order);
        using var outX = device.Accelerator.Allocate1D<float>(5 * width);
        using var outL = device.Accelerator.Allocate1D<int>(5);
        using var step = NewStep();
        step.Kernels.Gather(dx.View, dorder.View, 3, 5, width, outX.View);
        step.Kernels.Gather(dl.View, dorder.View, 3, 5, 1, outL.View);
        var expectedRows = order[3..8];
        Assert.Equal(expectedRows.SelectMany(r => x.Skip(r * width).Take(width)), IlgpuCpuAccelerator.Download<float>(outX.View, 5 * width));
        Assert.Equal(expectedRows.Select(r => labels[r]), IlgpuCpuAccelerator.Download<int>(outL.View, 5));
    }

    [Fact]
    public void IlgpuStepBuffersGrowWithTheBatchAndClearZeroes()
    {
        var program = new EmptyProgram(2, new IlgpuBufferSpec("h", 4, BatchAxes: 1), new IlgpuBufferSpec("scratch", 6, BatchAxes: 0));
        using var step = new IlgpuStep(device.Accelerator, program, inputWidth: 3, targetWidth: 2, labels: false, [6, 2, 5]);
        Assert.Equal(0, step.Capacity);
        Assert.Equal(6, step.Buffer(1).Length);
        step.EnsureCapacity(10);
        Assert.Equal((10, 30L, 20L, 0L, 40L, 20L), (step.Capacity, step.Input.Length, step.Targets.Length, step.Labels.Length, step.Buffer(0).Length, step.RowLosses.Length));
        step.EnsureCapacity(4); // smaller: kept
        Assert.Equal(10, step.Capacity);
        Assert.Equal((6L, 2L, 5L, 13L, 1L), (step.Value(0).Length, step.Value(1).Length, step.Gradient(2).Length, step.AllGradients.Length, step.Loss.Length));

        IlgpuCopy.Upload<float>(step.AllGradients, Enumerable.Range(1, 13).Select(i => (float)i).ToArray());
        step.Clear(step.Gradient(1));
        Assert.Equal([1, 2, 3, 4, 5, 6, 0, 0, 9, 10, 11, 12, 13], IlgpuCpuAccelerator.Download<float>(step.AllGradients, 13));

        using var labelled = new IlgpuStep(device.Accelerator, program, 3, 1, labels: true, [1]);
        labelled.EnsureCapacity(7);
        Assert.Equal((7L, 0L), (labelled.Labels.Length, labelled.Targets.Length));
    }

    [Fact]
    public void TheOptimizerStepsTheTrainableParametersOnlyAndTheirGradientsStartAtZero()
    {
        // Parameters 1 and 3 are state (a batch normalisation's moving statistics): laid out after the trainable ones.
        using var step = new IlgpuStep(device.Accelerator, new EmptyProgram(), 1, 1, false, [6, 2, 5, 3], [true, false, true, false]);
        Assert.Equal((0L, 11L, 6L, 13L), (step.Offset(0), step.Offset(1), step.Offset(2), step.Offset(3)));
        Assert.Equal((11L, 11L, 16L), (step.TrainableValues.Length, step.TrainableGradients.Length, step.AllValues.Length));
        Assert.Equal(new float[16], IlgpuCpuAccelerator.Download<float>(step.AllGradients, 16));

        var w = Enumerable.Range(1, 16).Select(i => (float)i).ToArray();
        IlgpuCopy.Upload<float>(step.AllValues, w);
        IlgpuCopy.Upload<float>(step.AllGradients, Enumerable.Repeat(1f, 16).ToArray());
        using var h = device.Upload(new[] { 0.5f, 0f, 0f, 0f });
        var sgd = new GraphGen.Training.Sgd(0.5f);
        step.Kernels.Updates.Apply(sgd, step.TrainableValues, step.TrainableGradients, [], h.View);
        Assert.Equal(w.Select((v, i) => i < 11 ? v - 0.5f : v), IlgpuCpuAccelerator.Download<float>(step.AllValues, 16));
    }
}
