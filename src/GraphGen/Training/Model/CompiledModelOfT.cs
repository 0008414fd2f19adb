using System.ComponentModel;
using GraphGen.Cpu;

namespace GraphGen.Training;

/// <summary>
/// A generated model trained against targets of type <typeparamref name="TTarget"/> (int class labels for sparse
/// categorical cross-entropy, float targets for every other loss): gradients, training steps, evaluation and
/// <see cref="Fit"/>. The generated half supplies the fused <see cref="ForwardBackward"/>.
/// </summary>
public abstract partial class CompiledModel<TTarget> : CompiledModel where TTarget : unmanaged
{
    // As in CompiledModel, [EditorBrowsable(Never)] marks the hooks only the generated half calls or overrides.
    private Optimizer? _optimizer;
    private Metric<TTarget>[] _metrics;

    [EditorBrowsable(EditorBrowsableState.Never)]
    protected CompiledModel(int inputWidth, int outputWidth, LossFunction<TTarget> loss, int[]? inputWidths = null, int[]? inputShape = null)
        : base(inputWidth, outputWidth, inputWidths, inputShape)
    {
        LossFunction = loss ?? throw new ArgumentNullException(nameof(loss));
        _metrics = loss.DefaultMetrics(outputWidth);
    }

    /// <summary>The loss the model was declared with, evaluated from its outputs.</summary>
    public LossFunction<TTarget> LossFunction { get; }

    /// <summary>Target values per sample: 1 label, or one target per output.</summary>
    public int TargetsPerSample => LossFunction.TargetsPerSample(OutputWidth);

    /// <summary>The optimizer <see cref="Fit"/> uses when given none: RMSprop with Keras's defaults until set.</summary>
    public Optimizer Optimizer
    {
        get => _optimizer ??= new RmsProp();
        set => _optimizer = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The metrics Fit and Evaluate report beside the loss (Keras's <c>compile(metrics=…)</c>); by default accuracy, or mae and mse.</summary>
    public IReadOnlyList<Metric<TTarget>> Metrics
    {
        get => _metrics;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var names = value.Select(m => m.Name).ToList();
            var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1 || g.Key == "loss");
            if (duplicate is not null) throw new ArgumentException($"Metric name '{duplicate.Key}' is used twice (or clashes with the loss).", nameof(value));
            _metrics = value.ToArray();
        }
    }

    /// <summary>Forward, loss and backward: fills every <see cref="Parameter.Gradient"/>, returns the mean loss.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract float ForwardBackward(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int batch);
    /// <summary>The model output computed by the last <see cref="ForwardBackward"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract ReadOnlySpan<float> TrainingOutput(int batch);

    /// <summary>
    /// The loss on one batch and d loss / d parameter in every <see cref="Parameter.Gradient"/>, without updating
    /// anything: <c>tape.gradient(loss, model.weights)</c>.
    /// </summary>
    public float ComputeGradients(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets)
    {
        using var _ = Enter(changesModel: true);
        int batch = CheckBatch(x, targets);
        if (Placement is { } placement)
        {
            UploadBatch(placement, x, targets, batch);
            float placedLoss = placement.ForwardBackward(batch, DropoutState); // the gradients come home when read
            DropoutStep++;
            return placedLoss;
        }
        EnsureCapacity(batch);
        float loss = ForwardBackward(x, targets, batch);
        DropoutStep++;
        return loss;
    }

    /// <summary>One training step on one batch: forward, loss, backward, update. Returns the batch's mean loss.</summary>
    public float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, Optimizer? optimizer = null)
    {
        using var _ = Enter(changesModel: true);
        optimizer ??= Optimizer;
        int batch = CheckBatch(x, targets);
        if (Placement is { } placement)
        {
            UploadBatch(placement, x, targets, batch);
            float placedLoss = placement.TrainStep(batch, optimizer, DropoutState);
            DropoutStep++;
            return placedLoss;
        }
        EnsureCapacity(batch);
        return ForwardBackwardUpdate(x, targets, batch, optimizer);
    }

    /// <summary>
    /// Forward, loss, backward and update as one optimizer step. The step opens before the kernels run, so a learning
    /// rate that is not a finite number ≥ 0 throws with every weight untouched; an exception inside the kernels abandons
    /// the step uncounted, and every weight keeps its value (the update runs only after the whole backward pass).
    /// </summary>
    private protected float ForwardBackwardUpdate(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int batch, Optimizer optimizer)
    {
        optimizer.BeginStep(TrainableWeights);
        float loss;
        try
        {
            loss = ForwardBackward(x, targets, batch);
        }
        catch
        {
            optimizer.AbandonStep();
            throw;
        }
        optimizer.EndStep();
        DropoutStep++;
        return loss;
    }

    /// <summary>Mean loss and every metric over a data set, in batches.</summary>
    /// <param name="batchSize">Rows per forward pass; by default 1,024, or every row at once for a model that <see cref="CompiledModel.MixesBatchRows"/>.</param>
    public Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int? batchSize = null)
    {
        using var _ = Enter();
        int rows = CheckBatch(x, targets);
        int size = InferenceBatch(rows, batchSize);
        double loss = ActiveDistribution(nameof(Evaluate)) is { } distribution && !MixesBatchRows ? EvaluateDistributed(distribution, x, targets, rows, size)
            : EvaluateCore(x, targets, rows, size);
        return new Evaluation(loss, _metrics.ToDictionary(m => m.Name, m => m.Result), rows);
    }

    /// <summary>
    /// Runs the data through in batches, leaving each metric's result in it; returns the mean loss. On a device the
    /// inputs go up once per call (or are already there: <paramref name="onDevice"/>, Fit's validation data), and only
    /// each batch's outputs come back, to be scored here: they are small beside the inputs.
    /// </summary>
    private double EvaluateCore(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int rows, int batchSize, Ilgpu.IlgpuResidentInput? onDevice = null)
    {
        var placement = Placement;
        Ilgpu.IlgpuResidentInput? uploaded = null;
        if (placement is null) EnsureCapacity(Math.Min(rows, batchSize));
        else
        {
            placement.EnsureOnDevice();
            placement.EnsureCapacity(Math.Min(rows, batchSize));
            onDevice ??= uploaded = placement.UploadInputs(x[..(rows * InputWidth)], InputWidth);
        }
        try
        {
            foreach (var metric in _metrics) metric.Reset();
            double lossSum = 0;
            int perSample = TargetsPerSample;
            for (int start = 0; start < rows; start += batchSize)
            {
                int batch = Math.Min(batchSize, rows - start);
                ReadOnlySpan<float> output = placement is null ? Forward(x.Slice(start * InputWidth, batch * InputWidth), batch)
                    : placement.ForwardToHost(onDevice!, start, batch, OutputWidth);
                var batchTargets = targets.Slice(start * perSample, batch * perSample);
                lossSum += LossFunction.Sum(output, batchTargets, batch, OutputWidth);
                foreach (var metric in _metrics) metric.Update(output, batchTargets, batch, OutputWidth);
            }
            return lossSum / rows;
        }
        finally
        {
            uploaded?.Dispose();
        }
    }

    private protected override (int Width, bool Labels) DeviceTargets()
        => typeof(TTarget) == typeof(int) ? (1, true)
        : typeof(TTarget) == typeof(float) ? (TargetsPerSample, false)
        : throw new NotSupportedException($"{GetType().Name}'s targets are {typeof(TTarget).Name}; a device step holds float targets or int labels.");

    /// <summary>A batch from the host → the device step, which grows to hold it and takes any newer host weights first.</summary>
    private static void UploadBatch(Ilgpu.IlgpuPlacement placement, ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int batch)
    {
        placement.EnsureOnDevice();
        placement.EnsureCapacity(batch);
        placement.UploadBatch(x, targets);
    }

    private int CheckBatch(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets)
    {
        int rows = RowsOf(x, nameof(x));
        if (targets.Length != (long)rows * TargetsPerSample)
            throw new ArgumentException($"'{nameof(targets)}' holds {targets.Length} values; {rows} rows of x need {(long)rows * TargetsPerSample} ({TargetsPerSample} per row for {LossFunction.Name}).", nameof(targets));
        CheckFinite(x, nameof(x));
        LossFunction.CheckTargets(targets, OutputWidth, nameof(targets));
        return rows;
    }
}
