using GraphGen.Cpu;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Numerics;

/// <summary>
/// The convolution and max-pool kernels against plain loops in double precision, on ragged shapes (odd sizes, stride
/// 2, same padding, 1×1 and 5×5 kernels, 3 channels, a batch of 3), and their backward passes against central
/// differences of the reference forward pass (gradcheck of L = Σ dy ⊙ f(x)).
/// </summary>
public class ConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int, bool> Shapes => new()
    {
        // height, width, channels, kernel, stride, filters, same padding
        { 9, 7, 3, 3, 1, 4, false },
        { 9, 7, 3, 5, 2, 5, true },
        { 8, 11, 3, 1, 1, 6, false },
        { 7, 7, 1, 5, 1, 2, true },
        { 10, 9, 2, 3, 2, 3, false },
        { 28, 28, 1, 3, 1, 8, false },
        // Windows of at most 32 values with filters in eights take the small-patch kernels (SmallPatchConvolution):
        // same padding and stride 2 (the windows gathered), a 5×5 window, and a batch large enough to be cut into parts.
        { 9, 7, 3, 3, 2, 16, true },
        { 7, 9, 1, 5, 1, 8, true },
        { 28, 28, 1, 3, 1, 32, false },
        // Valid padding reads the windows straight from the image: two channels' offsets, and filters in sixteens and
        // a last eight.
        { 12, 11, 2, 3, 1, 24, false },
        // Windows longer than the SGEMM's k-block (Gemm.KC = 256) take the implicit GEMM in two k-blocks, with filters
        // that fill no whole strip of the micro-kernel.
        { 10, 9, 32, 3, 2, 40, true },
        { 12, 12, 16, 5, 1, 64, false },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void ForwardWithBiasAndReluMatchesPlainLoops(int h, int w, int c, int k, int stride, int f, bool same)
    {
        var shape = Geometry(3, h, w, c, k, stride, same);
        var random = new SeededRandom(5);
        float[] x = Values(shape.InputCount, random), kernel = Values(k * k * c * f, random), bias = Values(f, random);
        var y = new float[shape.Pixels * f];
        Convolution.Forward(x, kernel, y, shape, f, new BiasActivation<Relu>(bias));
        var expected = Reference(x, kernel, shape, f);
        for (int i = 0; i < y.Length; i++)
            Assert.Equal(Math.Max(0, expected[i] + bias[i % f]), y[i], 1e-4);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void BackwardPassesMatchCentralDifferences(int h, int w, int c, int k, int stride, int f, bool same)
    {
        var shape = Geometry(2, h, w, c, k, stride, same);
        var random = new SeededRandom(9);
        float[] x = Values(shape.InputCount, random), kernel = Values(k * k * c * f, random), dy = Values(shape.Pixels * f, random);
        var dx = new float[x.Length];
        var dw = new float[kernel.Length];
        Convolution.BackwardInput(dy, kernel, dx, shape, f);
        Convolution.BackwardFilter(x, dy, dw, shape, f);
        double Loss(float[] xs, float[] ks) => Reference(xs, ks, shape, f).Select((v, i) => v * dy[i]).Sum();
        AssertGradient(dx, x, v => Loss(v, kernel));
        AssertGradient(dw, kernel, v => Loss(x, v));
    }

    /// <summary>
    /// Wide layers near the edge of the implicit GEMM's pack buffer (Gemm.KC × Gemm.NC floats): 896 filters fit every
    /// pass's packed B; 992 filters on a 261-value window (Wᵀ's strips) and 1,024 filters with parts of more than 256
    /// pixels (the kernel gradient's dY blocks) do not and take im2col. These once wrote past the buffer.
    /// </summary>
    [Theory]
    [InlineData(2, 6, 6, 16, 896, true)]
    [InlineData(1, 3, 3, 29, 992, false)]
    [InlineData(2, 20, 20, 16, 1024, true)]
    public void WideLayersMatchPlainLoopsInEveryPass(int batch, int h, int w, int c, int f, bool same)
    {
        var shape = Geometry(batch, h, w, c, 3, 1, same);
        var random = new SeededRandom(13);
        float[] x = Values(shape.InputCount, random), kernel = Values(shape.Patch * f, random), dy = Values(shape.Pixels * f, random);
        float[] y = new float[dy.Length], dx = new float[x.Length], dw = new float[kernel.Length];
        Convolution.Forward(x, kernel, y, shape, f, new BiasActivation<Linear>(new float[f]));
        Convolution.BackwardInput(dy, kernel, dx, shape, f);
        Convolution.BackwardFilter(x, dy, dw, shape, f);
        var (expectedY, expectedDx, expectedDw) = ReferencePasses(x, kernel, dy, shape, f);
        AssertClose(expectedY, y, "y");
        AssertClose(expectedDx, dx, "dx");
        AssertClose(expectedDw, dw, "dw");

        static void AssertClose(double[] expected, float[] actual, string name)
        {
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-3 + 1e-4 * Math.Abs(expected[i]), $"{name}[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Fact]
    public void AnEmptyBatchHasAZeroKernelGradientAfterAFullOne()
    {
        // A 1×1 stride-2 window takes the implicit GEMM, whose per-part partials outlive the call.
        var full = new ConvShape(3, 5, 5, 5, 1, 1, 2, 0, 0, 3, 3);
        var random = new SeededRandom(17);
        var dw = new float[5 * 36];
        Convolution.BackwardFilter(Values(full.InputCount, random), Values(full.Pixels * 36, random), dw, full, 36);
        Assert.Contains(dw, v => v != 0);
        var empty = full with { Batch = 0 };
        Convolution.BackwardFilter([], [], dw, empty, 36);
        Assert.All(dw, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(9, 7, 3, 2, 2)]
    [InlineData(9, 7, 3, 3, 2)]
    [InlineData(26, 26, 8, 2, 2)]
    [InlineData(5, 6, 1, 3, 1)]
    [InlineData(9, 7, 12, 2, 2)]
    [InlineData(9, 7, 11, 3, 2)]
    public void MaxPoolAndItsGradientMatchPlainLoops(int h, int w, int c, int pool, int stride)
    {
        var shape = new ConvShape(3, h, w, c, pool, pool, stride, 0, 0, (h - pool) / stride + 1, (w - pool) / stride + 1);
        var random = new SeededRandom(3);
        // Distinct values 0.01 apart (shuffled): no two values of a window within the difference step of each other.
        float[] x = Enumerable.Range(0, shape.InputCount).Select(i => i * 0.01f - 1).OrderBy(_ => random.NextDouble()).ToArray();
        float[] dy = Values(shape.Pixels * c, random);
        var y = new float[shape.Pixels * c];
        Pooling.MaxForward(x, y, shape);
        var expected = ReferencePool(x, shape);
        for (int i = 0; i < y.Length; i++) Assert.Equal(expected[i], y[i], 1e-6);
        var dx = new float[x.Length];
        Pooling.MaxBackward(x, dy, dx, shape);
        AssertGradient(dx, x, v => ReferencePool(v, shape).Select((p, i) => p * dy[i]).Sum(), eps: 2e-3f);
    }

    /// <summary>
    /// Ties and NaNs, channel counts that run on the vector lanes (8), the scalar ones (1) and both (12), windows that
    /// overlap and windows that tile the image (with pixels past the last window left over): the output is
    /// each window's first maximum in row-major order (a NaN only where it comes first), and the gradient goes to it alone.
    /// </summary>
    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(8, 3, 2)]
    [InlineData(12, 3, 2)]
    [InlineData(1, 2, 2)]
    [InlineData(8, 2, 2)]
    [InlineData(12, 2, 2)]
    [InlineData(16, 3, 3)]
    public void MaxPoolKeepsEachWindowsFirstMaximumThroughTiesAndNaNs(int c, int pool, int stride)
    {
        int h = 7, w = 8;
        var shape = new ConvShape(2, h, w, c, pool, pool, stride, 0, 0, (h - pool) / stride + 1, (w - pool) / stride + 1);
        var random = new SeededRandom(11);
        float[] x = Enumerable.Range(0, shape.InputCount).Select(_ => random.NextDouble() switch { < 0.05 => float.NaN, < 0.5 => 0f, _ => 1f }).ToArray();
        float[] dy = Values(shape.Pixels * c, random);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        Pooling.MaxForward(x, y, shape);
        Pooling.MaxBackward(x, dy, dx, shape);

        var expectedY = new float[y.Length];
        var expectedDx = new float[dx.Length];
        for (int n = 0; n < shape.Batch; n++)
        for (int oy = 0; oy < shape.OutHeight; oy++)
        for (int ox = 0; ox < shape.OutWidth; ox++)
        for (int ch = 0; ch < c; ch++)
        {
            int at = -1;
            for (int ky = 0; ky < pool; ky++)
            for (int kx = 0; kx < pool; kx++)
            {
                int index = ((n * shape.Height + oy * stride + ky) * shape.Width + ox * stride + kx) * c + ch;
                if (at < 0 || x[index] > x[at]) at = index;
            }
            int o = ((n * shape.OutHeight + oy) * shape.OutWidth + ox) * c + ch;
            expectedY[o] = x[at];
            expectedDx[at] += dy[o];
        }
        Assert.Equal(expectedY, y);
        Assert.Equal(expectedDx, dx);
    }

    internal static ConvShape Geometry(int batch, int h, int w, int c, int k, int stride, bool same)
    {
        int Out(int n) => same ? (n + stride - 1) / stride : (n - k) / stride + 1;
        int Pad(int n) => same ? Math.Max((Out(n) - 1) * stride + k - n, 0) / 2 : 0;
        return new ConvShape(batch, h, w, c, k, k, stride, Pad(h), Pad(w), Out(h), Out(w));
    }

    /// <summary>y[n, oy, ox, f] = Σ x[n, oy·s − pt + ky, ox·s − pl + kx, c] · K[ky, kx, c, f], zero outside the image.</summary>
    private static double[] Reference(float[] x, float[] kernel, ConvShape s, int filters)
    {
        var y = new double[s.Pixels * filters];
        for (int n = 0; n < s.Batch; n++)
        for (int oy = 0; oy < s.OutHeight; oy++)
        for (int ox = 0; ox < s.OutWidth; ox++)
        for (int f = 0; f < filters; f++)
        {
            double sum = 0;
            for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
            {
                int iy = oy * s.Stride - s.PadTop + ky, ix = ox * s.Stride - s.PadLeft + kx;
                if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
                for (int c = 0; c < s.Channels; c++)
                    sum += (double)x[((n * s.Height + iy) * s.Width + ix) * s.Channels + c] * kernel[((ky * s.KernelWidth + kx) * s.Channels + c) * filters + f];
            }
            y[((n * s.OutHeight + oy) * s.OutWidth + ox) * filters + f] = sum;
        }
        return y;
    }

    /// <summary>The forward pass, dX = Σ over the windows that read each input value, and dK = Σ over every pixel, in double.</summary>
    private static (double[] Y, double[] Dx, double[] Dw) ReferencePasses(float[] x, float[] kernel, float[] dy, ConvShape s, int filters)
    {
        var y = Reference(x, kernel, s, filters);
        var dx = new double[x.Length];
        var dw = new double[kernel.Length];
        for (int n = 0; n < s.Batch; n++)
        for (int oy = 0; oy < s.OutHeight; oy++)
        for (int ox = 0; ox < s.OutWidth; ox++)
        for (int ky = 0; ky < s.KernelHeight; ky++)
        for (int kx = 0; kx < s.KernelWidth; kx++)
        {
            int iy = oy * s.Stride - s.PadTop + ky, ix = ox * s.Stride - s.PadLeft + kx;
            if (iy < 0 || iy >= s.Height || ix < 0 || ix >= s.Width) continue;
            int pixel = (n * s.OutHeight + oy) * s.OutWidth + ox;
            for (int c = 0; c < s.Channels; c++)
            {
                int at = ((n * s.Height + iy) * s.Width + ix) * s.Channels + c, k0 = ((ky * s.KernelWidth + kx) * s.Channels + c) * filters;
                double sum = 0;
                for (int f = 0; f < filters; f++)
                {
                    double g = dy[pixel * filters + f];
                    sum += g * kernel[k0 + f];
                    dw[k0 + f] += g * x[at];
                }
                dx[at] += sum;
            }
        }
        return (y, dx, dw);
    }

    private static double[] ReferencePool(float[] x, ConvShape s)
    {
        var y = new double[s.Pixels * s.Channels];
        for (int n = 0; n < s.Batch; n++)
        for (int oy = 0; oy < s.OutHeight; oy++)
        for (int ox = 0; ox < s.OutWidth; ox++)
        for (int c = 0; c < s.Channels; c++)
        {
            double best = double.NegativeInfinity;
            for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
                best = Math.Max(best, x[((n * s.Height + oy * s.Stride + ky) * s.Width + ox * s.Stride + kx) * s.Channels + c]);
            y[((n * s.OutHeight + oy) * s.OutWidth + ox) * s.Channels + c] = best;
        }
        return y;
    }

    /// <summary>Central differences of <paramref name="loss"/> at each of (up to 60 spread) values, against the analytic gradient.</summary>
    /// <remarks>The loss is linear (conv) or piecewise linear (pool) in each value, so a large step is exact where no maximum changes.</remarks>
    private static void AssertGradient(float[] analytic, float[] at, Func<float[], double> loss, float eps = 1e-2f)
    {
        int step = Math.Max(1, at.Length / 60);
        for (int i = 0; i < at.Length; i += step)
        {
            var plus = (float[])at.Clone();
            var minus = (float[])at.Clone();
            plus[i] += eps;
            minus[i] -= eps;
            double numeric = (loss(plus) - loss(minus)) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-3 + 1e-3 * Math.Abs(numeric), $"d/dx[{i}]: numeric {numeric}, kernel {analytic[i]}");
        }
    }

    private static float[] Values(int count, SeededRandom random) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
}
