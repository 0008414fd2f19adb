using Xunit;
using GraphGen.Tests.Ilgpu;
using GraphGen.Tests.Models;
using GraphGen.Tests.Training;
using GraphGen.Training;

namespace GraphGen.Tests.Onnx;

/// <summary>
/// Every model of this test project, as <see cref="OnnxExportTests"/> exports it: each made and then trained a few steps
/// on random data (so the weights, and a batch normalisation's moving statistics, are no longer their starting values).
/// <see cref="TheCatalogHoldsEveryTestModel"/> fails when a model is added without an entry here.
/// </summary>
public sealed class OnnxCatalog
{
    internal static readonly Dictionary<string, Func<CompiledModel>> Factories = new()
    {
        [nameof(ReluClassifier)] = () => new ReluClassifier(seed: 1),
        [nameof(TanhClassifier)] = () => new TanhClassifier(seed: 2),
        [nameof(SigmoidClassifier)] = () => new SigmoidClassifier(seed: 3),
        [nameof(LinearClassifier)] = () => new LinearClassifier(seed: 4),
        [nameof(Regressor)] = () => new Regressor(seed: 5),
        [nameof(ThreeLayerClassifier)] = () => new ThreeLayerClassifier(seed: 6),
        [nameof(ThreeLayerClassifierLike)] = () => new ThreeLayerClassifierLike(seed: 34),
        [nameof(MnistReference)] = () => new MnistReference(seed: 7),
        [nameof(BinaryFromLogitsNet)] = () => new BinaryFromLogitsNet(seed: 8),
        [nameof(BinarySigmoidNet)] = () => new BinarySigmoidNet(seed: 9),
        [nameof(OneHotNet)] = () => new OneHotNet(seed: 10),
        [nameof(OneHotFromLogitsNet)] = () => new OneHotFromLogitsNet(seed: 11),
        [nameof(SparseFromLogitsNet)] = () => new SparseFromLogitsNet(seed: 12),
        [nameof(MaeRegressor)] = () => new MaeRegressor(seed: 13),
        [nameof(DigitsForwardMlp)] = () => new DigitsForwardMlp(seed: 14),
        [nameof(ForwardPerceptron)] = () => new ForwardPerceptron(seed: 15),
        [nameof(ResidualNet)] = () => new ResidualNet(seed: 16),
        [nameof(TwoInputNet)] = () => new TwoInputNet(seed: 17),
        [nameof(EveryOpNet)] = () => new EveryOpNet(seed: 18),
        [nameof(OnnxExtremesNet)] = () => new OnnxExtremesNet(seed: 19),
        [nameof(SoftmaxOverBatchNet)] = () => new SoftmaxOverBatchNet(seed: 20),
        [nameof(GramNet)] = () => new GramNet(seed: 21),
        [nameof(BatchCenteredNet)] = () => new BatchCenteredNet(seed: 22),
        [nameof(GemmsOverBatchNet)] = () => new GemmsOverBatchNet(seed: 23),
        [nameof(Width1Net)] = () => new Width1Net(seed: 24),
        [nameof(FiftyLayerNet)] = () => new FiftyLayerNet(seed: 25),
        [nameof(Wide16kNet)] = () => new Wide16kNet(seed: 26),
        [nameof(ElementwiseNet)] = () => new ElementwiseNet(seed: 27),
        [nameof(ExtremesNet)] = () => new ExtremesNet(seed: 28),
        // Images: same and valid padding, strides, a 1×1 conv, overlapping pools, flatten in NHWC order.
        [nameof(SmallCnn)] = () => new SmallCnn(seed: 29),
        [nameof(OddCnn)] = () => new OddCnn(seed: 30),
        [nameof(OnnxPaddingCnn)] = () => new OnnxPaddingCnn(seed: 35),
        // Dropout (the identity in inference) and batch normalisation with the moving statistics, [Forward] and Dense forms.
        [nameof(DropoutBatchNormNet)] = () => new DropoutBatchNormNet(seed: 31),
        [nameof(DenseDropoutBatchNormNet)] = () => new DenseDropoutBatchNormNet(seed: 32),
        [nameof(ImageBatchNormNet)] = () => new ImageBatchNormNet(seed: 33),
    };

    /// <summary>Test models the generator did not compile (no ONNX graph by design), and why.</summary>
    private static readonly Dictionary<string, string> s_withoutOnnxGraph = new()
    {
        [nameof(IlgpuLinearRegression)] = "written by hand as generated code, for the ILGPU placement tests; OnnxRefusalTests checks its refusal",
        [nameof(IlgpuSoftmaxClassifier)] = "written by hand as generated code, for the ILGPU placement tests",
    };

    /// <summary>The model named, trained three steps of 16 random rows (random labels or targets, inputs offset so a moving mean moves).</summary>
    internal static CompiledModel Trained(string name)
    {
        var model = Factories[name]();
        var x = OnnxRuntimeCheck.RandomInputs(48, model.InputWidth, seed: 7);
        for (int i = 0; i < x.Length; i++) x[i] = 0.5f + 2 * x[i];
        var random = new Random(11);
        switch (model)
        {
            case CompiledModel<int> classifier:
                classifier.Fit(x, Enumerable.Range(0, 48).Select(_ => random.Next(classifier.OutputWidth)).ToArray(), batchSize: 16, optimizer: new Sgd(0.01f), shuffle: false, verbose: 0);
                break;
            case CompiledModel<float> regressor:
                var targets = Enumerable.Range(0, 48 * regressor.TargetsPerSample).Select(_ => (float)random.NextDouble()).ToArray();
                regressor.Fit(x, targets, batchSize: 16, optimizer: new Sgd(0.01f), shuffle: false, verbose: 0);
                break;
            default:
                throw new InvalidOperationException($"{name}: a target type the catalog cannot train");
        }
        return model;
    }

    [Fact]
    public void TheCatalogHoldsEveryTestModel()
    {
        var models = typeof(OnnxCatalog).Assembly.GetTypes()
            .Where(t => typeof(CompiledModel).IsAssignableFrom(t) && !t.IsAbstract && !t.IsNested)
            .Select(t => t.Name).Order().ToList();
        Assert.True(models.Count >= 33, $"{models.Count} test models");
        Assert.Empty(models.Except(Factories.Keys).Except(s_withoutOnnxGraph.Keys));
    }

    /// <summary>After training, a batch normalisation's moving statistics are no longer 0 and 1: the export is seen to carry them.</summary>
    [Fact]
    public void TrainingMovesTheMovingStatistics()
    {
        var model = Trained(nameof(DenseDropoutBatchNormNet));
        var mean = model.Weights.Single(p => p.Name.EndsWith(".moving_mean", StringComparison.Ordinal));
        var variance = model.Weights.Single(p => p.Name.EndsWith(".moving_variance", StringComparison.Ordinal));
        Assert.Contains(mean.Data.ToArray(), v => Math.Abs(v) > 1e-3);
        Assert.Contains(variance.Data.ToArray(), v => Math.Abs(v - 1) > 1e-3);
    }
}
