using GraphGen.Training;
using Xunit;


namespace GraphGen.Tests.Models;

/// <summary>
/// Sizes at the edges, against the double-precision reference: widths of 1, 50 layers, a 16,384-wide layer, batch 1,
/// and a batch larger than the data set. The compile-time edges (huge or non-positive widths) are diagnostics, in
/// DiagnosticTests and the generator fuzz test.
/// </summary>
public class EdgeSizeTests
{
    [Fact]
    public void WidthOneLayersMatchTheReferenceAndLearnALine()
    {
        var model = new Width1Net(seed: 3);
        foreach (int batch in new[] { 1, 2, 17 })
        {
            var x = GeneratedModelTests.Data(batch, seed: batch);
            var y = x.Select(v => 2 * v + 1).ToArray();
            float loss = model.ComputeGradients(x, y);
            var expected = ReferenceMlp.Run(model.Layers, [Activation.Relu, Activation.Linear], x, batch, null, y);
            GeneratedModelTests.AssertRelative(expected.Loss, loss, $"loss, batch {batch}");
            for (int p = 0; p < model.Weights.Count; p++) GeneratedModelTests.AssertTensor(expected.Gradients[p], model.Weights[p].Gradient, $"{model.Weights[p].Name}, batch {batch}");
        }
        // Positive inputs keep the one relu unit alive; y = 2x + 1 is then exactly representable.
        var train = Enumerable.Range(0, 64).Select(i => 0.1f + i / 64f).ToArray();
        model.Weights[0].Data[0] = 1f;
        var history = model.Fit(train, train.Select(v => 2 * v + 1).ToArray(), epochs: 300, batchSize: 16, optimizer: new Adam(0.05f), verbose: 0);
        Assert.True(history.Epochs[^1].Loss < 1e-3, $"final MSE {history.Epochs[^1].Loss}");
        Assert.Equal(2 * 0.5f + 1, model.Predict([0.5f])[0], 0.05f);
    }

    [Fact]
    public void FiftyLayersMatchTheReference()
    {
        var model = new FiftyLayerNet(seed: 5);
        Assert.Equal(50, model.Layers.Count);
        var activations = Enumerable.Repeat(Activation.Tanh, 49).Append(Activation.Softmax).ToArray();
        foreach (int batch in new[] { 1, 7 })
        {
            var x = GeneratedModelTests.Data(batch * 4, seed: 10 + batch);
            var labels = Enumerable.Range(0, batch).Select(i => i % 3).ToArray();
            float loss = model.ComputeGradients(x, labels);
            var expected = ReferenceMlp.Run(model.Layers, activations, x, batch, labels, null);
            GeneratedModelTests.AssertRelative(expected.Loss, loss, $"loss, batch {batch}");
            for (int p = 0; p < model.Weights.Count; p++) GeneratedModelTests.AssertTensor(expected.Gradients[p], model.Weights[p].Gradient, $"{model.Weights[p].Name}, batch {batch}");
            GeneratedModelTests.AssertTensor(expected.Output, model.Predict(x), $"Predict, batch {batch}");
        }
    }

    [Fact]
    public void A16384WideLayerMatchesTheReference()
    {
        var model = new Wide16kNet(seed: 2);
        Assert.Equal((6, 16384), (((DenseLayer)model.Layers[0]).Inputs, ((DenseLayer)model.Layers[0]).Units));
        foreach (int batch in new[] { 1, 5 })
        {
            var x = GeneratedModelTests.Data(batch * 6, seed: 20 + batch);
            var labels = Enumerable.Range(0, batch).Select(i => i % 4).ToArray();
            float loss = model.ComputeGradients(x, labels);
            var expected = ReferenceMlp.Run(model.Layers, [Activation.Relu, Activation.Softmax], x, batch, labels, null);
            GeneratedModelTests.AssertRelative(expected.Loss, loss, $"loss, batch {batch}");
            for (int p = 0; p < model.Weights.Count; p++) GeneratedModelTests.AssertTensor(expected.Gradients[p], model.Weights[p].Gradient, $"{model.Weights[p].Name}, batch {batch}");
        }
    }

    [Fact]
    public void ABatchLargerThanTheDataSetTrainsOnOneBatchOfEveryRow()
    {
        var x = GeneratedModelTests.Data(10 * 7, seed: 4);
        var y = Enumerable.Range(0, 10).Select(i => i % 5).ToArray();
        var big = new SparseFromLogitsNet(seed: 8);
        var exact = new SparseFromLogitsNet(seed: 8);
        var history = big.Fit(x, y, epochs: 3, batchSize: 1000, optimizer: new Sgd(0.1f), shuffle: false, verbose: 0);
        exact.Fit(x, y, epochs: 3, batchSize: 10, optimizer: new Sgd(0.1f), shuffle: false, verbose: 0);
        Assert.All(history.Epochs, e => Assert.Equal(1, e.Steps));
        for (int p = 0; p < big.Weights.Count; p++)
            Assert.True(big.Weights[p].Data.AsSpan().SequenceEqual(exact.Weights[p].Data), $"{big.Weights[p].Name}: batch 1000 on 10 rows differs from batch 10");
    }

    [Fact]
    public void BatchOfOneRowTrainsAndPredicts()
    {
        var model = new ReluClassifier(seed: 1);
        var x = GeneratedModelTests.Data(model.InputWidth, seed: 9);
        float first = model.TrainStep(x, [2], new Sgd(0.5f));
        for (int i = 0; i < 20; i++) model.TrainStep(x, [2], new Sgd(0.5f));
        Assert.True(model.ComputeGradients(x, [2]) < first, "one row, trained on repeatedly, must fit better");
        Assert.Equal(2, model.PredictClasses(x)[0]);
    }
}
