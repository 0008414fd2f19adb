namespace GraphGen.Training;

/// <summary>
/// Hooks into <c>Fit</c>, as Keras's callbacks. Every hook runs on the training thread between batches, so a
/// callback may save, load or evaluate the model through <see cref="TrainingContext.Model"/>.
/// </summary>
public abstract class Callback
{
    public virtual void OnTrainBegin(TrainingContext context) { }
    public virtual void OnEpochBegin(TrainingContext context, int epoch) { }
    public virtual void OnBatchEnd(TrainingContext context, in BatchEnd batch) { }
    public virtual void OnEpochEnd(TrainingContext context, EpochLog log) { }
    public virtual void OnTrainEnd(TrainingContext context, History history) { }
}

/// <summary>What a callback sees of the run: the model, its optimizer, the plan, and a way to stop.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(CompiledModel model, Optimizer optimizer, int epochs, int stepsPerEpoch, bool hasValidation, Func<double> runningLoss, Func<IEnumerable<(string, double)>> runningMetrics)
    {
        Model = model;
        Optimizer = optimizer;
        Epochs = epochs;
        StepsPerEpoch = stepsPerEpoch;
        HasValidation = hasValidation;
        _runningLoss = runningLoss;
        _runningMetrics = runningMetrics;
    }

    private readonly Func<double> _runningLoss;
    private readonly Func<IEnumerable<(string, double)>> _runningMetrics;

    public CompiledModel Model { get; }
    public Optimizer Optimizer { get; }
    /// <summary>The last epoch Fit will run (epochs are numbered from 1).</summary>
    public int Epochs { get; }
    public int StepsPerEpoch { get; }
    public bool HasValidation { get; }
    /// <summary>The epoch running now (from 1).</summary>
    public int Epoch { get; internal set; }
    /// <summary>Set to end training after the current batch.</summary>
    public bool StopTraining { get; set; }
    /// <summary>Why training stopped early, for the log (set with <see cref="StopTraining"/>).</summary>
    public string? StopReason { get; set; }

    /// <summary>The mean loss over the current epoch's batches so far.</summary>
    public double RunningLoss => _runningLoss();
    /// <summary>The training metrics over the current epoch's batches so far.</summary>
    public IEnumerable<(string Name, double Value)> RunningMetrics => _runningMetrics();

    public void Stop(string reason)
    {
        StopTraining = true;
        StopReason = reason;
    }
}

/// <summary>A callback from delegates, for one-off hooks (Keras's LambdaCallback).</summary>
public sealed class LambdaCallback(Action<BatchEnd>? onBatchEnd = null, Action<EpochLog>? onEpochEnd = null) : Callback
{
    public override void OnBatchEnd(TrainingContext context, in BatchEnd batch) => onBatchEnd?.Invoke(batch);
    public override void OnEpochEnd(TrainingContext context, EpochLog log) => onEpochEnd?.Invoke(log);
}
