using Xunit;
using GraphGen.Tests.Models;
using GraphGen.Training;

namespace GraphGen.Tests.Onnx;

/// <summary>
/// Every test model — Dense (every activation, loss and FromLogits form, 50 layers, widths of 1 and 16,384) and
/// [Forward] (every general op, two inputs, models whose rows mix over the batch) — exported to ONNX and run in ONNX
/// Runtime: its output equals Predict within 1e-5 relative at batch 1 and 37 on random inputs.
/// </summary>
public sealed class OnnxExportTests
{
    public static TheoryData<string> Models => new(Factories.Keys);

    private static readonly Dictionary<string, Func<CompiledModel>> Factories = new()
    {
        [nameof(ReluClassifier)] = () => new ReluClassifier(seed: 1),
        [nameof(TanhClassifier)] = () => new TanhClassifier(seed: 2),
        [nameof(SigmoidClassifier)] = () => new SigmoidClassifier(seed: 3),
        [nameof(LinearClassifier)] = () => new LinearClassifier(seed: 4),
        [nameof(Regressor)] = () => new Regressor(seed: 5),
        [nameof(ThreeLayerClassifier)] = () => new ThreeLayerClassifier(seed: 6),
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
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxExportRunsInOnnxRuntimeAsPredict(string name)
    {
        var model = Factories[name]();
        // Biases away from their zero start, so the export is seen to carry them.
        foreach (var p in model.Weights)
            for (int i = 0; i < p.Data.Length; i++) p.Data[i] += 0.01f * ((i % 7) - 3);
        string path = Path.Combine(Path.GetTempPath(), $"graphgen-onnx-{name}-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path);
            OnnxRuntimeCheck.Keep(path, name);
            foreach (int batch in new[] { 1, 37 })
            {
                var x = OnnxRuntimeCheck.RandomInputs(batch, model.InputWidth, seed: batch);
                var onnx = OnnxRuntimeCheck.Run(path, x, batch, model.InputWidth);
                var predict = model.Predict(x);
                double worst = OnnxRuntimeCheck.WorstError(onnx, predict);
                Assert.True(worst <= OnnxRuntimeCheck.Tolerance, $"{name}, batch {batch}: ONNX Runtime differs from Predict by {worst:E2} (relative)");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The rows of a batch-mixing model mix in ONNX as in Predict: one run over all 37 rows is not 37 runs of one.</summary>
    [Fact]
    public void OnnxExportOfABatchMixingModelMixesTheWholeBatch()
    {
        var model = new BatchCenteredNet(seed: 3);
        Assert.True(model.MixesBatchRows);
        string path = Path.Combine(Path.GetTempPath(), $"graphgen-onnx-mix-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path);
            var x = OnnxRuntimeCheck.RandomInputs(37, model.InputWidth, seed: 5);
            var whole = OnnxRuntimeCheck.Run(path, x, 37, model.InputWidth);
            var firstAlone = OnnxRuntimeCheck.Run(path, x[..model.InputWidth], 1, model.InputWidth);
            Assert.True(OnnxRuntimeCheck.WorstError(whole, model.Predict(x)) <= OnnxRuntimeCheck.Tolerance);
            Assert.NotEqual(firstAlone[0], whole[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
