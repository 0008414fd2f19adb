using GraphGen.Cpu;
using GraphGen.Tests.Models;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>Dropout and batch-normalisation kernels against plain double-precision loops, on odd sizes and past the parallel threshold.</summary>
public class RegularizationKernelTests
{
    [Theory]
    [InlineData(1, 0.5f)]
    [InlineData(7, 0.3f)]
    [InlineData(70_001, 0.3f)] // cut across the cores
    [InlineData(4_099, 0f)]
    public void DropoutKeepsByTheHashAndScalesByOneOverKeep(int count, float rate)
    {
        var x = GeneratedModelTests.Data(count, 3);
        var y = new float[count];
        DropoutKernels.Forward(x, y, count, rate, seed: 42, step: 5, stream: 1);
        int dropped = 0;
        for (int i = 0; i < count; i++)
        {
            bool keeps = DropoutKernels.Keeps(42, 5, 1, i, rate);
            Assert.Equal(keeps ? x[i] * (1.0 / (1 - rate)) : 0.0, y[i], 1e-6);
            if (!keeps) dropped++;
        }
        if (count > 10_000) Assert.InRange(dropped / (double)count, rate - 0.01, rate + 0.01);
        if (rate == 0f) Assert.Equal(0, dropped);

        // The backward pass recomputes the same mask: dx = dy ⊙ mask / (1 − rate).
        var dy = GeneratedModelTests.Data(count, 4);
        var dx = new float[count];
        DropoutKernels.Backward(dy, dx, count, rate, 42, 5, 1);
        for (int i = 0; i < count; i++) Assert.Equal(y[i] == 0 && x[i] != 0 ? 0.0 : dy[i] * (1.0 / (1 - rate)), dx[i], 1e-6);
    }

    [Fact]
    public void DropoutMasksAreReproducibleAndDifferByStepAndStream()
    {
        int count = 40_000;
        var x = Enumerable.Repeat(1f, count).ToArray();
        float[] Mask(ulong seed, long step, int stream)
        {
            var y = new float[count];
            DropoutKernels.Forward(x, y, count, 0.5f, seed, step, stream);
            return y;
        }
        Assert.Equal(Mask(1, 2, 3), Mask(1, 2, 3));
        Assert.NotEqual(Mask(1, 2, 3), Mask(1, 3, 3));
        Assert.NotEqual(Mask(1, 2, 3), Mask(1, 2, 4));
        Assert.NotEqual(Mask(1, 2, 3), Mask(2, 2, 3));
        // Masks of consecutive steps agree where independent draws would: about half the time.
        var a = Mask(1, 2, 3);
        var b = Mask(1, 3, 3);
        double same = Enumerable.Range(0, count).Count(i => (a[i] == 0) == (b[i] == 0)) / (double)count;
        Assert.InRange(same, 0.48, 0.52);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    public void DropoutRefusesARateOutsideZeroToOne(float rate)
        => Assert.Throws<ArgumentOutOfRangeException>(() => DropoutKernels.Forward(new float[3], new float[3], 3, rate, 0, 0, 0));

    [Theory]
    [InlineData(1, 5)]
    [InlineData(7, 1)]
    [InlineData(129, 5)]
    [InlineData(1_001, 37)] // parallel, with a partial last block
    public void BatchNormTrainingForwardMatchesDoubleLoops(int rows, int channels)
    {
        var x = GeneratedModelTests.Data(rows * channels, 5).Select(v => v * 3 + 0.5f).ToArray();
        var gamma = GeneratedModelTests.Data(channels, 6).Select(v => v + 1).ToArray();
        var beta = GeneratedModelTests.Data(channels, 7);
        var movingMean = GeneratedModelTests.Data(channels, 8);
        var movingVariance = GeneratedModelTests.Data(channels, 9).Select(v => v * v + 0.5f).ToArray();
        var (expectedMean, expectedVariance) = (movingMean.ToArray(), movingVariance.ToArray());
        var statistics = new float[2 * channels];
        var y = new float[rows * channels];
        const float momentum = 0.9f, epsilon = 1e-3f;
        BatchNormKernels.TrainingStatistics(x, statistics, movingMean, movingVariance, rows, channels, momentum, epsilon);
        BatchNormKernels.Normalize(x, statistics, gamma, beta, y, rows, channels);

        var reference = BatchNormReference.Forward(x, gamma, beta, rows, channels, epsilon);
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(reference.Mean[c], statistics[c], 1e-5);
            Assert.Equal(1 / Math.Sqrt(reference.Variance[c] + epsilon), statistics[channels + c], 1e-3 * statistics[channels + c]);
            // Keras: moving = moving·momentum + batch·(1 − momentum), with the biased variance.
            Assert.Equal(expectedMean[c] * momentum + reference.Mean[c] * (1 - momentum), movingMean[c], 1e-5);
            Assert.Equal(expectedVariance[c] * momentum + reference.Variance[c] * (1 - momentum), movingVariance[c], 1e-4);
        }
        for (int i = 0; i < y.Length; i++) Assert.Equal(reference.Y[i], y[i], 1e-4);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(1_001, 37)]
    public void BatchNormInferenceUsesTheMovingStatistics(int rows, int channels)
    {
        var x = GeneratedModelTests.Data(rows * channels, 10);
        var gamma = GeneratedModelTests.Data(channels, 11);
        var beta = GeneratedModelTests.Data(channels, 12);
        var movingMean = GeneratedModelTests.Data(channels, 13);
        var movingVariance = GeneratedModelTests.Data(channels, 14).Select(v => v * v + 0.1f).ToArray();
        var statistics = new float[2 * channels];
        var y = new float[rows * channels];
        BatchNormKernels.InferenceStatistics(movingMean, movingVariance, statistics, channels, 1e-3f);
        BatchNormKernels.Normalize(x, statistics, gamma, beta, y, rows, channels);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < channels; c++)
            {
                double expected = gamma[c] * (x[r * channels + c] - (double)movingMean[c]) / Math.Sqrt(movingVariance[c] + 1e-3) + beta[c];
                Assert.Equal(expected, y[r * channels + c], 1e-5);
            }
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(7, 5)]
    [InlineData(1_001, 37)]
    public void BatchNormBackwardMatchesCentralDifferencesOfTheDoubleReference(int rows, int channels)
    {
        var x = GeneratedModelTests.Data(rows * channels, 15).Select(v => v * 2).ToArray();
        var gamma = GeneratedModelTests.Data(channels, 16).Select(v => v + 1).ToArray();
        var beta = GeneratedModelTests.Data(channels, 17);
        var dy = GeneratedModelTests.Data(rows * channels, 18);
        const float epsilon = 1e-3f;
        var statistics = new float[2 * channels];
        BatchNormKernels.TrainingStatistics(x, statistics, new float[channels], new float[channels], rows, channels, 0.99f, epsilon);
        var dx = new float[rows * channels];
        var dgamma = new float[channels];
        var dbeta = new float[channels];
        BatchNormKernels.Backward(dy, x, statistics, gamma, dx, dgamma, dbeta, rows, channels);

        // L = Σ dy ⊙ BN(x, γ, β), differentiated by central differences in double.
        double Loss(double[] xs, double[] gs, double[] bs)
        {
            var y = BatchNormReference.Forward(xs, gs, bs, rows, channels, epsilon).Y;
            return y.Select((v, i) => v * dy[i]).Sum();
        }
        var xd = x.Select(v => (double)v).ToArray();
        var gd = gamma.Select(v => (double)v).ToArray();
        var bd = beta.Select(v => (double)v).ToArray();
        double Central(double[] values, int i)
        {
            const double h = 1e-6;
            double keep = values[i];
            values[i] = keep + h; double up = Loss(xd, gd, bd);
            values[i] = keep - h; double down = Loss(xd, gd, bd);
            values[i] = keep;
            return (up - down) / (2 * h);
        }
        int stride = Math.Max(1, x.Length / 60); // a sample of the inputs on the large case
        for (int i = 0; i < x.Length; i += stride) Assert.Equal(Central(xd, i), dx[i], 2e-4 + 2e-3 * Math.Abs(dx[i]));
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(Central(gd, c), dgamma[c], 2e-3 + 1e-3 * Math.Abs(dgamma[c]));
            Assert.Equal(Central(bd, c), dbeta[c], 2e-3 + 1e-3 * Math.Abs(dbeta[c]));
        }
        // Without an input gradient, only dγ and dβ.
        var dgamma2 = new float[channels];
        var dbeta2 = new float[channels];
        BatchNormKernels.Backward(dy, x, statistics, gamma, Span<float>.Empty, dgamma2, dbeta2, rows, channels);
        Assert.Equal(dgamma, dgamma2);
        Assert.Equal(dbeta, dbeta2);
    }
}

/// <summary>Training-mode batch normalisation over rows in double precision, as Keras defines it (biased variance).</summary>
internal static class BatchNormReference
{
    public static (double[] Mean, double[] Variance, double[] Y) Forward(IReadOnlyList<float> x, IReadOnlyList<float> gamma, IReadOnlyList<float> beta, int rows, int channels, double epsilon)
        => Forward(x.Select(v => (double)v).ToArray(), gamma.Select(v => (double)v).ToArray(), beta.Select(v => (double)v).ToArray(), rows, channels, epsilon);

    public static (double[] Mean, double[] Variance, double[] Y) Forward(double[] x, double[] gamma, double[] beta, int rows, int channels, double epsilon)
    {
        var mean = new double[channels];
        var variance = new double[channels];
        for (int r = 0; r < rows; r++) for (int c = 0; c < channels; c++) mean[c] += x[r * channels + c] / rows;
        for (int r = 0; r < rows; r++) for (int c = 0; c < channels; c++) variance[c] += Math.Pow(x[r * channels + c] - mean[c], 2) / rows;
        var y = new double[rows * channels];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < channels; c++)
                y[r * channels + c] = gamma[c] * (x[r * channels + c] - mean[c]) / Math.Sqrt(variance[c] + epsilon) + beta[c];
        return (mean, variance, y);
    }
}
