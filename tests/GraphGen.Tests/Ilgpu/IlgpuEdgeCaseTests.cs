using GraphGen.Cpu;
using Xunit;

namespace GraphGen.Tests.Ilgpu;

/// <summary>
/// The reduction, broadcast and order kernels ILGPU runs (ExtremesNet's: Maximum and Minimum broadcast, their
/// masks, the maximum over an axis and over every axis, sums and a mean over an axis, SumTo) on ILGPU's CPU
/// accelerator against the CPU runtime's kernels, the reference, on inputs full of NaN, ±0, ±∞ and ties: the same
/// values bit for bit where both are numbers (the inputs' sums are exact in any order), NaN where the CPU gives NaN.
/// </summary>
public sealed class IlgpuEdgeCaseTests : IlgpuCpuTest
{
    private const int Rows = 3; // ExtremesNet's h is (B, 2, 4)
    private static readonly float[] s_edges = [float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, 1f, -1f, 2f, 2f, 0.5f, -3f, -0f];
    private readonly ExtremesNet _model = new(1);

    /// <summary>Values drawn from the edge cases (each draw a different mix; a third of the draws without NaN, so ties and zeros decide).</summary>
    private static float[] Edges(int count, int seed)
    {
        var random = new Random(seed);
        bool noNaN = seed % 3 == 0;
        return Enumerable.Range(0, count).Select(_ => s_edges[random.Next(noNaN ? 1 : 0, s_edges.Length)]).ToArray();
    }

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 12));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void IlgpuMaximumMinimumAndTheirMasksBroadcastAsTheCpu(int seed)
    {
        float[] a = Edges(Rows * 8, seed), b = Edges(4, seed + 100);
        int[] aDims = [Rows, 2, 4], bDims = [4];
        foreach (var (kernel, cpu) in new (string, Action<float[], float[], float[]>)[]
        {
            ("HighMaximumBroadcast", (x, y, z) => TensorKernels.Maximum(x, aDims, y, bDims, z, aDims)),
            ("LowMinimumBroadcast", (x, y, z) => TensorKernels.Minimum(x, aDims, y, bDims, z, aDims)),
            ("HighGreaterEqualBroadcast", (x, y, z) => TensorKernels.GreaterEqual(x, aDims, y, bDims, z, aDims)),
        })
        {
            var expected = new float[a.Length];
            cpu(a, b, expected);
            var actual = new float[a.Length];
            Launch(Kernel(_model, kernel), a.Length, a.ToArray(), b.ToArray(), actual);
            AssertSame(expected, actual, $"{kernel} of {Show(a)} and {Show(b)}");
        }
        // The mask of ties against a maximum broadcast back: NaN equals nothing, −0 equals +0.
        var equal = new float[a.Length];
        var other = Edges(a.Length, seed + 200);
        TensorKernels.Equal(a, aDims, other, aDims, equal, aDims);
        var onDevice = new float[a.Length];
        Launch(Kernel(_model, "Equal"), a.Length, a.ToArray(), other, onDevice);
        AssertSame(equal, onDevice, "Equal");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void IlgpuReductionsOverAnAxisAndEveryAxisAsTheCpu(int seed)
    {
        var x = Edges(Rows * 8, seed);
        // Over axis 1 of (B, 2, 4): n = 2 values 4 apart, a thread per (row, column).
        var expected = new float[Rows * 4];
        TensorKernels.Max(x, expected, Rows, 2, 4);
        Check("PeakMax", x, expected, Rows * 4, 2);
        TensorKernels.Sum(x, expected, Rows, 2, 4, 1f / 2);
        Check("SpreadMean", x, expected, Rows * 4, 2);
        // Over axis 2: n = 4 adjacent values (the CPU's contiguous, vectorised path).
        var sums = new float[Rows * 2];
        TensorKernels.Sum(x, sums, Rows * 2, 4, 1, 1f);
        Check("PooledSum", x, sums, Rows * 2, 4);
        // Over every axis: one value.
        var one = new float[1];
        TensorKernels.Max(x, one, 1, x.Length, 1);
        Check("SpreadMax", x, one, 1, x.Length);
        TensorKernels.Sum(x, one, 1, x.Length, 1, 1f);
        Check("PooledSum", x, one, 1, x.Length);
        // Σ back over the axes a broadcast of (4) to (B, 2, 4) added: the gradient of Floor.
        var floor = new float[4];
        TensorKernels.SumTo(x, [Rows, 2, 4], floor, [4]);
        Check("LowSumTo", x, floor, 4, Rows * 2);
    }

    private void Check(string kernel, float[] x, float[] expected, int outputs, int n)
    {
        var actual = new float[outputs];
        Launch(Kernel(_model, kernel), outputs, x.ToArray(), actual, n);
        AssertSame(expected[..outputs], actual, $"{kernel} of {Show(x)}");
    }

    /// <summary>Equal values with equal signs (so −0 ≠ +0), or NaN for NaN.</summary>
    private static void AssertSame(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = float.IsNaN(expected[i]) ? float.IsNaN(actual[i]) : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, $"{what}: [{i}] CPU {expected[i]:R}, ILGPU {actual[i]:R}");
        }
    }

    private static string Show(float[] values) => "[" + string.Join(" ", values.Select(v => v == 0 && float.IsNegative(v) ? "-0" : v.ToString("R"))) + "]";
}
