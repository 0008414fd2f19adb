using System.ComponentModel;
using GraphGen.Cpu;

namespace GraphGen.Training;

/// <summary>
/// What every generated model shares, whatever its targets: shapes, parameters, their initialisation, inference
/// and weight files. The generated half supplies <see cref="Forward"/> and the buffers it uses. One model instance
/// runs one call at a time: Predict, Evaluate and SaveWeights from several threads take turns; a call that changes
/// the model (Fit, TrainStep, ComputeGradients, loading) is refused with an <see cref="InvalidOperationException"/>
/// while another thread runs a call, and refuses theirs while it runs (callbacks run on the training thread and may
/// call in).
/// </summary>
public abstract partial class CompiledModel : ITensorHost
{
    // Members marked [EditorBrowsable(Never)] are the generated half's: it calls or overrides them, a user does not, so
    // IntelliSense on a model shows Fit, Predict, Evaluate, … alone.
    internal const int DefaultInferenceBatch = 1024;
    private int _capacity;
    // Held by the thread running a call (re-entrant); _writer is that thread's id while its call changes the model.
    private readonly object _gate = new();
    private int _writer;
    private Layer[] _layers = [];
    private Parameter[] _weights = [];
    private Parameter[] _trainable = [];

    /// <param name="inputWidths">For a model of several inputs, the width of each; they arrive side by side in one row (<see cref="PackInputs"/>).</param>
    /// <param name="inputShape">The shape of one sample where it is an image, (height, width, channels); a row holds its values in that (NHWC) order.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected CompiledModel(int inputWidth, int outputWidth, int[]? inputWidths = null, int[]? inputShape = null)
    {
        if (inputShape is not null && (inputShape.Any(d => d <= 0) || inputShape.Aggregate(1L, (p, d) => p * d) != inputWidth))
            throw new ArgumentException($"Input shape ({string.Join(", ", inputShape)}) must be positive and hold {inputWidth} values.", nameof(inputShape));
        InputShape = inputShape ?? [inputWidth];
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        if (inputWidths is not null && (inputWidths.Any(w => w <= 0) || inputWidths.Sum(w => (long)w) != inputWidth))
            throw new ArgumentException($"Input widths ({string.Join(", ", inputWidths)}) must be positive and add up to {inputWidth}.", nameof(inputWidths));
        InputWidth = inputWidth;
        OutputWidth = outputWidth;
        InputWidths = inputWidths ?? [inputWidth];
    }

    /// <summary>Features per input sample (all inputs together): for an image, height × width × channels.</summary>
    public int InputWidth { get; }
    /// <summary>Features of each input, in the order of the [Forward] method's arguments (one entry for a single input).</summary>
    public IReadOnlyList<int> InputWidths { get; }
    /// <summary>The shape of one sample as [Input] declares it: (features), or (height, width, channels), whose values a row holds in that order.</summary>
    public IReadOnlyList<int> InputShape { get; }
    /// <summary>Values per output row (classes, or regression outputs).</summary>
    public int OutputWidth { get; }
    /// <summary>The layers in declaration order (empty for a [Forward] model).</summary>
    public IReadOnlyList<Layer> Layers => _layers;
    /// <summary>
    /// Every tensor of the model in graph order: per layer its weight, then its bias; the non-trainable state (a batch
    /// normalisation's moving statistics, <see cref="Parameter.Trainable"/> false) among them, as Keras's <c>weights</c>. On a device, reading them (or any
    /// parameter's Data or Gradient) brings the weights and the optimizer's state home first: a sync point.
    /// </summary>
    public IReadOnlyList<Parameter> Weights
    {
        get
        {
            SyncForHostRead(gradient: false);
            return _weights;
        }
    }
    public long ParameterCount => _weights.Sum(p => (long)p.Length);

    /// <summary>The weights an optimizer updates (Keras's <c>trainable_weights</c>), in graph order.</summary>
    internal IReadOnlyList<Parameter> TrainableWeights => _trainable;

    /// <summary>The dropout masks' seed, drawn from the model's seed; part of a checkpoint.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected ulong DropoutSeed { get; private set; }

    /// <summary>
    /// Training steps taken (each ForwardBackward counts one): with <see cref="DropoutSeed"/> and each dropout's stream it
    /// fixes that step's masks (<see cref="Cpu.DropoutKernels"/>). Part of a checkpoint, so a resumed run drops what the
    /// uninterrupted one would have.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected long DropoutStep { get; private protected set; }

    /// <summary>The dropout seed and step, for tests that hold a step's masks fixed.</summary>
    internal (ulong Seed, long Step) DropoutState
    {
        get => (DropoutSeed, DropoutStep);
        set => (DropoutSeed, DropoutStep) = value;
    }

    /// <summary>The batch order's random stream; part of a checkpoint so a resumed run shuffles as the first would have.</summary>
    internal SeededRandom Shuffle { get; private set; } = new(0);

    /// <summary>
    /// This model's kernel plan as an ILGPU program (the generated <c>{Model}.ilgpu.g.cs</c>), for a CUDA or CPU
    /// accelerator; null where the plan uses ops that have no ILGPU kernels yet. Each call creates a new program.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected internal virtual GraphGen.Ilgpu.IlgpuProgram? CreateIlgpuProgram() => null;

    /// <summary>
    /// Whether a sample's output depends on the other rows of its batch: the [Forward] body reduces, contracts or
    /// normalises over the batch axis (<c>Op.Mean(h, 0)</c>, hᵀ·h, a softmax over B), which the generator warns of
    /// (GG0118). Predict and Evaluate then run the whole input as one batch unless given a batchSize, so their results
    /// do not depend on an internal chunk size; Fit's depend on its batchSize.
    /// </summary>
    public virtual bool MixesBatchRows => false;

    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract void AllocateBuffers(int rows);
    /// <summary>Runs the model on <paramref name="batch"/> rows of x; returns (batch, outputs).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected abstract ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch);

    /// <summary>
    /// Creates the layers' parameters from one seeded stream, layer by layer, weight then bias. Each tensor uses the
    /// override given here, else the layer's declared initializer, else Keras's default (glorot_uniform, zeros).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void InitializeLayers(Layer[] layers, int seed, Initializer? weightInitializer, Initializer? biasInitializer)
    {
        _layers = layers;
        _weights = layers.SelectMany(l => l.Parameters).ToArray();
        _trainable = _weights.Where(p => p.Trainable).ToArray();
        var random = new SeededRandom((ulong)(uint)seed);
        foreach (var layer in layers) layer.Initialize(random, weightInitializer, biasInitializer);
        Shuffle = new SeededRandom(((ulong)(uint)seed << 32) ^ 0x5851F42D4C957F2DUL);
        DropoutSeed = ((ulong)(uint)seed << 32) ^ 0xD1B54A32D192ED03UL;
    }

    /// <summary>
    /// Creates a [Forward] model's parameters from one seeded stream, in declaration order. Each uses the override
    /// given here (<paramref name="weightInitializer"/> for rank 2 and more, <paramref name="biasInitializer"/> for
    /// vectors and scalars), else its declared initializer, else glorot_uniform (rank 2 and more) or zeros, with
    /// Keras's fans for its shape.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected void InitializeParameters(Parameter[] parameters, int seed, Initializer? weightInitializer, Initializer? biasInitializer)
    {
        _weights = parameters;
        _trainable = parameters.Where(p => p.Trainable).ToArray();
        var random = new SeededRandom((ulong)(uint)seed);
        foreach (var p in parameters)
        {
            bool matrix = p.Rank >= 2;
            var initializer = (matrix ? weightInitializer : biasInitializer) ?? p.Initializer ?? (matrix ? Initializer.GlorotUniform : Initializer.Zeros);
            var (fanIn, fanOut) = Initializer.Fans(p.Shape);
            initializer.Fill(p.Data, fanIn, fanOut, random);
        }
        Shuffle = new SeededRandom(((ulong)(uint)seed << 32) ^ 0x5851F42D4C957F2DUL);
        DropoutSeed = ((ulong)(uint)seed << 32) ^ 0xD1B54A32D192ED03UL;
    }

    /// <summary>
    /// One row per sample of several inputs side by side, as a model of several inputs reads them: each array holds
    /// the same number of rows of its input's width (<see cref="InputWidths"/>).
    /// </summary>
    public float[] PackInputs(params float[][] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length != InputWidths.Count)
            throw new ArgumentException($"{GetType().Name} takes {InputWidths.Count} inputs, not {inputs.Length}.", nameof(inputs));
        int rows = -1;
        for (int i = 0; i < inputs.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], $"inputs[{i}]");
            if (inputs[i].Length % InputWidths[i] != 0)
                throw new ArgumentException($"Input {i} holds {inputs[i].Length} values, not a whole number of rows of {InputWidths[i]}.", nameof(inputs));
            int r = inputs[i].Length / InputWidths[i];
            if (rows >= 0 && r != rows) throw new ArgumentException($"Input {i} has {r} rows but input 0 has {rows}; every input needs one row per sample.", nameof(inputs));
            rows = r;
        }
        var packed = new float[(long)rows * InputWidth];
        for (int r = 0; r < rows; r++)
        {
            int offset = r * InputWidth;
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i].AsSpan(r * InputWidths[i], InputWidths[i]).CopyTo(packed.AsSpan(offset));
                offset += InputWidths[i];
            }
        }
        return packed;
    }

    /// <summary>Model outputs (probabilities for softmax classifiers) for every row of x, (rows, outputs).</summary>
    /// <param name="batchSize">Rows per forward pass; by default 1,024, or every row at once for a model that <see cref="MixesBatchRows"/>.</param>
    public float[] Predict(ReadOnlySpan<float> x, int? batchSize = null)
    {
        var output = new float[RowsOf(x, nameof(x)) * (long)OutputWidth];
        Predict(x, output, batchSize);
        return output;
    }

    /// <summary>Writes the model outputs for every row of x into <paramref name="output"/>, working in batches.</summary>
    /// <param name="batchSize">Rows per forward pass; by default 1,024, or every row at once for a model that <see cref="MixesBatchRows"/>.</param>
    public void Predict(ReadOnlySpan<float> x, Span<float> output, int? batchSize = null)
    {
        using var _ = Enter();
        int rows = RowsOf(x, nameof(x));
        int size = InferenceBatch(rows, batchSize);
        if (output.Length < (long)rows * OutputWidth)
            throw new ArgumentException($"Output holds {output.Length} values; {rows} rows × {OutputWidth} outputs need {(long)rows * OutputWidth}.", nameof(output));
        CheckFinite(x, nameof(x));
        if (ActiveDistribution(nameof(Predict)) is { } distribution && !MixesBatchRows) // a model that mixes rows sees them all on every rank
        {
            PredictDistributed(distribution, x, output, rows, size);
            return;
        }
        if (PredictOnDevice(x, output, rows, size)) return;
        PredictRows(x, output, rows, size);
    }

    private void PredictRows(ReadOnlySpan<float> x, Span<float> output, int rows, int size)
    {
        EnsureCapacity(Math.Min(rows, size));
        for (int start = 0; start < rows; start += size)
        {
            int batch = Math.Min(size, rows - start);
            Forward(x.Slice(start * InputWidth, batch * InputWidth), batch).CopyTo(output.Slice(start * OutputWidth, batch * OutputWidth));
        }
    }

    /// <summary>
    /// The predicted class of every row of x: the arg-max of the outputs, or for a single output, whether it
    /// passes <paramref name="threshold"/> (0.5 for a sigmoid; use 0 for logits).
    /// </summary>
    public int[] PredictClasses(ReadOnlySpan<float> x, float threshold = 0.5f) => PredictClassesWithScores(x, threshold).Classes;

    /// <summary>
    /// <see cref="PredictClasses"/> in the same single forward pass as the output each class was read from (the
    /// predicted class's probability for a softmax model; the single output for a one-output model).
    /// </summary>
    public (int[] Classes, float[] Scores) PredictClassesWithScores(ReadOnlySpan<float> x, float threshold = 0.5f)
    {
        var outputs = Predict(x);
        int rows = outputs.Length / OutputWidth;
        var classes = new int[rows];
        var scores = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            var row = outputs.AsSpan(i * OutputWidth, OutputWidth);
            classes[i] = OutputWidth == 1 ? (row[0] > threshold ? 1 : 0) : Kernels.IndexOfMax(row);
            scores[i] = OutputWidth == 1 ? row[0] : row[classes[i]];
        }
        return (classes, scores);
    }

    /// <summary>
    /// The rows of one forward pass of Predict or Evaluate over <paramref name="rows"/> rows: the size given, else 1,024
    /// (the same outputs in chunks, as rows do not mix), or every row for a model that <see cref="MixesBatchRows"/>.
    /// </summary>
    private protected int InferenceBatch(int rows, int? batchSize)
    {
        if (batchSize is { } size) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(batchSize));
        return batchSize ?? (MixesBatchRows ? rows : DefaultInferenceBatch);
    }

    private protected void EnsureCapacity(int rows)
    {
        if (rows <= _capacity) return;
        try
        {
            AllocateBuffers(rows);
        }
        catch (OverflowException e)
        {
            // Only a model whose values pair rows ((B, B)) has buffers that grow faster than its rows.
            throw new ArgumentException($"{GetType().Name} holds values of batch × batch entries, and a batch of {rows} rows needs more than one array " +
                "holds: pass a smaller batchSize (each batch then mixes only its own rows).", e);
        }
        _capacity = rows;
    }

    private protected int RowsOf(ReadOnlySpan<float> x, string name)
    {
        if (x.Length == 0 || x.Length % InputWidth != 0)
            throw new ArgumentException($"'{name}' holds {x.Length} values, which is not a positive whole number of rows of {InputWidth} features.", name);
        return x.Length / InputWidth;
    }

    /// <summary>NaN or ∞ in an input poisons every output it reaches: refuse it up front, naming where it is.</summary>
    private protected void CheckFinite(ReadOnlySpan<float> x, string name)
    {
        if (FiniteCheckJob.AllFinite(x)) return;
        for (int i = 0; i < x.Length; i++)
            if (!float.IsFinite(x[i]))
                throw new ArgumentException($"'{name}' holds {x[i]} at index {i} (row {i / InputWidth}, feature {i % InputWidth}); inputs must be finite.", name);
    }

    /// <summary>
    /// Enters a call. The thread inside may always enter again (a callback inside Fit). A reading call
    /// (<paramref name="changesModel"/> false: Predict, Evaluate, saving) from another thread waits its turn, so
    /// concurrent predictions return what sequential ones would. A call that changes the model (training, gradients,
    /// loading) never waits: it is refused while another thread is inside, and while it runs, every other thread's
    /// call is refused, rather than queued behind a training run or mixed into it.
    /// </summary>
    private protected CallScope Enter(bool changesModel = false)
    {
        int me = Environment.CurrentManagedThreadId;
        int writer = Volatile.Read(ref _writer);
        if (writer != 0 && writer != me) throw Busy("is changing the model (training or loading weights) on another thread");
        if (changesModel ? !System.Threading.Monitor.TryEnter(_gate) : !System.Threading.Monitor.TryEnter(_gate, Timeout.Infinite))
            throw Busy("is running a call on another thread");
        bool claimed = false;
        if (changesModel && _writer == 0)
        {
            Volatile.Write(ref _writer, me);
            claimed = true;
        }
        return new CallScope(this, claimed);
    }

    private InvalidOperationException Busy(string what) => new(
        $"{GetType().Name} {what}; a call that changes the model runs alone. Predict, Evaluate and SaveWeights from several threads take turns.");

    private protected readonly struct CallScope(CompiledModel model, bool claimedWriter) : IDisposable
    {
        public void Dispose()
        {
            if (claimedWriter) Volatile.Write(ref model._writer, 0);
            System.Threading.Monitor.Exit(model._gate);
        }
    }
}
