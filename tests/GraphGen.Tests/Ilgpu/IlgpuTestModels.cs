using GraphGen.Cpu;
using GraphGen.Ilgpu;
using GraphGen.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GraphGen.Tests.Ilgpu;

// Two models written by hand as the generator writes them: a CPU half (Forward, ForwardBackward over GraphGen.Cpu's
// kernels) and an IlgpuProgram over IlgpuStep with kernels of its own. Until the ILGPU emitter lands they stand in
// for generated models, so placement, Fit, Evaluate and the sync points are tested against the CPU path.

/// <summary>y = x·W + b with mean squared error: float targets.</summary>
public sealed class IlgpuLinearRegression : CompiledModel<float>
{
    private readonly Parameter _weight, _bias;
    private float[] _z = [], _dz = [];

    public IlgpuLinearRegression(int inputs, int outputs, int seed = 0) : base(inputs, outputs, Losses.MeanSquaredError())
    {
        _weight = new Parameter("linear.weight", inputs, outputs);
        _bias = new Parameter("linear.bias", outputs);
        InitializeParameters([_weight, _bias], seed, null, Initializer.Uniform(-0.5f, 0.5f));
    }

    /// <summary>The weight, as a generated layer property hands it out (not through Weights).</summary>
    public Parameter Weight => _weight;

    /// <summary>Whether <see cref="CreateIlgpuProgram"/> answers (false: as a model the generator wrote no program for).</summary>
    public bool HasProgram { get; init; } = true;

    /// <summary>The program the last placement created.</summary>
    public LinearProgram? Program { get; private set; }

    protected internal override IlgpuProgram? CreateIlgpuProgram() => HasProgram ? Program = new LinearProgram(InputWidth, OutputWidth, softmax: false) : null;

    protected override void AllocateBuffers(int rows)
    {
        _z = new float[rows * OutputWidth];
        _dz = new float[rows * OutputWidth];
    }

    protected override ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch)
    {
        Gemm.Multiply(GemmLayout.NN, batch, OutputWidth, InputWidth, x, _weight.Data, _z, new BiasActivation<Linear>(_bias.Data));
        return _z.AsSpan(0, batch * OutputWidth);
    }

    protected override ReadOnlySpan<float> TrainingOutput(int batch) => _z.AsSpan(0, batch * OutputWidth);

    protected override float ForwardBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> targets, int batch)
    {
        Forward(x, batch);
        float loss = LossKernels.MeanSquaredError(_z, targets, _dz, batch, OutputWidth);
        Kernels.ColumnSums(_dz, _bias.Gradient, batch, OutputWidth);
        Gemm.Multiply(GemmLayout.TN, InputWidth, OutputWidth, batch, x, _dz, _weight.Gradient);
        return loss;
    }
}

/// <summary>p = softmax(x·W + b) with sparse categorical cross-entropy: int labels.</summary>
public sealed class IlgpuSoftmaxClassifier : CompiledModel<int>
{
    private readonly Parameter _weight, _bias;
    private float[] _z = [], _p = [], _dz = [];

    public IlgpuSoftmaxClassifier(int inputs, int classes, int seed = 0) : base(inputs, classes, Losses.SparseCategoricalCrossentropy())
    {
        _weight = new Parameter("linear.weight", inputs, classes);
        _bias = new Parameter("linear.bias", classes);
        InitializeParameters([_weight, _bias], seed, null, null);
    }

    protected internal override IlgpuProgram? CreateIlgpuProgram() => new LinearProgram(InputWidth, OutputWidth, softmax: true);

    protected override void AllocateBuffers(int rows)
    {
        _z = new float[rows * OutputWidth];
        _p = new float[rows * OutputWidth];
        _dz = new float[rows * OutputWidth];
    }

    protected override ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch)
    {
        Gemm.Multiply(GemmLayout.NN, batch, OutputWidth, InputWidth, x, _weight.Data, _z, new BiasActivation<Linear>(_bias.Data));
        Kernels.Softmax(_z, _p, batch, OutputWidth);
        return _p.AsSpan(0, batch * OutputWidth);
    }

    protected override ReadOnlySpan<float> TrainingOutput(int batch) => _p.AsSpan(0, batch * OutputWidth);

    protected override float ForwardBackward(ReadOnlySpan<float> x, ReadOnlySpan<int> targets, int batch)
    {
        Gemm.Multiply(GemmLayout.NN, batch, OutputWidth, InputWidth, x, _weight.Data, _z, new BiasActivation<Linear>(_bias.Data));
        float loss = LossKernels.SoftmaxCrossEntropy(_z, targets, _p, _dz, batch, OutputWidth);
        Kernels.ColumnSums(_dz, _bias.Gradient, batch, OutputWidth);
        Gemm.Multiply(GemmLayout.TN, InputWidth, OutputWidth, batch, x, _dz, _weight.Gradient);
        return loss;
    }
}

/// <summary>
/// The device half of both models. Buffers: 0 z (B, outputs), 1 dz (B, outputs), 2 p (B, outputs, the softmax's).
/// Parameters: 0 the weight, 1 the bias.
/// </summary>
public sealed class LinearProgram(int inputs, int outputs, bool softmax) : IlgpuProgram
{
    private Action<AcceleratorStream, Index2D, ArrayView<float>, ArrayView<float>, int>? _addBias;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>? _squaredError;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>? _softmaxCrossEntropy;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int>? _softmax;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int>? _columnSums;

    public override IReadOnlyList<IlgpuBufferSpec> Buffers { get; } =
        [new("z", outputs, BatchAxes: 1), new("d_z", outputs, BatchAxes: 1), new("p", outputs, BatchAxes: 1)];

    public override int LossValuesPerRow => softmax ? 1 : outputs;

    /// <summary>Loads, as the generated Load does; counted so a test sees it runs once per placement.</summary>
    public int Loads { get; private set; }
    public int ForwardBackwards { get; private set; }
    public int Forwards { get; private set; }

    public override void Load(Accelerator accelerator)
    {
        Loads++;
        _addBias = accelerator.LoadAutoGroupedKernel<Index2D, ArrayView<float>, ArrayView<float>, int>(AddBias);
        _squaredError = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(SquaredError);
        _softmaxCrossEntropy = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(SoftmaxCrossEntropy);
        _softmax = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(Softmax);
        _columnSums = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(ColumnSums);
    }

    public override void ForwardBackward(IlgpuStep step, int batch)
    {
        ForwardBackwards++;
        var stream = step.Accelerator.DefaultStream;
        var (z, dz, p) = (step.Buffer(0), step.Buffer(1), step.Buffer(2));
        Linear(step, batch);
        if (softmax)
        {
            _softmaxCrossEntropy!(stream, batch, z, step.Labels, p, dz, step.RowLosses, outputs, 1f / batch);
            step.MeanLoss(batch);
        }
        else
        {
            int count = batch * outputs;
            _squaredError!(stream, count, z, step.Targets, step.RowLosses, dz, 2f / count);
            step.MeanLoss(count);
        }
        _columnSums!(stream, outputs, dz, step.Gradient(1), batch, outputs);
        step.Gemm(GemmLayout.TN, inputs, outputs, batch, step.Input, dz, step.Gradient(0));
    }

    public override ArrayView<float> Forward(IlgpuStep step, int batch)
    {
        Forwards++;
        Linear(step, batch);
        if (!softmax) return step.Buffer(0).SubView(0, batch * outputs);
        _softmax!(step.Accelerator.DefaultStream, batch, step.Buffer(0), step.Buffer(2), outputs);
        return step.Buffer(2).SubView(0, batch * outputs);
    }

    public override ArrayView<float> TrainingOutput(IlgpuStep step, int batch) => step.Buffer(softmax ? 2 : 0).SubView(0, batch * outputs);

    private void Linear(IlgpuStep step, int batch)
    {
        step.Gemm(GemmLayout.NN, batch, outputs, inputs, step.Input, step.Value(0), step.Buffer(0));
        _addBias!(step.Accelerator.DefaultStream, new Index2D(outputs, batch), step.Buffer(0), step.Value(1), outputs);
    }

    private static void AddBias(Index2D i, ArrayView<float> z, ArrayView<float> bias, int cols) => z[i.Y * cols + i.X] += bias[i.X];

    private static void SquaredError(Index1D i, ArrayView<float> y, ArrayView<float> t, ArrayView<float> rowLosses, ArrayView<float> dy, float scale)
    {
        float d = y[i] - t[i];
        rowLosses[i] = d * d;
        dy[i] = d * scale;
    }

    // One thread per row: p = softmax(z), loss = logsumexp(z) − z[label], dz = (p − onehot) / rows.
    private static void SoftmaxCrossEntropy(Index1D row, ArrayView<float> z, ArrayView<int> labels, ArrayView<float> p, ArrayView<float> dz,
        ArrayView<float> rowLosses, int classes, float scale)
    {
        int o = row * classes;
        float max = z[o];
        for (int c = 1; c < classes; c++) max = Math.Max(max, z[o + c]);
        float sum = 0;
        for (int c = 0; c < classes; c++)
        {
            float e = MathF.Exp(z[o + c] - max);
            p[o + c] = e;
            sum += e;
        }
        int label = labels[row];
        rowLosses[row] = MathF.Log(sum) - (z[o + label] - max);
        for (int c = 0; c < classes; c++)
        {
            float pc = p[o + c] / sum;
            p[o + c] = pc;
            dz[o + c] = pc * scale - (c == label ? scale : 0f);
        }
    }

    private static void Softmax(Index1D row, ArrayView<float> z, ArrayView<float> p, int classes)
    {
        int o = row * classes;
        float max = z[o];
        for (int c = 1; c < classes; c++) max = Math.Max(max, z[o + c]);
        float sum = 0;
        for (int c = 0; c < classes; c++)
        {
            float e = MathF.Exp(z[o + c] - max);
            p[o + c] = e;
            sum += e;
        }
        for (int c = 0; c < classes; c++) p[o + c] /= sum;
    }

    private static void ColumnSums(Index1D col, ArrayView<float> x, ArrayView<float> sums, int rows, int cols)
    {
        float s = 0;
        for (int r = 0; r < rows; r++) s += x[r * cols + col];
        sums[col] = s;
    }
}

/// <summary>A program with no kernels, for tests that drive an <see cref="IlgpuStep"/>'s own operations.</summary>
public sealed class EmptyProgram(int lossValuesPerRow = 1, params IlgpuBufferSpec[] buffers) : IlgpuProgram
{
    public override IReadOnlyList<IlgpuBufferSpec> Buffers => buffers;
    public override int LossValuesPerRow => lossValuesPerRow;
    public override void Load(Accelerator accelerator) { }
    public override void ForwardBackward(IlgpuStep step, int batch) { }
    public override ArrayView<float> Forward(IlgpuStep step, int batch) => step.Input;
    public override ArrayView<float> TrainingOutput(IlgpuStep step, int batch) => step.Input;
}
