using System.Globalization;

namespace GraphGen.Training;

/// <summary>Stops training at the first batch whose loss is NaN or infinite, naming the epoch and step.</summary>
public sealed class TerminateOnNaN : Callback
{
    public override void OnBatchEnd(TrainingContext context, in BatchEnd batch)
    {
        if (!float.IsFinite(batch.Loss))
            context.Stop($"the loss became {batch.Loss} at epoch {batch.Epoch}, step {batch.Batch + 1}/{batch.BatchesPerEpoch}");
    }
}

/// <summary>Sets the optimizer's learning rate at the start of each epoch from (epoch from 0, current rate) → rate.</summary>
public sealed class LearningRateScheduler(Func<int, float, float> schedule) : Callback
{
    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        float rate = schedule(epoch - 1, context.Optimizer.CurrentLearningRate);
        context.Optimizer.LearningRate = rate;
    }
}

/// <summary>Appends one CSV row per epoch (epoch from 0, then every logged key, as Keras's CSVLogger).</summary>
public sealed class CsvLogger(string path, bool append = false, char separator = ',') : Callback
{
    private string[]? _keys;

    public string Path { get; } = path;

    public override void OnTrainBegin(TrainingContext context)
    {
        _keys = null;
        if (!append && File.Exists(Path)) File.Delete(Path);
    }

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        bool header = _keys is null && (!File.Exists(Path) || new FileInfo(Path).Length == 0);
        _keys ??= log.Values.Keys.Order(StringComparer.Ordinal).ToArray();
        using var writer = new StreamWriter(Path, append: true);
        if (header) writer.WriteLine("epoch" + separator + string.Join(separator, _keys));
        writer.WriteLine((log.Epoch - 1).ToString(CultureInfo.InvariantCulture) + separator +
            string.Join(separator, _keys.Select(k => log.TryGetValue(k, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")));
    }
}
