using GraphGen.Cpu;
using GraphGen.Serialization;
using GraphGen.Tests.Runtime;
using GraphGen.Tests.Training;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Models;

/// <summary>
/// Dropout and batch normalisation in compiled models: the training loss and its gradients against a double-precision
/// reference (the same masks, the batch's statistics), Predict against the inference form (no dropout, the moving
/// statistics), Keras's moving averages, determinism, weight files and checkpoints.
/// </summary>
public class RegularizationModelTests
{
    private const int Hidden = 7, Inputs = 6, Classes = 3;
    private const float Rate = 0.3f, Momentum = 0.9f, Epsilon = 1e-3f;

    private static (float[] X, int[] Labels) Batch(int rows, int seed)
        => (GeneratedModelTests.Data(rows * Inputs, seed).Select(v => v * 2 + 0.3f).ToArray(), Enumerable.Range(0, rows).Select(i => (i * 5 + seed) % Classes).ToArray());

    [Fact]
    public void TrainingLossAndGradientsMatchCentralDifferencesOfTheDoubleReference()
    {
        var model = new DropoutBatchNormNet(seed: 4);
        var (x, labels) = Batch(9, 1);
        model.DropoutState = (model.DropoutState.Seed, 17);
        float loss = model.ComputeGradients(x, labels);
        Assert.Equal(18, model.DropoutState.Step); // each training pass counts one step

        var w = model.Weights.Select(p => p.Data.Select(v => (double)v).ToArray()).ToArray();
        double Reference() => TrainingLoss(w, x, labels, model.DropoutState.Seed, 17);
        Assert.Equal(Reference(), loss, 1e-5);
        for (int p = 0; p < w.Length; p++)
        {
            if (!model.Weights[p].Trainable) continue;
            for (int i = 0; i < w[p].Length; i++)
            {
                double keep = w[p][i];
                w[p][i] = keep + 1e-6; double up = Reference();
                w[p][i] = keep - 1e-6; double down = Reference();
                w[p][i] = keep;
                double numeric = (up - down) / 2e-6;
                float analytic = model.Weights[p].Gradient[i];
                Assert.True(Math.Abs(analytic - numeric) <= 1e-4 + 1e-3 * Math.Abs(numeric), $"{model.Weights[p].Name}[{i}]: {analytic} against {numeric}");
            }
        }
    }

    [Fact]
    public void DropoutIsActiveInTrainingAndEachStepDrawsItsOwnMask()
    {
        var model = new DropoutBatchNormNet(seed: 4);
        var (x, labels) = Batch(20, 2);
        var state = model.DropoutState;
        float first = model.ComputeGradients(x, labels);
        float second = model.ComputeGradients(x, labels);
        model.DropoutState = state;
        Assert.Equal(first, model.ComputeGradients(x, labels)); // the same step: the same mask
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void TheSameSeedGivesTheSameRunBitwise()
    {
        var (x, labels) = Batch(200, 3);
        float[][] Run(int seed)
        {
            var model = new DropoutBatchNormNet(seed);
            model.Fit(x, labels, epochs: 3, batchSize: 16, optimizer: new Adam(0.01f), verbose: 0);
            return model.Weights.Select(p => p.Data.ToArray()).ToArray();
        }
        var a = Run(8);
        var b = Run(8);
        for (int p = 0; p < a.Length; p++) Assert.True(a[p].AsSpan().SequenceEqual(b[p]), $"weight {p} differs between two runs of one seed");
        Assert.False(a.Zip(Run(9)).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second)));
    }

    [Fact]
    public void PredictIsDeterministicIgnoresDropoutAndNormalisesWithTheMovingStatistics()
    {
        var model = new DropoutBatchNormNet(seed: 5);
        var (x, labels) = Batch(64, 4);
        for (int step = 0; step < 4; step++) model.TrainStep(x, labels, new Sgd(0.05f));
        Assert.NotEqual(0f, model.MovingMean.Data[0]); // the moving statistics moved

        var (test, _) = Batch(11, 5);
        var predicted = model.Predict(test);
        Assert.Equal(predicted, model.Predict(test));
        Assert.Equal(predicted, model.Predict(test, batchSize: 3)); // rows do not mix in inference
        Assert.Equal(predicted, model.Call(new Tensor([11, Inputs], test)).Data);

        var w = model.Weights.Select(p => p.Data.Select(v => (double)v).ToArray()).ToArray();
        var expected = InferenceOutput(w, test);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], predicted[i], 1e-5);
    }

    [Fact]
    public void MovingStatisticsFollowKerasFromTheBatchsBiasedVariance()
    {
        var model = new DropoutBatchNormNet(seed: 6);
        var (x, labels) = Batch(13, 6);
        var w = model.Weights.Select(p => p.Data.Select(v => (double)v).ToArray()).ToArray();
        model.ComputeGradients(x, labels);
        var h = Affine(x.Select(v => (double)v).ToArray(), w[0], w[1], 13, Inputs, Hidden);
        var (mean, variance, _) = BatchNormReference.Forward(h, w[2], w[3], 13, Hidden, Epsilon);
        for (int c = 0; c < Hidden; c++)
        {
            Assert.Equal(0 * Momentum + mean[c] * (1 - Momentum), model.MovingMean.Data[c], 1e-6);
            Assert.Equal(1 * Momentum + variance[c] * (1 - Momentum), model.MovingVariance.Data[c], 1e-5);
        }
    }

    [Fact]
    public void MovingStatisticsAreWeightsNoOptimizerTouches()
    {
        var model = new DropoutBatchNormNet(seed: 7);
        Assert.Equal(["W1", "B1", "Gamma", "Beta", "MovingMean", "MovingVariance", "W2", "B2"], model.Weights.Select(p => p.Name));
        Assert.Equal([false, false], new[] { model.MovingMean.Trainable, model.MovingVariance.Trainable });
        Assert.Equal(Enumerable.Repeat(1f, Hidden), model.MovingVariance.Data);
        var optimizer = new Adam();
        var (x, labels) = Batch(16, 7);
        model.TrainStep(x, labels, optimizer);
        Assert.DoesNotContain(optimizer.State(model.TrainableWeights), s => s.Parameter.Name.StartsWith("Moving", StringComparison.Ordinal));
        Assert.Equal(6, model.TrainableWeights.Count);
    }

    [Fact]
    public void WeightFilesHoldTheMovingStatisticsAndRoundTrip()
    {
        var model = new DropoutBatchNormNet(seed: 8);
        var (x, labels) = Batch(32, 8);
        for (int step = 0; step < 3; step++) model.TrainStep(x, labels, new Sgd(0.1f));
        string path = Path.Combine(FitTests.TempFolder(), "bn.safetensors");
        model.SaveWeights(path);
        var file = SafeTensors.Open(path);
        Assert.Equal(model.MovingVariance.Data, file.ReadF32("MovingVariance"));
        Assert.Equal(model.MovingMean.Data, file.ReadF32("MovingMean"));

        var loaded = new DropoutBatchNormNet(seed: 99);
        loaded.LoadWeights(path);
        for (int p = 0; p < model.Weights.Count; p++) Assert.Equal(model.Weights[p].Data, loaded.Weights[p].Data);
        Assert.Equal(model.Predict(x), loaded.Predict(x));
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void ACheckpointResumesDropoutAndBatchNormalisationBitwise()
    {
        var (x, labels) = Batch(150, 9);
        var straight = new DropoutBatchNormNet(seed: 12);
        straight.Fit(x, labels, epochs: 4, batchSize: 16, optimizer: new Adam(0.01f), verbose: 0);

        string folder = FitTests.TempFolder();
        var first = new DropoutBatchNormNet(seed: 12);
        first.Fit(x, labels, epochs: 2, batchSize: 16, optimizer: new Adam(0.01f), callbacks: [new ModelCheckpoint(Path.Combine(folder, "ckpt-{epoch}.safetensors"))], verbose: 0);
        var checkpoint = SafeTensors.Open(Path.Combine(folder, "ckpt-2.safetensors"));
        Assert.Equal((2 * 10).ToString(), checkpoint.Metadata["dropout_step"]);
        Assert.DoesNotContain(checkpoint.Entries, e => e.Name.StartsWith("optimizer.", StringComparison.Ordinal) && e.Name.Contains("Moving"));

        var resumed = new DropoutBatchNormNet(seed: 777); // another dropout seed too: it must come from the file
        var optimizer = new Adam(0.01f);
        int epoch = resumed.LoadCheckpoint(Path.Combine(folder, "ckpt-2.safetensors"), optimizer);
        resumed.Fit(x, labels, epochs: 4, batchSize: 16, optimizer: optimizer, verbose: 0, initialEpoch: epoch);
        for (int p = 0; p < straight.Weights.Count; p++)
            Assert.True(straight.Weights[p].Data.AsSpan().SequenceEqual(resumed.Weights[p].Data), $"{straight.Weights[p].Name} differs after resuming");
        Directory.Delete(folder, true);
    }

    [Fact]
    public void ImageBatchNormalisationPerChannelTrainsAndPredictsWithTheMovingStatistics()
    {
        var model = new ImageBatchNormNet(seed: 2);
        int rows = 40, width = 8 * 8 * 16;
        var x = GeneratedModelTests.Data(rows * width, 3).Select((v, i) => v + i % 16 * 0.1f).ToArray();
        var targets = GeneratedModelTests.Data(rows * 2, 4);
        model.ComputeGradients(x, targets);
        var (mean, variance, _) = BatchNormReference.Forward(x, model.Gamma.Data, model.Beta.Data, rows * 64, 16, 0.01);
        for (int c = 0; c < 16; c++)
        {
            Assert.Equal(mean[c] * 0.5, model.MovingMean.Data[c], 1e-5);
            Assert.Equal(0.5 + variance[c] * 0.5, model.MovingVariance.Data[c], 1e-4);
        }
        var predicted = model.Predict(x.AsSpan(0, 3 * width));
        for (int r = 0; r < 3; r++)
            for (int o = 0; o < 2; o++)
            {
                double sum = model.B.Data[o];
                for (int i = 0; i < width; i++)
                {
                    int c = i % 16;
                    double normal = model.Gamma.Data[c] * (x[r * width + i] - (double)model.MovingMean.Data[c]) / Math.Sqrt(model.MovingVariance.Data[c] + 0.01) + model.Beta.Data[c];
                    sum += normal * model.W.Data[i * 2 + o];
                }
                Assert.Equal(sum, predicted[r * 2 + o], 1e-4);
            }
    }

    [Fact]
    public void OnTheIlgpuDeviceEachPassDrawsTheCpusMasksAndMovesTheStatisticsAsTheCpuDoes()
    {
        var cpu = new DropoutBatchNormNet(seed: 1);
        var placed = new DropoutBatchNormNet(seed: 1);
        placed.To(Device.IlgpuCpu);
        var (x, labels) = Batch(8, 1);
        // The same batch three times: only the step's masks change, and ComputeGradients counts a step on the device too.
        var losses = new HashSet<float>();
        for (int pass = 0; pass < 3; pass++)
        {
            float expected = cpu.ComputeGradients(x, labels), actual = placed.ComputeGradients(x, labels);
            Assert.Equal(expected, actual, 1e-5f);
            losses.Add(expected);
            Assert.Equal(cpu.DropoutState, placed.DropoutState);
        }
        Assert.Equal(3, losses.Count);
        for (int p = 0; p < cpu.Weights.Count; p++)
            for (int i = 0; i < cpu.Weights[p].Length; i++)
            {
                Assert.Equal(cpu.Weights[p].Data[i], placed.Weights[p].Data[i], 1e-5f); // the moving statistics moved three times
                Assert.Equal(cpu.Weights[p].Gradient[i], placed.Weights[p].Gradient[i], 1e-5f);
            }
        Assert.NotEqual(0f, placed.Weights.Single(p => p.Name == "MovingMean").Data.Max(Math.Abs));
    }

    /// <summary>The training loss in double: Dense, batch normalisation on the batch's statistics, relu, dropout with the kernel's mask, Dense, softmax, cross-entropy.</summary>
    private static double TrainingLoss(double[][] w, float[] x, int[] labels, ulong seed, long step)
    {
        int rows = labels.Length;
        var h = Affine(x.Select(v => (double)v).ToArray(), w[0], w[1], rows, Inputs, Hidden);
        var normal = BatchNormReference.Forward(h, w[2], w[3], rows, Hidden, Epsilon).Y;
        var dropped = normal.Select((v, i) => DropoutKernels.Keeps(seed, step, 0, i, Rate) ? Math.Max(v, 0) / (1 - (double)Rate) : 0).ToArray();
        return CrossEntropy(Affine(dropped, w[6], w[7], rows, Hidden, Classes), labels);
    }

    /// <summary>Predict's output in double: the moving statistics, no dropout.</summary>
    private static double[] InferenceOutput(double[][] w, float[] x)
    {
        int rows = x.Length / Inputs;
        var h = Affine(x.Select(v => (double)v).ToArray(), w[0], w[1], rows, Inputs, Hidden);
        var normal = h.Select((v, i) => Math.Max(0, w[2][i % Hidden] * (v - w[4][i % Hidden]) / Math.Sqrt(w[5][i % Hidden] + Epsilon) + w[3][i % Hidden])).ToArray();
        var z = Affine(normal, w[6], w[7], rows, Hidden, Classes);
        return Softmax(z, rows);
    }

    private static double[] Affine(double[] x, double[] weight, double[] bias, int rows, int inputs, int outputs)
    {
        var y = new double[rows * outputs];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias[o];
                for (int i = 0; i < inputs; i++) sum += x[r * inputs + i] * weight[i * outputs + o];
                y[r * outputs + o] = sum;
            }
        return y;
    }

    private static double[] Softmax(double[] z, int rows)
    {
        var p = new double[z.Length];
        int classes = z.Length / rows;
        for (int r = 0; r < rows; r++)
        {
            double max = Enumerable.Range(0, classes).Max(j => z[r * classes + j]);
            double sum = Enumerable.Range(0, classes).Sum(j => Math.Exp(z[r * classes + j] - max));
            for (int j = 0; j < classes; j++) p[r * classes + j] = Math.Exp(z[r * classes + j] - max) / sum;
        }
        return p;
    }

    private static double CrossEntropy(double[] z, int[] labels)
    {
        var p = Softmax(z, labels.Length);
        return labels.Select((label, r) => -Math.Log(p[r * Classes + label])).Average();
    }
}
