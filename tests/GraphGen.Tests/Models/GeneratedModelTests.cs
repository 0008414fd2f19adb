using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Models;

/// <summary>The generated code against <see cref="ReferenceMlp"/>: gradients, loss, outputs; then determinism.</summary>
public class GeneratedModelTests
{
    public static IEnumerable<object[]> Classifiers() => new[]
    {
        new object[] { nameof(ReluClassifier) }, new object[] { nameof(TanhClassifier) }, new object[] { nameof(SigmoidClassifier) },
        new object[] { nameof(LinearClassifier) }, new object[] { nameof(ThreeLayerClassifier) }, new object[] { nameof(MnistReference) },
    };

    private static (CompiledModel<int> Model, Activation[] Activations) Classifier(string name, int seed) => name switch
    {
        nameof(ReluClassifier) => (new ReluClassifier(seed), new[] { Activation.Relu, Activation.Softmax }),
        nameof(TanhClassifier) => (new TanhClassifier(seed), new[] { Activation.Tanh, Activation.Softmax }),
        nameof(SigmoidClassifier) => (new SigmoidClassifier(seed), new[] { Activation.Sigmoid, Activation.Softmax }),
        nameof(LinearClassifier) => (new LinearClassifier(seed), new[] { Activation.Linear, Activation.Softmax }),
        nameof(ThreeLayerClassifier) => (new ThreeLayerClassifier(seed), new[] { Activation.Tanh, Activation.Sigmoid, Activation.Softmax }),
        nameof(MnistReference) => (new MnistReference(seed), new[] { Activation.Relu, Activation.Softmax }),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Classifiers))]
    public void ClassifierGradientsMatchReference(string name)
    {
        var (model, activations) = Classifier(name, seed: 7);
        // Several batch sizes on one instance: odd sizes, and buffers that grow and are then reused.
        foreach (int batch in new[] { 5, 13, 3, 64 })
        {
            var x = Data(batch * model.InputWidth, seed: batch);
            var labels = Enumerable.Range(0, batch).Select(i => (i * 7 + 3) % model.OutputWidth).ToArray();
            float loss = model.ComputeGradients(x, labels);
            var expected = ReferenceMlp.Run(model.Layers, activations, x, batch, labels, null);
            AssertRelative(expected.Loss, loss, $"{name} loss, batch {batch}");
            for (int p = 0; p < model.Weights.Count; p++)
                AssertTensor(expected.Gradients[p], model.Weights[p].Gradient, $"{name} {model.Weights[p].Name}, batch {batch}");
            AssertTensor(expected.Output, model.Predict(x), $"{name} Predict, batch {batch}");
            var evaluation = model.Evaluate(x, labels);
            AssertRelative(expected.Loss, evaluation.Loss, $"{name} Evaluate loss");
        }
    }

    [Fact]
    public void RegressionGradientsMatchReference()
    {
        var model = new Regressor(seed: 3);
        foreach (int batch in new[] { 1, 9, 31 })
        {
            var x = Data(batch * 5, seed: 100 + batch);
            var targets = Data(batch * 2, seed: 200 + batch);
            float loss = model.ComputeGradients(x, targets);
            var expected = ReferenceMlp.Run(model.Layers, new[] { Activation.Tanh, Activation.Linear }, x, batch, null, targets);
            AssertRelative(expected.Loss, loss, $"loss, batch {batch}");
            for (int p = 0; p < model.Weights.Count; p++)
                AssertTensor(expected.Gradients[p], model.Weights[p].Gradient, $"{model.Weights[p].Name}, batch {batch}");
            var evaluation = model.Evaluate(x, targets);
            AssertRelative(expected.Loss, evaluation.Loss, "Evaluate loss");
            Assert.Null(evaluation.Accuracy); // regression has no accuracy
        }
        var history = model.Fit(Data(20 * 5, 1), Data(20 * 2, 2), epochs: 1, batchSize: 8, verbose: 0);
        Assert.Equal(new[] { "loss", "mae", "mse" }, history.Keys);
    }

    public static IEnumerable<object[]> LossModels() => new[]
    {
        nameof(BinaryFromLogitsNet), nameof(BinarySigmoidNet), nameof(OneHotNet), nameof(OneHotFromLogitsNet), nameof(MaeRegressor),
    }.Select(n => new object[] { n });

    private static (CompiledModel<float> Model, Activation[] Activations, Loss Loss, bool FromLogits) FloatTargetModel(string name) => name switch
    {
        nameof(BinaryFromLogitsNet) => (new BinaryFromLogitsNet(3), [Activation.Gelu, Activation.Linear], Loss.BinaryCrossentropy, true),
        nameof(BinarySigmoidNet) => (new BinarySigmoidNet(3), [Activation.Elu, Activation.Sigmoid], Loss.BinaryCrossentropy, false),
        nameof(OneHotNet) => (new OneHotNet(3), [Activation.LeakyRelu, Activation.Softmax], Loss.CategoricalCrossentropy, false),
        nameof(OneHotFromLogitsNet) => (new OneHotFromLogitsNet(3), [Activation.Softplus, Activation.Linear], Loss.CategoricalCrossentropy, true),
        nameof(MaeRegressor) => (new MaeRegressor(3), [Activation.Relu, Activation.Sigmoid], Loss.MeanAbsoluteError, false),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(LossModels))]
    public void EveryLossAndActivationMatchesReference(string name)
    {
        var (model, activations, loss, fromLogits) = FloatTargetModel(name);
        foreach (int batch in new[] { 1, 6, 23 })
        {
            var x = Data(batch * model.InputWidth, seed: 300 + batch);
            var targets = loss == Loss.CategoricalCrossentropy
                ? Runtime.LossTests.SoftTargets(batch, model.OutputWidth, 400 + batch)
                : Data(batch * model.OutputWidth, seed: 500 + batch).Select(v => (v + 1) / 2).ToArray();
            float value = model.ComputeGradients(x, targets);
            var expected = ReferenceMlp.Run(model.Layers, activations, x, batch, loss, fromLogits, null, targets);
            AssertRelative(expected.Loss, value, $"{name} loss, batch {batch}");
            for (int p = 0; p < model.Weights.Count; p++)
                AssertTensor(expected.Gradients[p], model.Weights[p].Gradient, $"{name} {model.Weights[p].Name}, batch {batch}");
            AssertTensor(expected.Output, model.Predict(x), $"{name} Predict, batch {batch}");
            AssertRelative(expected.Loss, model.Evaluate(x, targets).Loss, $"{name} Evaluate loss, batch {batch}");
        }
    }

    [Fact]
    public void SparseLabelsFromLogitsMatchReference()
    {
        var model = new SparseFromLogitsNet(5);
        var x = Data(9 * 7, seed: 1);
        var labels = Enumerable.Range(0, 9).Select(i => i % 5).ToArray();
        float value = model.ComputeGradients(x, labels);
        var expected = ReferenceMlp.Run(model.Layers, [Activation.Tanh, Activation.Linear], x, 9, Loss.SparseCategoricalCrossentropy, true, labels, null);
        AssertRelative(expected.Loss, value, "loss");
        for (int p = 0; p < model.Weights.Count; p++) AssertTensor(expected.Gradients[p], model.Weights[p].Gradient, model.Weights[p].Name);
        AssertTensor(expected.Output, model.Predict(x), "Predict returns logits");
        AssertRelative(expected.Loss, model.Evaluate(x, labels).Loss, "Evaluate loss from logits");
    }

    [Fact]
    public void WeightsAreListedInGraphOrderWithKerasShapes()
    {
        var model = new MnistReference(seed: 1);
        Assert.Equal(4, model.Weights.Count);
        Assert.Equal(new[] { "hidden.weight", "hidden.bias", "output.weight", "output.bias" }, model.Weights.Select(w => w.Name));
        Assert.Equal(new[] { 784, 512 }, model.Hidden.Weight.Shape);
        Assert.Equal(new[] { 512 }, model.Hidden.Bias.Shape);
        Assert.Equal(407_050, model.ParameterCount);
        Assert.All(model.Hidden.Bias.Data, b => Assert.Equal(0f, b));
        float limit = MathF.Sqrt(6f / (784 + 512));
        Assert.All(model.Hidden.Weight.Data, w => Assert.InRange(w, -limit, limit));
    }

    [Fact]
    public void InitializerOverridesApply()
    {
        var model = new ReluClassifier(seed: 2, Initializer.Uniform(0f, 0.1f), Initializer.Normal(5f, 0f));
        Assert.All(model.Hidden.Weight.Data, w => Assert.InRange(w, 0f, 0.1f));
        Assert.All(model.Output.Bias.Data, b => Assert.Equal(5f, b));
    }

    [Fact]
    public void SameSeedGivesBitwiseIdenticalWeightsAfterFiftySteps()
    {
        float[][] Train()
        {
            var model = new ThreeLayerClassifier(seed: 99);
            var optimizer = new Sgd(0.5f);
            for (int step = 0; step < 50; step++)
            {
                var x = Data(64 * 40, seed: step);
                var labels = Enumerable.Range(0, 64).Select(i => (i + step) % 10).ToArray();
                model.TrainStep(x, labels, optimizer);
            }
            return model.Weights.Select(w => w.Data.ToArray()).ToArray();
        }
        var first = Train();
        var second = Train();
        for (int p = 0; p < first.Length; p++)
            Assert.True(first[p].AsSpan().SequenceEqual(second[p]), $"parameter {p} differs between two runs with the same seed");
        Assert.False(first[0].AsSpan().SequenceEqual(new ThreeLayerClassifier(seed: 99).Weights[0].Data), "training changed nothing");
    }

    [Fact]
    public void FitCoversEveryRowIncludingThePartialLastBatch()
    {
        var model = new ReluClassifier(seed: 4);
        var batches = new List<BatchEnd>();
        var history = model.Fit(Data(70 * 6, 1), Enumerable.Range(0, 70).Select(i => i % 3).ToArray(), epochs: 2, batchSize: 32,
            callbacks: [new LambdaCallback(onBatchEnd: batches.Add)], verbose: 0);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal(new[] { 32, 32, 6, 32, 32, 6 }, batches.Select(b => b.Rows));
        Assert.All(history.Epochs, e => Assert.Equal(3, e.Steps));
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var model = new ReluClassifier();
        var e = Assert.Throws<ArgumentException>(() => model.ComputeGradients(new float[7], new[] { 0 }));
        Assert.Contains("6 features", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => model.ComputeGradients(new float[12], new[] { 0, 3 }));
        Assert.Contains("Label 3 at row 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.ComputeGradients(new float[12], new[] { 0 }));
        Assert.Equal("targets", e.ParamName);
        var regression = new Regressor();
        e = Assert.Throws<ArgumentException>(() => regression.ComputeGradients(new float[5], new[] { 1f, float.NaN }));
        Assert.Contains("not a finite number", e.Message);
    }

    internal static float[] Data(int count, int seed)
    {
        var random = new SeededRandom((ulong)seed + 1000);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>Relative to the tensor's largest reference value: 1e-4.</summary>
    internal static void AssertTensor(double[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double scale = Math.Max(expected.Max(Math.Abs), 1e-12);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale, $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (scale {scale})");
    }

    internal static void AssertRelative(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-4 * Math.Abs(expected), $"{what}: expected {expected}, got {actual}");
}
