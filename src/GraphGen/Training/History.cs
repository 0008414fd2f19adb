namespace GraphGen.Training;

/// <summary>Reported after each training batch: the batch's own mean loss.</summary>
public readonly record struct BatchEnd(int Epoch, int Batch, int BatchesPerEpoch, int Rows, float Loss);

/// <summary>
/// One epoch of <c>Fit</c>: the epoch (from 1), its wall-clock seconds and steps, and its logs by Keras's keys —
/// loss and the metrics over the epoch's training batches, then val_loss and val_* when there is validation data.
/// </summary>
public sealed record EpochLog(int Epoch, double Seconds, int Steps, float LearningRate, IReadOnlyDictionary<string, double> Values)
{
    public double Loss => Values["loss"];
    public double this[string key] => Values.TryGetValue(key, out double v) ? v
        : throw new KeyNotFoundException($"Epoch {Epoch} logged no '{key}'; it logged: {string.Join(", ", Values.Keys)}.");
    public bool TryGetValue(string key, out double value) => Values.TryGetValue(key, out value);
}

/// <summary>What <c>Fit</c> returns: one log per epoch; <c>history["loss"]</c> is Keras's <c>history.history["loss"]</c>.</summary>
public sealed class History(IReadOnlyList<EpochLog> epochs, string? stopReason = null)
{
    public IReadOnlyList<EpochLog> Epochs { get; } = epochs;

    /// <summary>Why training stopped before its last epoch (a non-finite loss, early stopping, …); null when it ran them all.</summary>
    public string? StopReason { get; } = stopReason;

    /// <summary>The keys every epoch logged, in the order of the first epoch.</summary>
    public IReadOnlyList<string> Keys => Epochs.Count == 0 ? [] : Epochs[0].Values.Keys.ToArray();

    /// <summary>The series of one key, one value per epoch.</summary>
    public double[] this[string key] => Epochs.Select(e => e[key]).ToArray();

    public IEnumerable<double> Loss => Epochs.Select(e => e.Loss);
}

/// <summary>What <c>Evaluate</c> returns: the mean loss, each metric by name, and the number of samples.</summary>
public sealed record Evaluation(double Loss, IReadOnlyDictionary<string, double> Metrics, int Samples)
{
    /// <summary>The accuracy, where the model's metrics include one.</summary>
    public double? Accuracy => Metrics.TryGetValue("accuracy", out double a) ? a : null;

    public override string ToString() => $"loss {Loss:F4}" + string.Concat(Metrics.Select(m => $", {m.Key} {m.Value:F4}"));
}
