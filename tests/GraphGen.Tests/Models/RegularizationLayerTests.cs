using GraphGen.Serialization;
using GraphGen.Tests.Training;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Models;

/// <summary>The [Dropout] and [BatchNormalization] layers of the Dense form: Keras's names, the same kernels as the ops, weight files.</summary>
public class RegularizationLayerTests
{
    [Fact]
    public void BatchNormalizationTensorsGoByKerasNames()
    {
        var model = new DenseDropoutBatchNormNet(seed: 3);
        Assert.Equal(["hidden.weight", "hidden.bias", "norm.gamma", "norm.beta", "norm.moving_mean", "norm.moving_variance",
            "mixed.weight", "mixed.bias", "output.weight", "output.bias"], model.Weights.Select(p => p.Name));
        Assert.Equal(8, model.TrainableWeights.Count);
        Assert.Equal(Enumerable.Repeat(1f, 7), model.Norm.Gamma.Data);
        Assert.Equal(Enumerable.Repeat(1f, 7), model.Norm.MovingVariance.Data);
        Assert.False(model.Norm.MovingMean.Trainable);
        Assert.Equal(["Dense", "BatchNormalization", "Dense", "Dropout", "Dense"], model.Layers.Select(l => l is ParameterlessLayer p ? p.Kind : l is BatchNormalizationLayer ? "BatchNormalization" : "Dense"));
    }

    [Fact]
    public void TrainsPredictsWithTheMovingStatisticsAndRoundTripsThroughSafetensors()
    {
        var model = new DenseDropoutBatchNormNet(seed: 3);
        var x = GeneratedModelTests.Data(64 * 6, 1);
        var labels = Enumerable.Range(0, 64).Select(i => i % 3).ToArray();
        var first = model.ComputeGradients(x, labels);
        Assert.NotEqual(first, model.ComputeGradients(x, labels)); // dropout: another step, another mask
        for (int i = 0; i < 5; i++) model.TrainStep(x, labels, new Sgd(0.1f));
        // The moving mean after 7 training passes from zeros, each at momentum 0.9: non-zero, and Predict reads it.
        Assert.NotEqual(0f, model.Norm.MovingMean.Data[0]);
        var predicted = model.Predict(x);
        Assert.Equal(predicted, model.Predict(x, batchSize: 5)); // rows do not mix in inference

        string folder = FitTests.TempFolder();
        string path = Path.Combine(folder, "bn.safetensors");
        model.SaveWeights(path);
        var file = SafeTensors.Open(path);
        Assert.Equal(model.Norm.MovingVariance.Data, file.ReadF32("norm.moving_variance"));
        Assert.Equal(model.Norm.MovingMean.Data, file.ReadF32("norm.moving_mean"));
        Assert.Equal(model.Norm.Gamma.Data, file.ReadF32("norm.gamma"));
        var loaded = new DenseDropoutBatchNormNet(seed: 50);
        loaded.LoadWeights(path);
        Assert.Equal(predicted, loaded.Predict(x));
        Directory.Delete(folder, true);
    }

    [Fact]
    public void TheDenseFormComputesWhatTheForwardFormDoes()
    {
        // One layer apart (a linear Dense between the normalisation and the relu), so compare Predict of the Dense form with
        // its own layers written out: Dense, normalise with the moving statistics, Dense relu, (no dropout), Dense softmax.
        var model = new DenseDropoutBatchNormNet(seed: 4);
        var x = GeneratedModelTests.Data(10 * 6, 2);
        var labels = Enumerable.Range(0, 10).Select(i => i % 3).ToArray();
        for (int i = 0; i < 3; i++) model.TrainStep(x, labels, new Adam(0.01f));
        var n = model.Norm;
        double[] Dense(double[] v, Parameter w, Parameter b, int inputs, int outputs, Func<double, double> f)
            => Enumerable.Range(0, v.Length / inputs * outputs).Select(k =>
            {
                int r = k / outputs, o = k % outputs;
                return f(b.Data[o] + Enumerable.Range(0, inputs).Sum(i => v[r * inputs + i] * w.Data[i * outputs + o]));
            }).ToArray();
        var h = Dense(x.Select(v => (double)v).ToArray(), model.Hidden.Weight, model.Hidden.Bias, 6, 7, v => v);
        var normal = h.Select((v, i) => n.Gamma.Data[i % 7] * (v - n.MovingMean.Data[i % 7]) / Math.Sqrt(n.MovingVariance.Data[i % 7] + 1e-3) + n.Beta.Data[i % 7]).ToArray();
        var mixed = Dense(normal, model.Mixed.Weight, model.Mixed.Bias, 7, 7, v => Math.Max(0, v));
        var z = Dense(mixed, model.Output.Weight, model.Output.Bias, 7, 3, v => v);
        var predicted = model.Predict(x);
        for (int r = 0; r < 10; r++)
        {
            double max = Enumerable.Range(0, 3).Max(j => z[r * 3 + j]), sum = Enumerable.Range(0, 3).Sum(j => Math.Exp(z[r * 3 + j] - max));
            for (int j = 0; j < 3; j++) Assert.Equal(Math.Exp(z[r * 3 + j] - max) / sum, predicted[r * 3 + j], 1e-5);
        }
    }
}
