using System.Globalization;

namespace GraphGen.Training;

/// <summary>
/// Writes a checkpoint (weights, optimizer state, epoch; safetensors) after every epoch, or only when
/// <paramref name="monitor"/> improves with <paramref name="saveBestOnly"/>. "{epoch}" in the path is replaced by
/// the epoch number. With <paramref name="weightsOnly"/> it writes just the weights file.
/// </summary>
public sealed class ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto,
    bool weightsOnly = false) : Callback
{
    private readonly Monitor _monitor = new(monitor, mode, 0);

    public string Path { get; } = string.IsNullOrWhiteSpace(path) ? throw new ArgumentException("A checkpoint path is required.", nameof(path)) : path;
    /// <summary>Every file written, in order.</summary>
    public List<string> Written { get; } = [];

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        if (saveBestOnly && !_monitor.Improved(log, nameof(ModelCheckpoint))) return;
        if (context.Model.Distribution is { IsRoot: false }) return; // every rank holds the same weights: rank 0 alone writes
        string file = Path.Replace("{epoch}", log.Epoch.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (weightsOnly) context.Model.SaveWeights(file);
        else context.Model.SaveCheckpoint(file, context.Optimizer, log.Epoch);
        Written.Add(file);
    }
}
