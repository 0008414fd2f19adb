using GraphGen.Data;
using GraphGen.Training;
using Xunit;
using static GraphGen.Tests.Models.GeneratedModelTests;
using Digits = GraphGen.Data.Digits;

namespace GraphGen.Tests.Models;

/// <summary>
/// [Forward] models: their compiled loss, gradients and outputs against double-precision references (the Dense
/// reference MLP where the body is one, loops written out here otherwise, central differences of the eager body
/// for the model of every op), the eager body against the compiled Predict, and training to known figures.
/// </summary>
public class ForwardModelTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static int[] Labels(int batch, int classes) => Enumerable.Range(0, batch).Select(i => (i * 7 + 3) % classes).ToArray();

    /// <summary>Dense layers holding a [Forward] model's weight and bias pairs, for <see cref="ReferenceMlp"/>.</summary>
    private static DenseLayer[] AsLayers(params (Parameter W, Parameter B)[] pairs) => pairs.Select((p, i) =>
    {
        var layer = new DenseLayer("l" + i, p.W.Shape[0], p.W.Shape[1]);
        p.W.Data.CopyTo(layer.Weight.Data, 0);
        p.B.Data.CopyTo(layer.Bias.Data, 0);
        return layer;
    }).ToArray();

    [Fact]
    public void DigitsMlpMatchesTheDenseReference()
    {
        var model = new DigitsForwardMlp(seed: 3);
        foreach (int batch in new[] { 1, 7, 40 })
        {
            var x = Values(batch * 64, batch);
            var labels = Labels(batch, 10);
            float loss = model.ComputeGradients(x, labels);
            var expected = ReferenceMlp.Run(AsLayers((model.W1, model.B1), (model.W2, model.B2), (model.W3, model.B3)),
                new[] { Activation.Tanh, Activation.Tanh, Activation.Softmax }, x, batch, labels, null);
            AssertRelative(expected.Loss, loss, $"loss, batch {batch}");
            var parameters = new[] { model.W1, model.B1, model.W2, model.B2, model.W3, model.B3 };
            for (int p = 0; p < parameters.Length; p++) AssertTensor(expected.Gradients[p], parameters[p].Gradient, $"{parameters[p].Name}, batch {batch}");
            AssertTensor(expected.Output, model.Predict(x), $"Predict, batch {batch}");
        }
        Assert.Equal(new[] { "W1", "B1", "W2", "B2", "W3", "B3" }, model.Weights.Select(w => w.Name));
        Assert.Equal(64 * 100 + 100 + 100 * 50 + 50 + 50 * 10 + 10, model.ParameterCount);
    }

    [Fact]
    public void DeclaredInitializersApplyAndConstructorArgumentsOverrideThem()
    {
        var model = new DigitsForwardMlp(seed: 1);
        // normal:0:0.1 on the weights, zeros on the vectors.
        double std = Math.Sqrt(model.W1.Data.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.09, 0.11);
        Assert.All(model.B1.Data, v => Assert.Equal(0f, v));
        var overridden = new DigitsForwardMlp(seed: 1, weightInitializer: Initializer.Constant(0.5f), biasInitializer: Initializer.Constant(-1f));
        Assert.All(overridden.W2.Data, v => Assert.Equal(0.5f, v));
        Assert.All(overridden.B3.Data, v => Assert.Equal(-1f, v));
        Assert.Equal(new DigitsForwardMlp(seed: 1).W3.Data, model.W3.Data);
    }

    [Fact]
    public void PerceptronMatchesTheDenseReference()
    {
        var model = new ForwardPerceptron(seed: 2);
        var x = Values(9 * 10, 1);
        var targets = Values(9, 2);
        float loss = model.ComputeGradients(x, targets);
        var expected = ReferenceMlp.Run(AsLayers((model.W, model.B)), new[] { Activation.Linear }, x, 9, null, targets);
        AssertRelative(expected.Loss, loss, "loss");
        AssertTensor(expected.Gradients[0], model.W.Gradient, "dW");
        AssertTensor(expected.Gradients[1], model.B.Gradient, "db");
    }

    [Fact]
    public void TwoInputsAreTheirConcatenation()
    {
        // concat(flatten(image), side) is the packed row itself, so the reference is the Dense MLP on that row.
        var model = new TwoInputNet(seed: 4);
        Assert.Equal(new[] { 64, 5 }, model.InputWidths);
        const int batch = 6;
        var images = Values(batch * 64, 1);
        var side = Values(batch * 5, 2);
        var x = model.PackInputs(images, side);
        Assert.Equal(side[5..10], x.AsSpan(69 + 64, 5).ToArray());
        var labels = Labels(batch, 3);
        float loss = model.ComputeGradients(x, labels);
        var expected = ReferenceMlp.Run(AsLayers((model.W1, model.B1), (model.W2, model.B2)), new[] { Activation.Relu, Activation.Softmax }, x, batch, labels, null);
        AssertRelative(expected.Loss, loss, "loss");
        var parameters = new[] { model.W1, model.B1, model.W2, model.B2 };
        for (int p = 0; p < parameters.Length; p++) AssertTensor(expected.Gradients[p], parameters[p].Gradient, parameters[p].Name);

        var eager = model.Call(new Tensor([batch, 8, 8], images), new Tensor([batch, 5], side));
        AssertTensor(eager.Data.Select(v => (double)v).ToArray(), model.Predict(x), "eager Call against Predict");

        var e = Assert.Throws<ArgumentException>(() => model.PackInputs(images, side[..10]));
        Assert.Contains("rows", e.Message);
        Assert.Throws<ArgumentException>(() => model.PackInputs(images));
    }

    [Fact]
    public void ResidualBlockMatchesLoops()
    {
        var model = new ResidualNet(seed: 5);
        const int batch = 8, n = 12, classes = 4;
        var x = Values(batch * n, 3);
        var labels = Labels(batch, classes);
        float loss = model.ComputeGradients(x, labels);

        // h = x + relu(x·W + b); p = softmax(h·Wout + bout); loss = mean −log p[label]; then back by hand.
        double[] W = D(model.W), b = D(model.B), Wo = D(model.Wout), bo = D(model.Bout);
        double expectedLoss = 0;
        var dW = new double[n * n];
        var db = new double[n];
        var dWo = new double[n * classes];
        var dbo = new double[classes];
        for (int r = 0; r < batch; r++)
        {
            var xr = x.AsSpan(r * n, n).ToArray().Select(v => (double)v).ToArray();
            var z = Enumerable.Range(0, n).Select(j => b[j] + Enumerable.Range(0, n).Sum(k => xr[k] * W[k * n + j])).ToArray();
            var h = Enumerable.Range(0, n).Select(j => xr[j] + Math.Max(z[j], 0)).ToArray();
            var logits = Enumerable.Range(0, classes).Select(c => bo[c] + Enumerable.Range(0, n).Sum(k => h[k] * Wo[k * classes + c])).ToArray();
            var p = ReferenceMath.Softmax(logits);
            expectedLoss -= Math.Log(p[labels[r]]) / batch;
            var dLogits = p.Select((v, c) => (v - (c == labels[r] ? 1 : 0)) / batch).ToArray();
            var dh = new double[n];
            for (int k = 0; k < n; k++)
                for (int c = 0; c < classes; c++)
                {
                    dWo[k * classes + c] += h[k] * dLogits[c];
                    dh[k] += Wo[k * classes + c] * dLogits[c];
                }
            for (int c = 0; c < classes; c++) dbo[c] += dLogits[c];
            for (int j = 0; j < n; j++)
            {
                double dz = z[j] > 0 ? dh[j] : 0;
                db[j] += dz;
                for (int k = 0; k < n; k++) dW[k * n + j] += xr[k] * dz;
            }
        }
        AssertRelative(expectedLoss, loss, "loss");
        AssertTensor(dW, model.W.Gradient, "dW");
        AssertTensor(db, model.B.Gradient, "db");
        AssertTensor(dWo, model.Wout.Gradient, "dWout");
        AssertTensor(dbo, model.Bout.Gradient, "dbout");

        var eager = model.Call(new Tensor([batch, n], x));
        AssertTensor(eager.Data.Select(v => (double)v).ToArray(), model.Predict(x), "eager Call against Predict");
    }

    [Fact]
    public void EveryOpModelMatchesCentralDifferencesOfItsEagerBody()
    {
        // The compiled gradient against central differences of the eager body (a separate code path: Op's
        // kernels called one by one), with the mean squared error evaluated in double.
        var model = new EveryOpNet(seed: 6);
        const int batch = 5;
        var x = Values(batch * 6, 4);
        var targets = Values(batch * 3, 5);
        model.ComputeGradients(x, targets);
        var input = new Tensor([batch, 6], x);
        double Loss()
        {
            var y = model.Call(input).Data;
            return y.Select((v, i) => ((double)v - targets[i]) * (v - targets[i])).Sum() / y.Length;
        }
        var eager = model.Call(input);
        AssertTensor(eager.Data.Select(v => (double)v).ToArray(), model.Predict(x), "eager Call against Predict");
        foreach (var parameter in model.Weights)
        {
            for (int i = 0; i < parameter.Length; i++)
            {
                float saved = parameter.Data[i];
                const float eps = 1e-2f;
                parameter.Data[i] = saved + eps;
                double plus = Loss();
                parameter.Data[i] = saved - eps;
                double minus = Loss();
                parameter.Data[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - parameter.Gradient[i]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"d loss / d {parameter.Name}[{i}]: compiled {parameter.Gradient[i]}, central differences {numeric}");
            }
        }
    }

    [Fact]
    public void DigitsMlpTrainsToTheDenseFigure()
    {
        // The seed's MLP on the 8×8 digits, 20 % held out: Adam, batch 32, 40 epochs.
        var digits = Digits.Load();
        var (train, test) = Preprocessing.TrainValidationSplit(digits.Images, digits.Labels, 64, 0.2, seed: 0);
        var model = new DigitsForwardMlp(seed: 0);
        var history = model.Fit(train.X, train.Y, epochs: 40, batchSize: 32, optimizer: new Adam(), verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] / 5, $"loss {history["loss"][0]} → {history["loss"][^1]}");
        var evaluation = model.Evaluate(test.X, test.Y);
        output.WriteLine($"[Forward] digits MLP: loss {history["loss"][0]:F4} → {history["loss"][^1]:F4}, held-out accuracy {evaluation.Accuracy:F4} on {test.Y.Length} images");
        Assert.True(evaluation.Accuracy >= 0.95, $"held-out accuracy {evaluation.Accuracy}");
    }

    [Fact]
    public void PerceptronBeatsTheMeanOnDiabetes()
    {
        var data = Diabetes.Load();
        var (train, test) = Preprocessing.TrainValidationSplit(data.Features, data.Targets, data.FeatureCount, 0.2, seed: 0);
        var scaler = Standardizer.Fit(train.X, data.FeatureCount);
        var model = new ForwardPerceptron(seed: 0);
        model.Fit(scaler.Transform(train.X), train.Y, epochs: 100, batchSize: 32, optimizer: new Sgd(0.01), verbose: 0);
        double mean = train.Y.Average();
        double baseline = test.Y.Average(t => (t - mean) * (t - mean));
        double mse = model.Evaluate(scaler.Transform(test.X), test.Y).Loss;
        output.WriteLine($"[Forward] perceptron on diabetes: test MSE {mse:F1} against {baseline:F1} for the training mean");
        Assert.True(mse < 0.75 * baseline, $"test MSE {mse} against {baseline} for the training mean");
    }

    private static float[] Values(int count, int seed) => GeneratedModelTests.Data(count, seed);

    private static double[] D(Parameter p) => p.Data.Select(v => (double)v).ToArray();
}
