using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;


namespace GraphGen.Tests.Training;

/// <summary>
/// Bad input is refused before any computation, with the parameter and the place named; a diverging run stops by
/// itself, naming the epoch and step; calls from several threads either take turns or are refused.
/// </summary>
public class RobustnessTests
{
    private static (float[] X, int[] Y) Problem(int rows) => (GeneratedModelTests.Data(rows * 6, seed: rows), Enumerable.Range(0, rows).Select(i => i % 3).ToArray());

    public static IEnumerable<object[]> BadInputs() =>
    [
        ["wrong feature width", "'x' holds 35 values, which is not a positive whole number of rows of 6 features"],
        ["label past the classes", "Label 3 at row 2 is outside [0, 3)"],
        ["negative label", "Label -1 at row 0 is outside [0, 3)"],
        ["NaN input", "'x' holds NaN at index 7 (row 1, feature 1); inputs must be finite"],
        ["infinite input", "'x' holds Infinity at index 0 (row 0, feature 0); inputs must be finite"],
        ["fewer labels than rows", "'targets' holds 5 values; 6 rows of x need 6"],
    ];

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputIsRefusedBeforeAnythingChanges(string problem, string message)
    {
        var model = new ReluClassifier(seed: 1);
        var before = model.Weights.Select(w => w.Data.ToArray()).ToArray();
        var (x, y) = Problem(6);
        switch (problem)
        {
            case "wrong feature width": x = x[..35]; break;
            case "label past the classes": y[2] = 3; break;
            case "negative label": y[0] = -1; break;
            case "NaN input": x[7] = float.NaN; break;
            case "infinite input": x[0] = float.PositiveInfinity; break;
            case "fewer labels than rows": y = y[..5]; break;
        }
        foreach (var call in new Action[]
        {
            () => model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0),
            () => model.TrainStep(x, y, new Sgd()),
            () => model.Evaluate(x, y),
        })
        {
            var e = Assert.ThrowsAny<ArgumentException>(call);
            Assert.Contains(message, e.Message);
        }
        for (int p = 0; p < before.Length; p++) Assert.True(before[p].AsSpan().SequenceEqual(model.Weights[p].Data), "a refused call changed the weights");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(700_001)]
    [InlineData(1_400 * 784 - 1)]
    public void ALargeInputIsCheckedOnEveryCoreAndTheFirstBadValueNamed(int bad)
    {
        // Over a million values the check is split across the worker pool; wherever the bad value falls, Predict
        // refuses before writing any output and names its place.
        var model = new MnistReference(seed: 2);
        var x = GeneratedModelTests.Data(1_400 * 784, seed: 5);
        Assert.True(x.Length >= GraphGen.Cpu.FiniteCheckJob.ParallelFrom);
        x[bad] = float.NegativeInfinity;
        if (bad < x.Length - 1) x[^1] = float.NaN; // a later one is not the one reported
        var output = new float[1_400 * 10];
        output.AsSpan().Fill(7f);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(x, output));
        Assert.Contains($"'x' holds -Infinity at index {bad} (row {bad / 784}, feature {bad % 784}); inputs must be finite", e.Message);
        Assert.All(output, v => Assert.Equal(7f, v));
        x[bad] = 0.5f; x[^1] = 0.5f;
        model.Predict(x, output);
        Assert.All(output, v => Assert.True(v is >= 0f and <= 1f));
    }

    [Fact]
    public void ADivergingRunStopsByDefaultNamingTheEpochAndStep()
    {
        var (x, y) = Problem(64);
        var model = new ReluClassifier(seed: 4);
        var losses = new List<float>();
        var history = model.Fit(x, y, epochs: 5, batchSize: 8, optimizer: new Sgd(1e30f), callbacks: [new LambdaCallback(onBatchEnd: b => losses.Add(b.Loss))], verbose: 0);
        Assert.False(float.IsFinite(losses[^1]));
        Assert.All(losses[..^1], l => Assert.True(float.IsFinite(l))); // nothing ran past the first non-finite loss
        Assert.Single(history.Epochs);
        Assert.Matches(@"^the loss became (NaN|-?∞|-?Infinity) at epoch 1, step \d+/8$", history.StopReason);

        var stubborn = new ReluClassifier(seed: 4) { StopOnNonFiniteLoss = false };
        var all = stubborn.Fit(x, y, epochs: 3, batchSize: 8, optimizer: new Sgd(1e30f), verbose: 0);
        Assert.Equal(3, all.Epochs.Count);
        Assert.Null(all.StopReason);
    }

    [Fact]
    public void PredictFromManyThreadsEqualsSequentialCalls()
    {
        var model = new MnistReference(seed: 6);
        var inputs = Enumerable.Range(0, 16).Select(i => GeneratedModelTests.Data((3 + i * 37) * 784, seed: 40 + i)).ToArray();
        var sequential = inputs.Select(x => model.Predict(x)).ToArray();
        var concurrent = new float[inputs.Length][];
        Parallel.For(0, inputs.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int which = i % inputs.Length;
            var result = model.Predict(inputs[which], batchSize: 50); // batches of another size: buffers are shared, so turns must be taken
            if (i >= inputs.Length * 3) concurrent[which] = result;
            Assert.True(result.AsSpan().SequenceEqual(sequential[which]), $"call {i} differs from the sequential result");
        });
        Assert.All(concurrent, Assert.NotNull);
    }

    [Fact]
    public async Task ACallFromAnotherThreadDuringTrainingIsRefused()
    {
        var (x, y) = Problem(512);
        var model = new ReluClassifier(seed: 2);
        using var training = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var fit = Task.Run(() => model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0, callbacks:
            [new LambdaCallback(onBatchEnd: b => { if (b.Batch == 0) { training.Set(); release.Wait(); } })]));
        Assert.True(training.Wait(TimeSpan.FromSeconds(30)), "training never started");
        try
        {
            var predict = Assert.Throws<InvalidOperationException>(() => model.Predict(x));
            Assert.Contains("is changing the model (training or loading weights) on another thread", predict.Message);
            var step = Assert.Throws<InvalidOperationException>(() => model.TrainStep(x, y, new Sgd()));
            Assert.Contains("ReluClassifier", step.Message);
        }
        finally
        {
            release.Set();
        }
        Assert.Single((await fit).Epochs);
        Assert.Equal(512 * 3, model.Predict(x).Length); // after training, another thread may call again
    }
}
