using GraphGen.Cpu;
using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>Each loss against values worked out by hand, and each fused loss kernel against the same loss in double.</summary>
public class LossTests
{
    [Fact]
    public void SparseCategoricalCrossentropyOnProbabilitiesAndLogits()
    {
        // −ln 0.7 and −ln 0.25 (= ln 4), averaged.
        var loss = Losses.SparseCategoricalCrossentropy();
        Assert.Equal((0.356674944 + 1.386294361) / 2, loss.Mean([0.1f, 0.7f, 0.2f, 0.5f, 0.25f, 0.25f], [1, 2], 3), 1e-6);
        // Keras clips p to [1e-7, 1 − 1e-7]: a zero probability costs −ln 1e-7, not ∞.
        Assert.Equal(16.118095651, loss.Mean([0f, 1f], [0], 2), 1e-5);
        // From logits (1, 2, 3), label 0: logsumexp − z = 3 + ln(1 + e⁻¹ + e⁻²) − 1.
        Assert.Equal(2.407605964, Losses.SparseCategoricalCrossentropy(fromLogits: true).Mean([1f, 2f, 3f], [0], 3), 1e-6);
    }

    [Fact]
    public void CategoricalCrossentropyOnOneHotAndSoftTargets()
    {
        var loss = Losses.CategoricalCrossentropy();
        Assert.Equal(0.356674944, loss.Mean([0.2f, 0.7f, 0.1f], [0f, 1f, 0f], 3), 1e-6);
        // −½ ln 0.2 − ½ ln 0.7
        Assert.Equal(0.983056428, loss.Mean([0.2f, 0.7f, 0.1f], [0.5f, 0.5f, 0f], 3), 1e-6);
        Assert.Equal(2.407605964, Losses.CategoricalCrossentropy(fromLogits: true).Mean([1f, 2f, 3f], [1f, 0f, 0f], 3), 1e-6);
    }

    [Fact]
    public void BinaryCrossentropyOnProbabilitiesAndLogits()
    {
        // mean(−ln 0.9, −ln 0.8)
        Assert.Equal(0.164252033, Losses.BinaryCrossentropy().Mean([0.9f, 0.2f], [1f, 0f], 2), 1e-6);
        Assert.Equal(16.118095651, Losses.BinaryCrossentropy().Mean([0f], [1f], 1), 1e-5);
        // σ(0) = ½ either way: ln 2; and a large logit with the wrong target costs about the logit.
        Assert.Equal(0.693147181, Losses.BinaryCrossentropy(fromLogits: true).Mean([0f], [1f], 1), 1e-6);
        Assert.Equal(50.0, Losses.BinaryCrossentropy(fromLogits: true).Mean([50f], [0f], 1), 1e-6);
    }

    [Fact]
    public void MeanSquaredAndAbsoluteError()
    {
        // Per sample the mean over outputs, then the mean over samples: rows (1, 2) vs (0, 4) and (3, 3) vs (3, 0).
        Assert.Equal(((1 + 4) / 2.0 + (0 + 9) / 2.0) / 2, Losses.MeanSquaredError().Mean([1f, 2f, 3f, 3f], [0f, 4f, 3f, 0f], 2), 1e-9);
        Assert.Equal(((1 + 2) / 2.0 + (0 + 3) / 2.0) / 2, Losses.MeanAbsoluteError().Mean([1f, 2f, 3f, 3f], [0f, 4f, 3f, 0f], 2), 1e-9);
    }

    [Fact]
    public void BadTargetsAreNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => Losses.BinaryCrossentropy().Mean([0.5f, 0.5f], [0f, 2f], 2));
        Assert.Contains("Target 2 at index 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SparseCategoricalCrossentropy().Mean([0.5f, 0.5f], [-1], 2));
        e = Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError().Mean([1f, 2f, 3f], [1f], 3));
        Assert.Contains("1 targets for 1 rows", e.Message);
    }

    [Fact]
    public void FusedSoftmaxCrossEntropyWithTargetRowsMatchesTheLossAndItsGradient()
    {
        int rows = 6, classes = 4;
        var logits = GeneratedModelTests.Data(rows * classes, 3).Select(v => v * 5).ToArray();
        var targets = SoftTargets(rows, classes, 4);
        var p = new float[rows * classes];
        var dz = new float[rows * classes];
        float loss = LossKernels.SoftmaxCrossEntropy(logits, targets, p, dz, rows, classes);
        Assert.Equal(Losses.CategoricalCrossentropy(fromLogits: true).Mean(logits, targets, classes), loss, 1e-5);
        for (int i = 0; i < rows; i++)
        {
            var expected = ReferenceMath.Softmax(logits.Skip(i * classes).Take(classes).Select(v => (double)v).ToArray());
            for (int j = 0; j < classes; j++)
            {
                Assert.Equal(expected[j], p[i * classes + j], 1e-6);
                Assert.Equal((expected[j] - targets[i * classes + j]) / rows, dz[i * classes + j], 1e-6); // rows sum to 1
            }
        }
    }

    [Fact]
    public void FusedSigmoidCrossEntropyMatchesTheLossAndItsGradient()
    {
        int rows = 5, cols = 3;
        var logits = GeneratedModelTests.Data(rows * cols, 5).Select(v => v * 8).ToArray();
        var targets = GeneratedModelTests.Data(rows * cols, 6).Select(v => (v + 1) / 2).ToArray();
        var p = new float[rows * cols];
        var dz = new float[rows * cols];
        float loss = LossKernels.SigmoidCrossEntropy(logits, targets, p, dz, rows, cols);
        Assert.Equal(Losses.BinaryCrossentropy(fromLogits: true).Mean(logits, targets, cols), loss, 1e-5);
        Assert.Equal(Losses.BinaryCrossentropy().Mean(p, targets, cols), loss, 1e-4);
        for (int i = 0; i < p.Length; i++)
        {
            double sigmoid = 1 / (1 + Math.Exp(-logits[i]));
            Assert.Equal(sigmoid, p[i], 1e-6);
            Assert.Equal((sigmoid - targets[i]) / (rows * cols), dz[i], 1e-7);
        }
    }

    [Fact]
    public void FusedMeanAbsoluteErrorMatchesTheLossAndItsGradient()
    {
        var y = new float[] { 1, 2, 3, 4, 5, 6 };
        var t = new float[] { 0, 2, 5, 4, 5, 9 };
        var dy = new float[6];
        float loss = LossKernels.MeanAbsoluteError(y, t, dy, 3, 2);
        Assert.Equal((1 + 0 + 2 + 0 + 0 + 3) / 6f, loss, 1e-6);
        Assert.Equal(Losses.MeanAbsoluteError().Mean(y, t, 2), loss, 1e-6);
        Assert.Equal(new[] { 1 / 6f, 0, -1 / 6f, 0, 0, -1 / 6f }, dy);
    }

    internal static float[] SoftTargets(int rows, int classes, int seed)
    {
        var t = GeneratedModelTests.Data(rows * classes, seed).Select(v => v + 1.1f).ToArray();
        for (int i = 0; i < rows; i++)
        {
            float sum = t.Skip(i * classes).Take(classes).Sum();
            for (int j = 0; j < classes; j++) t[i * classes + j] /= sum;
        }
        return t;
    }
}
