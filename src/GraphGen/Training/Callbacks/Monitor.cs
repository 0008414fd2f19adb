namespace GraphGen.Training;

/// <summary>Which way a monitored value improves; Auto reads it from the name (accuracy up, everything else down).</summary>
public enum MonitorMode { Auto, Min, Max }

/// <summary>Tracks the best value of one logged key across epochs (EarlyStopping, ModelCheckpoint).</summary>
internal sealed class Monitor(string key, MonitorMode mode, double minDelta)
{
    private readonly bool _maximize = mode == MonitorMode.Max || mode == MonitorMode.Auto && key.Contains("acc", StringComparison.Ordinal);

    public string Key { get; } = key ?? throw new ArgumentNullException(nameof(key));
    public double Best { get; private set; } = double.NaN;
    public int BestEpoch { get; private set; }

    /// <summary>Reads the key from the log; true when it beats the best so far by more than minDelta.</summary>
    public bool Improved(EpochLog log, string callback)
    {
        if (!log.TryGetValue(Key, out double value))
            throw new InvalidOperationException($"{callback} monitors '{Key}', which this run does not log; it logs: {string.Join(", ", log.Values.Keys)}. " +
                "Pass validation data for val_* keys, or monitor another key.");
        bool better = double.IsNaN(Best) || (_maximize ? value > Best + minDelta : value < Best - minDelta);
        if (better && !double.IsNaN(value))
        {
            Best = value;
            BestEpoch = log.Epoch;
        }
        return better && !double.IsNaN(value);
    }
}
