using Xunit;
using GraphGen.Tests.Models;
using GraphGen.Training;

namespace GraphGen.Tests.Onnx;

/// <summary>
/// Every test model (<see cref="OnnxCatalog"/>) — Dense (every activation, loss and FromLogits form, 50 layers, widths
/// of 1 and 16,384), convnets, dropout and batch normalisation, and [Forward] (every general op, two inputs, models
/// whose rows mix over the batch) — trained a few steps, exported to ONNX and run in ONNX Runtime: its output equals
/// Predict within 1e-5 relative at batch 1 and 37 on random inputs.
/// </summary>
public sealed class OnnxExportTests
{
    public static TheoryData<string> Models => new(OnnxCatalog.Factories.Keys);

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxExportRunsInOnnxRuntimeAsPredict(string name)
    {
        var model = OnnxCatalog.Trained(name);
        // Biases away from their zero start, so the export is seen to carry them.
        foreach (var p in model.Weights.Where(p => p.Trainable))
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
