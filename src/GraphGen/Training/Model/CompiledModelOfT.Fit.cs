using System.Diagnostics;
using System.Runtime.CompilerServices;
using GraphGen.Cpu;

namespace GraphGen.Training;

public abstract partial class CompiledModel<TTarget>
{
    /// <summary>
    /// Trains as Keras's <c>fit</c>: mini-batches of <paramref name="batchSize"/> (the last one partial), shuffled
    /// each epoch with the model's seed; after each epoch the loss and metrics over the epoch's batches and, with
    /// validation data, val_loss and val_* — all in the returned <see cref="History"/>.
    /// </summary>
    /// <param name="optimizer">Becomes the model's <see cref="Optimizer"/>; by default the model's own (RMSprop until set).</param>
    /// <param name="validationSplit">The fraction of the data, taken from its end before any shuffling, held out for validation.</param>
    /// <param name="validationData">Held-out data scored after every epoch (instead of a split).</param>
    /// <param name="verbose">0 silent, 1 progress bar (one line per epoch when output is redirected), 2 one line per epoch.</param>
    /// <remarks>
    /// A NaN or infinite batch loss stops training at that step, naming the epoch and step in
    /// <see cref="History.StopReason"/> (Keras's TerminateOnNaN, on by default here; see <see cref="StopOnNonFiniteLoss"/>).
    /// </remarks>
    /// <param name="initialEpoch">Epochs already done (resuming from a checkpoint): training runs epochs initialEpoch+1 … epochs.</param>
    public History Fit(float[] x, TTarget[] y, int epochs = 1, int batchSize = 32, Optimizer? optimizer = null,
        double validationSplit = 0, (float[] X, TTarget[] Y)? validationData = null, bool shuffle = true,
        IEnumerable<Callback>? callbacks = null, int verbose = 1, int initialEpoch = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "Verbose is 0 (silent), 1 (progress bar) or 2 (one line per epoch).");
        if (!(validationSplit >= 0 && validationSplit < 1)) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "The validation split must be in [0, 1).");
        if (validationSplit > 0 && validationData is not null) throw new ArgumentException("Pass validationSplit or validationData, not both.", nameof(validationData));
        using var _ = Enter(changesModel: true);
        if (optimizer is not null) Optimizer = optimizer;
        optimizer = Optimizer;

        int rows = CheckBatch(x, y);
        int perSample = TargetsPerSample;
        int trainRows = rows;
        float[]? validationX = validationData?.X;
        TTarget[]? validationY = validationData?.Y;
        if (validationSplit > 0)
        {
            int held = (int)(rows * validationSplit);
            if (held == 0 || held == rows) throw new ArgumentException($"A split of {validationSplit} of {rows} samples leaves {rows - held} to train on and {held} to validate on.", nameof(validationSplit));
            trainRows = rows - held;
            validationX = x[(trainRows * InputWidth)..];
            validationY = y[(trainRows * perSample)..];
        }
        int validationRows = validationX is null ? 0 : CheckBatch(validationX, validationY!);

        int batchRows = Math.Min(batchSize, trainRows);
        // On a device the training set goes up once; each batch is gathered there, and only its loss (and, for the
        // metrics, its outputs) comes back.
        // The validation inputs likewise go up once per Fit, and each epoch's scoring runs from there.
        var placement = Placement;
        Ilgpu.IlgpuResidentInput? validationOnDevice = null;
        if (placement is null) EnsureCapacity(batchRows);
        else
        {
            placement.EnsureOnDevice();
            placement.EnsureCapacity(batchRows);
            placement.UploadTrainingSet<TTarget>(x.AsSpan(0, trainRows * InputWidth), y.AsSpan(0, trainRows * perSample), trainRows);
        }
        try
        {
            if (placement is not null && validationRows > 0) validationOnDevice = placement.UploadInputs(validationX.AsSpan(0, validationRows * InputWidth), InputWidth);
            return FitEpochs(x, y, epochs, batchSize, optimizer, trainRows, validationX, validationY, validationRows, shuffle, callbacks, verbose, initialEpoch, placement, validationOnDevice);
        }
        finally
        {
            validationOnDevice?.Dispose();
            placement?.ReleaseTrainingSet();
        }
    }

    // Compiled optimised at its first call: tiered compilation otherwise ran its loop unoptimised, then recompiled it
    // on the stack (OSR, 59 ms of JIT inside the first epoch, measured with the runtime's JIT events) and once more.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private History FitEpochs(float[] x, TTarget[] y, int epochs, int batchSize, Optimizer optimizer, int trainRows, float[]? validationX,
        TTarget[]? validationY, int validationRows, bool shuffle, IEnumerable<Callback>? callbacks, int verbose, int initialEpoch, Ilgpu.IlgpuPlacement? placement,
        Ilgpu.IlgpuResidentInput? validationOnDevice)
    {
        int perSample = TargetsPerSample;
        int batchRows = Math.Min(batchSize, trainRows);
        var distribution = BeginDistributedFit();
        var order = Enumerable.Range(0, trainRows).ToArray();
        var batchX = placement is null ? new float[batchRows * InputWidth] : [];
        var batchY = new TTarget[batchRows * perSample];
        int batches = (trainRows + batchSize - 1) / batchSize;
        double lossSum = 0;
        int seen = 0;
        var all = new List<Callback>(callbacks ?? []);
        // First, so no later callback sees a step past the first non-finite loss.
        if (StopOnNonFiniteLoss && !all.OfType<TerminateOnNaN>().Any()) all.Insert(0, new TerminateOnNaN());
        if (verbose > 0 && distribution is not { IsRoot: false }) all.Insert(0, new ProgressLogger(verbose)); // rank 0 alone prints
        var context = new TrainingContext(this, optimizer, epochs, batches, validationRows > 0,
            () => seen == 0 ? double.NaN : lossSum / seen, () => _metrics.Select(m => (m.Name, m.Result)));
        var logs = new List<EpochLog>();

        foreach (var callback in all) callback.OnTrainBegin(context);
        for (int epoch = initialEpoch + 1; epoch <= epochs && !context.StopTraining; epoch++)
        {
            context.Epoch = epoch;
            foreach (var callback in all) callback.OnEpochBegin(context, epoch);
            float learningRate = optimizer.CurrentLearningRate;
            var clock = Stopwatch.StartNew();
            // Each epoch shuffles the identity afresh, so an epoch's order depends only on the random state, which a
            // checkpoint holds: a resumed run sees the batches the uninterrupted one would have.
            if (shuffle)
            {
                for (int i = 0; i < order.Length; i++) order[i] = i;
                Shuffle.Shuffle(order);
            }
            placement?.UploadOrder(order);
            foreach (var metric in _metrics) metric.Reset();
            (lossSum, seen) = (0, 0);
            int steps = 0;
            for (int b = 0; b < batches && !context.StopTraining; b++, steps++)
            {
                int start = b * batchSize, batch = Math.Min(batchSize, trainRows - start);
                var ys = batchY.AsSpan(0, batch * perSample);
                float loss;
                int scored = batch; // the rows this process scores for the metrics: its shard in a distributed run
                if (distribution is not null)
                {
                    loss = DistributedStep(distribution, x, y, order.AsSpan(start, batch), batchX, batchY, optimizer, epoch, b, out scored);
                    ys = batchY.AsSpan(0, scored * perSample);
                }
                else if (placement is null)
                {
                    Gather(x, y, order.AsSpan(start, batch), batchX, batchY);
                    loss = ForwardBackwardUpdate(batchX.AsSpan(0, batch * InputWidth), ys, batch, optimizer);
                }
                else
                {
                    placement.EnsureOnDevice(); // a callback may have read (and changed) the weights
                    placement.GatherBatch(start, batch, InputWidth, perSample);
                    loss = placement.TrainStep(batch, optimizer, DropoutState);
                    DropoutStep++; // as ForwardBackwardUpdate counts a step on the CPU
                    if (_metrics.Length > 0) GatherTargets(y, order.AsSpan(start, batch), batchY);
                }
                lossSum += (double)loss * batch;
                seen += batch;
                if (_metrics.Length > 0 && scored > 0)
                {
                    var output = placement is null ? TrainingOutput(scored) : placement.TrainingOutputToHost(batch, OutputWidth);
                    foreach (var metric in _metrics) metric.Update(output, ys, scored, OutputWidth);
                }
                var end = new BatchEnd(epoch, b, batches, batch, loss);
                foreach (var callback in all) callback.OnBatchEnd(context, end);
            }

            if (distribution is not null) ReduceMetrics(distribution, []);
            var values = new Dictionary<string, double> { ["loss"] = lossSum / seen };
            foreach (var metric in _metrics) values[metric.Name] = metric.Result;
            if (validationRows > 0)
            {
                values["val_loss"] = distribution is null ? EvaluateCore(validationX, validationY, validationRows, InferenceBatch(validationRows, null), validationOnDevice)
                    : EvaluateDistributed(distribution, validationX, validationY, validationRows, InferenceBatch(validationRows, null));
                foreach (var metric in _metrics) values["val_" + metric.Name] = metric.Result;
            }
            var log = new EpochLog(epoch, clock.Elapsed.TotalSeconds, steps, learningRate, values);
            logs.Add(log);
            foreach (var callback in all) callback.OnEpochEnd(context, log);
        }
        var history = new History(logs, context.StopTraining ? context.StopReason : null);
        foreach (var callback in all) callback.OnTrainEnd(context, history);
        return history;
    }

    /// <summary>
    /// Whether Fit stops at the first NaN or infinite batch loss (true by default): the weights are poisoned from that
    /// step on, so training on would only waste time. Set false to train on regardless.
    /// </summary>
    public bool StopOnNonFiniteLoss { get; set; } = true;

    private void GatherTargets(TTarget[] targets, ReadOnlySpan<int> rows, TTarget[] batchY)
    {
        int t = TargetsPerSample;
        for (int i = 0; i < rows.Length; i++) targets.AsSpan(rows[i] * t, t).CopyTo(batchY.AsSpan(i * t));
    }

    private void Gather(float[] x, TTarget[] targets, ReadOnlySpan<int> rows, float[] batchX, TTarget[] batchY)
    {
        RowGatherJob.Run(x, rows, InputWidth, batchX);
        GatherTargets(targets, rows, batchY);
    }
}
