using System.Diagnostics;

namespace GraphGen.Training;

/// <summary>
/// The runtime half of every generated model: argument checks, batching, shuffling, the training loop and
/// evaluation. The generated half supplies the kernels (<see cref="Forward"/>, <see cref="ForwardBackward"/>)
/// and the buffers they use. One model instance runs one call at a time: a second thread calling in while it
/// runs gets an <see cref="InvalidOperationException"/> rather than corrupted buffers.
/// </summary>
/// <typeparam name="TTarget">int class labels for classifiers, float targets for regression.</typeparam>
public abstract class CompiledModel<TTarget> where TTarget : unmanaged
{
    private const int DefaultInferenceBatch = 1024;
    private int _capacity;
    private int _busy;
    private DenseLayer[] _layers = [];
    private Parameter[] _weights = [];
    private SeededRandom _shuffle = new(0);

    protected CompiledModel(int inputWidth, int outputWidth)
    {
        InputWidth = inputWidth;
        OutputWidth = outputWidth;
    }

    /// <summary>Features per input sample.</summary>
    public int InputWidth { get; }
    /// <summary>Values per output row (classes, or regression outputs).</summary>
    public int OutputWidth { get; }
    public IReadOnlyList<DenseLayer> Layers => _layers;
    /// <summary>Every trainable tensor in graph order: per layer its weight, then its bias.</summary>
    public IReadOnlyList<Parameter> Weights => _weights;
    public long ParameterCount => _weights.Sum(p => (long)p.Length);

    /// <summary>Target values per sample: 1 label, or one target per output.</summary>
    protected abstract int TargetsPerSample { get; }
    protected abstract void AllocateBuffers(int rows);
    /// <summary>Runs the model on <paramref name="batch"/> rows of x; returns (batch, outputs).</summary>
    protected abstract ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch);
    /// <summary>Forward, loss and backward: fills every <see cref="Parameter.Gradient"/>, returns the mean loss.</summary>
    protected abstract float ForwardBackward(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int batch);
    /// <summary>The model output computed by the last <see cref="ForwardBackward"/>.</summary>
    protected abstract ReadOnlySpan<float> TrainingOutput(int batch);
    /// <summary>Throws if a target is not valid for this model (a label out of range, a non-finite value).</summary>
    protected abstract void CheckTargets(ReadOnlySpan<TTarget> targets, string parameterName);
    /// <summary>Sum of the per-sample losses of a batch, from the model output (Evaluate).</summary>
    protected abstract double LossSum(ReadOnlySpan<float> output, ReadOnlySpan<TTarget> targets, int batch);
    /// <summary>Whether accuracy means something for this model (classifiers) or not (regression).</summary>
    protected abstract bool HasAccuracy { get; }
    /// <summary>Correct predictions in a batch; called only where <see cref="HasAccuracy"/>.</summary>
    protected abstract long CountCorrect(ReadOnlySpan<float> output, ReadOnlySpan<TTarget> targets, int batch);

    /// <summary>Creates the layers' parameters: weights from one seeded stream, layer by layer, then biases.</summary>
    protected void InitializeLayers(DenseLayer[] layers, int seed, Initializer? weightInitializer, Initializer? biasInitializer)
    {
        _layers = layers;
        _weights = layers.SelectMany(l => new[] { l.Weight, l.Bias }).ToArray();
        var random = new SeededRandom((ulong)(uint)seed);
        foreach (var layer in layers)
        {
            (weightInitializer ?? Initializer.GlorotUniform).Fill(layer.Weight.Data, layer.Inputs, layer.Units, random);
            (biasInitializer ?? Initializer.Zeros).Fill(layer.Bias.Data, layer.Inputs, layer.Units, random);
        }
        _shuffle = new SeededRandom(((ulong)(uint)seed << 32) ^ 0x5851F42D4C957F2DUL);
    }

    /// <summary>
    /// The loss on one batch and d loss / d parameter in every <see cref="Parameter.Gradient"/>, without updating
    /// anything: <c>tape.gradient(loss, model.weights)</c>.
    /// </summary>
    public float ComputeGradients(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets)
    {
        using var _ = Enter();
        int batch = CheckBatch(x, targets);
        return ForwardBackwardChecked(x, targets, batch);
    }

    /// <summary>One training step on one batch: forward, loss, backward, update. Returns the batch's mean loss.</summary>
    public float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var _ = Enter();
        int batch = CheckBatch(x, targets);
        float loss = ForwardBackwardChecked(x, targets, batch);
        optimizer.Step(_weights);
        return loss;
    }

    /// <summary>Model outputs (probabilities for classifiers) for every row of x, (rows, outputs).</summary>
    public float[] Predict(ReadOnlySpan<float> x, int batchSize = DefaultInferenceBatch)
    {
        var output = new float[RowsOf(x, nameof(x)) * (long)OutputWidth];
        Predict(x, output, batchSize);
        return output;
    }

    /// <summary>Writes the model outputs for every row of x into <paramref name="output"/>, working in batches.</summary>
    public void Predict(ReadOnlySpan<float> x, Span<float> output, int batchSize = DefaultInferenceBatch)
    {
        using var _ = Enter();
        int rows = RowsOf(x, nameof(x));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (output.Length < (long)rows * OutputWidth)
            throw new ArgumentException($"Output holds {output.Length} values; {rows} rows × {OutputWidth} outputs need {(long)rows * OutputWidth}.", nameof(output));
        EnsureCapacity(Math.Min(rows, batchSize));
        for (int start = 0; start < rows; start += batchSize)
        {
            int batch = Math.Min(batchSize, rows - start);
            Forward(x.Slice(start * InputWidth, batch * InputWidth), batch).CopyTo(output.Slice(start * OutputWidth, batch * OutputWidth));
        }
    }

    /// <summary>Mean loss and (classifiers) accuracy over a data set, in batches.</summary>
    public Evaluation Evaluate(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int batchSize = DefaultInferenceBatch)
    {
        using var _ = Enter();
        int rows = CheckBatch(x, targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        EnsureCapacity(Math.Min(rows, batchSize));
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < rows; start += batchSize)
        {
            int batch = Math.Min(batchSize, rows - start);
            var output = Forward(x.Slice(start * InputWidth, batch * InputWidth), batch);
            var batchTargets = targets.Slice(start * TargetsPerSample, batch * TargetsPerSample);
            lossSum += LossSum(output, batchTargets, batch);
            if (HasAccuracy) correct += CountCorrect(output, batchTargets, batch);
        }
        return new Evaluation(lossSum / rows, HasAccuracy ? (double)correct / rows : null, rows);
    }

    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over the data in mini-batches of <paramref name="batchSize"/>
    /// (the last one partial), shuffled each epoch with the model's seed. Default optimizer: SGD, lr 0.01.
    /// </summary>
    public History Fit(float[] x, TTarget[] targets, int epochs, int batchSize, Optimizer? optimizer = null, bool shuffle = true,
        Action<BatchEnd>? onBatchEnd = null, Action<EpochEnd>? onEpochEnd = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        optimizer ??= new Sgd();
        using var _ = Enter();
        int rows = CheckBatch(x, targets);
        int batchRows = Math.Min(batchSize, rows);
        EnsureCapacity(batchRows);
        var order = Enumerable.Range(0, rows).ToArray();
        var batchX = new float[batchRows * InputWidth];
        var batchY = new TTarget[batchRows * TargetsPerSample];
        int batches = (rows + batchSize - 1) / batchSize;
        var history = new List<EpochEnd>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            if (shuffle) _shuffle.Shuffle(order);
            double lossSum = 0;
            long correct = 0;
            for (int b = 0; b < batches; b++)
            {
                int start = b * batchSize, batch = Math.Min(batchSize, rows - start);
                Gather(x, targets, order.AsSpan(start, batch), batchX, batchY);
                var xs = batchX.AsSpan(0, batch * InputWidth);
                var ys = batchY.AsSpan(0, batch * TargetsPerSample);
                float loss = ForwardBackward(xs, ys, batch);
                optimizer.Step(_weights);
                lossSum += (double)loss * batch;
                if (HasAccuracy) correct += CountCorrect(TrainingOutput(batch), ys, batch);
                onBatchEnd?.Invoke(new BatchEnd(epoch, b, batches, batch, loss));
            }
            var end = new EpochEnd(epoch, lossSum / rows, HasAccuracy ? (double)correct / rows : null, clock.Elapsed.TotalSeconds, batches);
            history.Add(end);
            onEpochEnd?.Invoke(end);
        }
        return new History(history);
    }

    private void Gather(float[] x, TTarget[] targets, ReadOnlySpan<int> rows, float[] batchX, TTarget[] batchY)
    {
        int t = TargetsPerSample;
        for (int i = 0; i < rows.Length; i++)
        {
            x.AsSpan(rows[i] * InputWidth, InputWidth).CopyTo(batchX.AsSpan(i * InputWidth));
            targets.AsSpan(rows[i] * t, t).CopyTo(batchY.AsSpan(i * t));
        }
    }

    private float ForwardBackwardChecked(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int batch)
    {
        EnsureCapacity(batch);
        return ForwardBackward(x, targets, batch);
    }

    private void EnsureCapacity(int rows)
    {
        if (rows <= _capacity) return;
        AllocateBuffers(rows);
        _capacity = rows;
    }

    private int RowsOf(ReadOnlySpan<float> x, string name)
    {
        if (x.Length == 0 || x.Length % InputWidth != 0)
            throw new ArgumentException($"'{name}' holds {x.Length} values, which is not a positive whole number of rows of {InputWidth} features.", name);
        return x.Length / InputWidth;
    }

    private int CheckBatch(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets)
    {
        int rows = RowsOf(x, nameof(x));
        if (targets.Length != (long)rows * TargetsPerSample)
            throw new ArgumentException($"'{nameof(targets)}' holds {targets.Length} values; {rows} rows need {(long)rows * TargetsPerSample}.", nameof(targets));
        CheckTargets(targets, nameof(targets));
        return rows;
    }

    private BusyScope Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException($"{GetType().Name} is already running a call on another thread; a model instance runs one call at a time.");
        return new BusyScope(this);
    }

    private readonly struct BusyScope(CompiledModel<TTarget> model) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref model._busy, 0);
    }
}
