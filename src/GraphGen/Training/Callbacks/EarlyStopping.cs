namespace GraphGen.Training;

/// <summary>
/// Stops training when <see cref="Monitor"/> has not improved by more than minDelta for <paramref name="patience"/>
/// epochs; with restoreBestWeights the model ends with the weights of its best epoch, as Keras.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, MonitorMode mode = MonitorMode.Auto,
    bool restoreBestWeights = false) : Callback
{
    private readonly Monitor _monitor = new(monitor, mode, Math.Abs(minDelta));
    private float[][]? _bestWeights;
    private int _wait;

    public string Monitor => _monitor.Key;
    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be ≥ 0.");
    /// <summary>The epoch training stopped after, or 0 if it ran to the end.</summary>
    public int StoppedEpoch { get; private set; }
    public int BestEpoch => _monitor.BestEpoch;

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        if (_monitor.Improved(log, nameof(EarlyStopping)))
        {
            _wait = 0;
            if (restoreBestWeights) _bestWeights = context.Model.Weights.Select(p => p.Data.ToArray()).ToArray();
            return;
        }
        if (++_wait <= Patience) return;
        StoppedEpoch = log.Epoch;
        context.Stop($"{Monitor} has not improved on {_monitor.Best:G6} (epoch {BestEpoch}) for {_wait} epochs");
    }

    public override void OnTrainEnd(TrainingContext context, History history)
    {
        if (!restoreBestWeights || _bestWeights is null || StoppedEpoch == 0) return;
        for (int i = 0; i < _bestWeights.Length; i++) _bestWeights[i].CopyTo(context.Model.Weights[i].Data, 0);
    }
}
