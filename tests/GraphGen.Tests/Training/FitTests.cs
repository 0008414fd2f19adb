using System.Text.RegularExpressions;
using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Training;

/// <summary>Fit as Keras's: validation, History keys, callbacks, progress output, resuming.</summary>
public class FitTests
{
    /// <summary>A learnable 3-class problem for the 6-feature test classifiers: the class is the largest of three sums.</summary>
    internal static (float[] X, int[] Y) Problem(int rows, int seed)
    {
        var x = GeneratedModelTests.Data(rows * 6, seed);
        var y = Enumerable.Range(0, rows).Select(i =>
        {
            var sums = Enumerable.Range(0, 3).Select(c => x[i * 6 + 2 * c] + x[i * 6 + 2 * c + 1]).ToArray();
            return Array.IndexOf(sums, sums.Max());
        }).ToArray();
        return (x, y);
    }

    [Fact]
    public void ValidationSplitHoldsOutTheTailAndLogsValKeys()
    {
        var (x, y) = Problem(200, 1);
        var model = new ReluClassifier(seed: 1);
        var history = model.Fit(x, y, epochs: 3, batchSize: 16, optimizer: new Adam(0.01f), validationSplit: 0.25, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys);
        var tail = model.Evaluate(x[(150 * 6)..], y[150..]);
        Assert.Equal(tail.Loss, history["val_loss"][^1], 1e-9);
        Assert.Equal(tail.Accuracy!.Value, history["val_accuracy"][^1], 1e-12);
        Assert.All(history.Epochs, e => Assert.Equal(10, e.Steps)); // 150 training rows in batches of 16
        Assert.True(history["loss"][2] < history["loss"][0], "training did not lower the loss");
    }

    [Fact]
    public void ValidationDataIsScoredEveryEpoch()
    {
        var (x, y) = Problem(120, 2);
        var (vx, vy) = Problem(50, 3);
        var model = new ReluClassifier(seed: 2);
        var history = model.Fit(x, y, epochs: 2, batchSize: 32, validationData: (vx, vy), verbose: 0);
        Assert.Equal(model.Evaluate(vx, vy).Loss, history["val_loss"][1], 1e-9);
        var (classes, scores) = model.PredictClassesWithScores(vx);
        var probabilities = model.Predict(vx);
        Assert.Equal(model.PredictClasses(vx), classes);
        for (int i = 0; i < classes.Length; i++) Assert.Equal(probabilities.Skip(i * 3).Take(3).Max(), scores[i]);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, validationSplit: 0.5, validationData: (vx, vy), verbose: 0));
        Assert.Contains("not both", e.Message);
    }

    [Fact]
    public void RegressionLogsMaeAndMse()
    {
        var model = new Regressor(seed: 1);
        var x = GeneratedModelTests.Data(40 * 5, 1);
        var t = GeneratedModelTests.Data(40 * 2, 2);
        var history = model.Fit(x, t, epochs: 1, batchSize: 8, validationSplit: 0.2, verbose: 0);
        Assert.Equal(new[] { "loss", "mae", "mse", "val_loss", "val_mae", "val_mse" }, history.Keys);
        var evaluation = model.Evaluate(x, t);
        Assert.Equal(evaluation.Loss, evaluation.Metrics["mse"], 1e-9); // the loss is the mse
        Assert.Null(evaluation.Accuracy);
    }

    [Fact]
    public void EarlyStoppingStopsAndRestoresTheBestWeights()
    {
        var (x, y) = Problem(128, 4);
        var model = new ReluClassifier(seed: 3);
        string folder = TempFolder();
        // Two good epochs, then a learning rate that wrecks the model: the loss stops improving at epoch 3.
        var scheduler = new LearningRateScheduler((epoch, lr) => epoch < 2 ? 0.5f : 40f);
        var stopping = new EarlyStopping(monitor: "loss", patience: 0, restoreBestWeights: true);
        var checkpoints = new ModelCheckpoint(Path.Combine(folder, "epoch{epoch}.safetensors"), weightsOnly: true);
        var history = model.Fit(x, y, epochs: 10, batchSize: 32, optimizer: new Sgd(0.5f), callbacks: [scheduler, checkpoints, stopping], verbose: 0);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(3, stopping.StoppedEpoch);
        Assert.Equal(2, stopping.BestEpoch);
        var best = new ReluClassifier(seed: 99);
        best.LoadWeights(Path.Combine(folder, "epoch2.safetensors"));
        for (int p = 0; p < model.Weights.Count; p++) Assert.Equal(best.Weights[p].Data, model.Weights[p].Data);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void EarlyStoppingOnAMissingKeyNamesWhatIsLogged()
    {
        var (x, y) = Problem(32, 5);
        var e = Assert.Throws<InvalidOperationException>(() => new ReluClassifier().Fit(x, y, callbacks: [new EarlyStopping()], verbose: 0));
        Assert.Contains("'val_loss'", e.Message);
        Assert.Contains("loss, accuracy", e.Message);
    }

    [Fact]
    public void TerminateOnNaNNamesTheEpochAndStep()
    {
        var (x, y) = Problem(64, 6);
        var model = new ReluClassifier(seed: 4);
        var batches = new List<BatchEnd>();
        string? reason = null;
        var capture = new CaptureStop(r => reason = r);
        var history = model.Fit(x, y, epochs: 5, batchSize: 8, optimizer: new Sgd(1e30f),
            callbacks: [new LambdaCallback(onBatchEnd: batches.Add), new TerminateOnNaN(), capture], verbose: 0);
        var bad = batches.First(b => !float.IsFinite(b.Loss));
        Assert.Equal(batches[^1], bad); // nothing ran after the first non-finite loss
        Assert.Contains($"at epoch {bad.Epoch}, step {bad.Batch + 1}/8", reason);
        Assert.Single(history.Epochs);
    }

    [Fact]
    public void CsvLoggerWritesOneRowPerEpoch()
    {
        var (x, y) = Problem(64, 7);
        string path = Path.Combine(TempFolder(), "log.csv");
        new ReluClassifier().Fit(x, y, epochs: 2, batchSize: 16, validationSplit: 0.25, callbacks: [new CsvLogger(path)], verbose: 0);
        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("1,", lines[2]);
    }

    [Fact]
    public void ProgressLooksLikeKeras()
    {
        var (x, y) = Problem(48, 8);
        var output = new StringWriter();
        new ReluClassifier().Fit(x, y, epochs: 2, batchSize: 16, validationSplit: 1 / 3.0, callbacks: [new ProgressLogger(1, output)], verbose: 0);
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Epoch 1/2", lines[0]);
        Assert.Matches(new Regex(@"^2/2 ━{20} \d+s \d+(us|ms)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$"), lines[1]);
        Assert.Equal(4, lines.Length);

        var perEpoch = new StringWriter();
        new ReluClassifier().Fit(x, y, epochs: 1, batchSize: 16, callbacks: [new ProgressLogger(2, perEpoch)], verbose: 0);
        Assert.Matches(new Regex(@"^3/3 - \d+s - \d+(us|ms)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}$", RegexOptions.Multiline), perEpoch.ToString());

        var live = new StringWriter();
        new ReluClassifier().Fit(x, y, epochs: 1, batchSize: 16, callbacks: [new ProgressLogger(1, live, live: true)], verbose: 0);
        Assert.Contains("\r3/3 ━━━━━━━━━━━━━━━━━━━━", live.ToString());
    }

    [Fact]
    public void ResumingFromACheckpointEqualsUninterruptedTrainingBitwise()
    {
        var (x, y) = Problem(100, 9);
        string folder = TempFolder();
        var straight = new ThreeLayerClassifierLike(seed: 12);
        straight.Fit(x, y, epochs: 4, batchSize: 16, optimizer: new Adam(0.01f), verbose: 0);

        var first = new ThreeLayerClassifierLike(seed: 12);
        string checkpoint = Path.Combine(folder, "ckpt-{epoch}.safetensors");
        first.Fit(x, y, epochs: 2, batchSize: 16, optimizer: new Adam(0.01f), callbacks: [new ModelCheckpoint(checkpoint)], verbose: 0);

        var resumed = new ThreeLayerClassifierLike(seed: 777); // different weights and shuffle: all must come from the file
        var optimizer = new Adam(0.01f);
        int epoch = resumed.LoadCheckpoint(Path.Combine(folder, "ckpt-2.safetensors"), optimizer);
        Assert.Equal(2, epoch);
        Assert.Equal(2 * 7, optimizer.Iterations);
        var history = resumed.Fit(x, y, epochs: 4, batchSize: 16, optimizer: optimizer, verbose: 0, initialEpoch: epoch);
        Assert.Equal(new[] { 3, 4 }, history.Epochs.Select(e => e.Epoch));
        for (int p = 0; p < straight.Weights.Count; p++)
            Assert.True(straight.Weights[p].Data.AsSpan().SequenceEqual(resumed.Weights[p].Data), $"{straight.Weights[p].Name} differs after resuming");
        var e = Assert.Throws<ArgumentException>(() => resumed.LoadCheckpoint(Path.Combine(folder, "ckpt-2.safetensors"), new RmsProp()));
        Assert.Contains("holds adam state", e.Message);
        Directory.Delete(folder, true);
    }

    internal static string TempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "graphgen-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private sealed class CaptureStop(Action<string?> onStop) : Callback
    {
        public override void OnTrainEnd(TrainingContext context, History history) => onStop(context.StopReason);
    }
}

[Model][Input(6)]
public sealed partial class ThreeLayerClassifierLike
{
    [Dense(9, Activation.Tanh)] public partial DenseLayer First { get; }
    [Dense(7, Activation.Relu)] public partial DenseLayer Second { get; }
    [Dense(3, Activation.Softmax)] public partial DenseLayer Output { get; }
}
