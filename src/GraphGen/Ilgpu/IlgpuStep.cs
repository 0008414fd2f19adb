using System.ComponentModel;
using GraphGen.Cpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace GraphGen.Ilgpu;

/// <summary>
/// The device memory a placed model's <see cref="IlgpuProgram"/> runs over, and the operations its generated code
/// calls beside its own kernels: the GEMM (cuBLAS on CUDA, an ILGPU kernel of ours elsewhere), the mean of the
/// per-row partial losses, and clearing a gradient. Buffers are sized for <see cref="Capacity"/> rows (a (B, B) one for Capacity²).
/// </summary>
/// <remarks>
/// The parameters' values lie side by side in one buffer (<see cref="AllValues"/>), their gradients likewise, so an
/// optimizer step is one launch and moving the weights is one copy; <see cref="Value"/> and <see cref="Gradient"/>
/// are views into them. The trainable parameters come first, in the plan's order, then the non-trainable state (a
/// batch normalisation's moving statistics), so the optimizer steps the one prefix <see cref="TrainableValues"/>
/// and never the state, as the CPU steps the trainable weights only. Every operation is queued on the accelerator's default stream, in order.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed partial class IlgpuStep : IDisposable
{
    private readonly IlgpuProgram _program;
    private readonly int _inputWidth, _targetWidth;
    private readonly bool _labels;
    private readonly long[] _offsets;
    private readonly int[] _lengths;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _values, _gradients, _loss;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>?[] _buffers;
    private readonly ArrayView<float>[] _bufferViews;
    private MemoryBuffer1D<float, Stride1D.Dense>? _input, _targets, _rowLosses;
    private MemoryBuffer1D<int, Stride1D.Dense>? _labelBuffer;
    private CuBlas? _cuBlas;
    private bool _disposed;

    /// <param name="targetWidth">Float targets per row (a model with float targets), or 1 with <paramref name="labels"/>.</param>
    /// <param name="labels">Whether the targets are integer class labels (<see cref="Labels"/>) rather than floats (<see cref="Targets"/>).</param>
    /// <param name="parameterLengths">Values of each parameter, in the plan's order.</param>
    /// <param name="trainable">Whether each parameter is trainable (the optimizer steps it); null: every one is.</param>
    internal IlgpuStep(Accelerator accelerator, IlgpuProgram program, int inputWidth, int targetWidth, bool labels, IReadOnlyList<int> parameterLengths,
        IReadOnlyList<bool>? trainable = null)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(parameterLengths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(targetWidth);
        Accelerator = accelerator;
        Kernels = new IlgpuKernelSet(accelerator);
        _program = program;
        _inputWidth = inputWidth;
        _targetWidth = targetWidth;
        _labels = labels;
        _lengths = parameterLengths.ToArray();
        if (trainable is not null && trainable.Count != _lengths.Length)
            throw new ArgumentException($"{trainable.Count} trainable flags for {_lengths.Length} parameters.", nameof(trainable));
        _offsets = new long[_lengths.Length];
        long total = 0, trainableTotal = 0;
        foreach (bool pass in new[] { true, false }) // the trainable parameters first, then the state
        {
            for (int i = 0; i < _lengths.Length; i++)
            {
                if ((trainable?[i] ?? true) != pass) continue;
                ArgumentOutOfRangeException.ThrowIfNegative(_lengths[i], nameof(parameterLengths));
                _offsets[i] = total;
                total += _lengths[i];
            }
            if (pass) trainableTotal = total;
        }
        _values = Allocate<float>(total);
        _gradients = Allocate<float>(total);
        AllValues = _values.View.SubView(0, total);
        AllGradients = _gradients.View.SubView(0, total);
        TrainableValues = AllValues.SubView(0, trainableTotal);
        TrainableGradients = AllGradients.SubView(0, trainableTotal);
        // A gradient no kernel writes (the state's) reads as zeros when it comes home, as on the CPU.
        _gradients.View.MemSetToZero(accelerator.DefaultStream);
        _loss = Allocate<float>(1);
        var specs = program.Buffers;
        _buffers = new MemoryBuffer1D<float, Stride1D.Dense>?[specs.Count];
        _bufferViews = new ArrayView<float>[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            if (specs[i].Width < 0 || specs[i].BatchAxes < 0)
                throw new ArgumentException($"Plan buffer {i} ({specs[i].Name}) has a negative width or count of batch axes: {specs[i]}.", nameof(program));
            if (specs[i].BatchAxes > 0) continue;
            _buffers[i] = Allocate<float>(specs[i].Width);
            _bufferViews[i] = _buffers[i]!.View.SubView(0, specs[i].Width);
        }
        if (accelerator is CudaAccelerator cuda) _cuBlas = TryCuBlas(cuda, out _cuBlasProblem);
        Gemms = _cuBlas is not null ? IlgpuGemmPath.CuBlas : Kernels.IsCpu ? IlgpuGemmPath.PerOutput : IlgpuGemmPath.Tiled;
    }

    public Accelerator Accelerator { get; }

    /// <summary>Rows every per-row buffer holds.</summary>
    public int Capacity { get; private set; }

    /// <summary>The batch, Capacity × InputWidth values.</summary>
    public ArrayView<float> Input { get; private set; }

    /// <summary>Float targets, Capacity × targets per sample (empty for a model with integer labels).</summary>
    public ArrayView<float> Targets { get; private set; }

    /// <summary>Integer class labels, Capacity values (empty for a model with float targets).</summary>
    public ArrayView<int> Labels { get; private set; }

    /// <summary>Parameter <paramref name="parameter"/>'s values (the plan's parameter order: per layer weight, then bias).</summary>
    public ArrayView<float> Value(int parameter) => AllValues.SubView(_offsets[parameter], _lengths[parameter]);

    /// <summary>d loss / d parameter <paramref name="parameter"/>.</summary>
    public ArrayView<float> Gradient(int parameter) => AllGradients.SubView(_offsets[parameter], _lengths[parameter]);

    /// <summary>Activation buffer <paramref name="buffer"/> of the plan (<see cref="IlgpuProgram.Buffers"/>).</summary>
    public ArrayView<float> Buffer(int buffer) => _bufferViews[buffer];

    /// <summary>The loss kernel's per-row partial losses, Capacity × <see cref="IlgpuProgram.LossValuesPerRow"/>.</summary>
    public ArrayView<float> RowLosses { get; private set; }

    /// <summary>One value: the step's mean loss, written by <see cref="MeanLoss"/>.</summary>
    public ArrayView<float> Loss => _loss.View.SubView(0, 1);

    /// <summary>Every parameter's values, side by side in the plan's order.</summary>
    internal ArrayView<float> AllValues { get; }
    /// <summary>Every parameter's gradient, laid out as <see cref="AllValues"/>.</summary>
    internal ArrayView<float> AllGradients { get; }
    /// <summary>The trainable parameters' values, the prefix of <see cref="AllValues"/> the optimizer steps.</summary>
    internal ArrayView<float> TrainableValues { get; }
    /// <summary>The trainable parameters' gradients, laid out as <see cref="TrainableValues"/>.</summary>
    internal ArrayView<float> TrainableGradients { get; }
    /// <summary>Where parameter <paramref name="parameter"/> starts in <see cref="AllValues"/> and <see cref="AllGradients"/>.</summary>
    internal long Offset(int parameter) => _offsets[parameter];

    /// <summary>
    /// The model's dropout seed for this step's masks, which the generated dropout kernels take as an argument with
    /// <see cref="DropoutStep"/> (the same (seed, step, stream) hash as GraphGen.Cpu.DropoutKernels, so the same masks).
    /// </summary>
    public ulong DropoutSeed { get; internal set; }

    /// <summary>The training step's number, set by the host before each step (see <see cref="DropoutSeed"/>).</summary>
    public long DropoutStep { get; internal set; }
    internal IlgpuKernelSet Kernels { get; }
    internal int ParameterCount => _lengths.Length;

    /// <summary>How <see cref="Gemm"/> runs; tests set it to check each kernel on the CPU accelerator.</summary>
    internal IlgpuGemmPath Gemms { get; set; }
    /// <summary>Why cuBLAS is not used on a CUDA accelerator (the GEMM then runs as the tiled kernel), or null.</summary>
    internal string? CuBlasProblem => _cuBlasProblem;
    private readonly string? _cuBlasProblem;

    /// <summary>Grows every buffer sized by the batch to hold <paramref name="rows"/> rows (their contents are not kept); smaller requests keep them.</summary>
    internal void EnsureCapacity(int rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (rows <= Capacity) return;
        Replace(ref _input, (long)rows * _inputWidth, out var input);
        Input = input;
        if (_labels)
        {
            _labelBuffer?.Dispose();
            _labelBuffer = Allocate<int>(rows);
            Labels = _labelBuffer.View.SubView(0, rows);
            Targets = ArrayView<float>.Empty;
        }
        else
        {
            Replace(ref _targets, (long)rows * _targetWidth, out var targets);
            Targets = targets;
            Labels = ArrayView<int>.Empty;
        }
        Replace(ref _rowLosses, (long)rows * Math.Max(_program.LossValuesPerRow, 0), out var rowLosses);
        RowLosses = rowLosses;
        var specs = _program.Buffers;
        for (int i = 0; i < specs.Count; i++)
            if (specs[i].BatchAxes > 0) Replace(ref _buffers[i], specs[i].Length(rows), out _bufferViews[i]);
        Capacity = rows;
    }

    /// <summary>C = op(A)·op(B), row-major, as <see cref="Cpu.Gemm.Multiply(GemmLayout, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> lays them out.</summary>
    public void Gemm(GemmLayout layout, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must not be negative: m={m}, n={n}, k={k}.");
        if (layout is not (GemmLayout.NN or GemmLayout.TN or GemmLayout.NT)) throw new ArgumentOutOfRangeException(nameof(layout), layout, "Not a GEMM layout.");
        if (a.Length < (long)m * k) throw new ArgumentException($"A has {a.Length} values; {layout} with m={m}, k={k} needs {(long)m * k}.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"B has {b.Length} values; {layout} with k={k}, n={n} needs {(long)k * n}.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"C has {c.Length} values; m={m}, n={n} needs {(long)m * n}.", nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            Clear(c.SubView(0, (long)m * n));
            return;
        }
        switch (Gemms)
        {
            case IlgpuGemmPath.CuBlas when _cuBlas is { } blas:
                CuBlasGemm(blas, layout, m, n, k, a, b, c);
                break;
            case IlgpuGemmPath.Tiled or IlgpuGemmPath.CuBlas:
                Kernels.GemmTiled(TileSide(), (int)layout, m, n, k, a, b, c);
                break;
            default:
                Kernels.GemmPerOutput((int)layout, m, n, k, a, b, c);
                break;
        }
    }

    /// <summary>Loss[0] = the mean of RowLosses[0 .. count).</summary>
    public void MeanLoss(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > RowLosses.Length) throw new ArgumentOutOfRangeException(nameof(count), count, $"RowLosses holds {RowLosses.Length} values.");
        Kernels.Mean(RowLosses, count, Loss);
    }

    /// <summary>Sets every value of <paramref name="view"/> to 0 (the gradient of a parameter that does not reach the loss).</summary>
    public void Clear(ArrayView<float> view)
    {
        if (view.Length > 0) view.MemSetToZero(Accelerator.DefaultStream);
    }

    /// <summary>Waits for every queued operation, then reads the mean loss <see cref="MeanLoss"/> wrote.</summary>
    internal float ReadLoss()
    {
        Span<float> loss = stackalloc float[1];
        IlgpuCopy.Download(Loss, loss);
        return loss[0];
    }

    internal void Synchronize() => Accelerator.DefaultStream.Synchronize();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cuBlas?.Dispose();
        foreach (var buffer in _buffers) buffer?.Dispose();
        _input?.Dispose();
        _targets?.Dispose();
        _labelBuffer?.Dispose();
        _rowLosses?.Dispose();
        _values.Dispose();
        _gradients.Dispose();
        _loss.Dispose();
    }

    private static void CuBlasGemm(CuBlas blas, GemmLayout layout, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var g = ColumnMajor(layout, m, n, k);
        blas.Gemm(g.TransFirst ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose, g.TransSecond ? CuBlasOperation.Transpose : CuBlasOperation.NonTranspose,
            g.M, g.N, g.K, 1f, b, g.LdFirst, a, g.LdSecond, 0f, c, g.Ldc);
    }

    /// <summary>
    /// The column-major GEMM (cuBLAS's) that computes row-major C = op(A)·op(B): row-major C (m × n) is column-major
    /// Cᵀ (n × m), and Cᵀ = op(B)ᵀ·op(A)ᵀ, so B comes first and each row-major operand is read as its column-major
    /// transpose, its leading dimension its row-major row length. NN: Cᵀ = Bᵀ·Aᵀ; TN (A stored k × m): Cᵀ = Bᵀ·A;
    /// NT (B stored n × k): Cᵀ = B·Aᵀ.
    /// </summary>
    internal static ColumnMajorGemm ColumnMajor(GemmLayout layout, int m, int n, int k) => layout switch
    {
        GemmLayout.NN => new(false, false, n, m, k, LdFirst: n, LdSecond: k, Ldc: n),
        GemmLayout.TN => new(false, true, n, m, k, LdFirst: n, LdSecond: m, Ldc: n),
        _ => new(true, false, n, m, k, LdFirst: k, LdSecond: k, Ldc: n),
    };

    private static CuBlas? TryCuBlas(CudaAccelerator accelerator, out string? problem)
    {
        try
        {
            var blas = new CuBlas(accelerator) { PointerMode = CuBlasPointerMode.Host };
            problem = null;
            return blas;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or CuBlasException or TypeInitializationException or InvalidOperationException)
        {
            problem = $"cuBLAS could not be loaded ({e.GetType().Name}: {e.Message}); GEMMs run as ILGPU kernels.";
            return null;
        }
    }

    /// <summary>The tiled kernel's side: 16 (256 threads) where a group holds that many, else the largest power of two that fits.</summary>
    private int TileSide()
    {
        int side = 16;
        while (side > 1 && side * side > Accelerator.MaxNumThreadsPerGroup) side /= 2;
        return side;
    }

    private MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(long length) where T : unmanaged
        => Accelerator.Allocate1D<T>(Math.Max(length, 1));

    private void Replace(ref MemoryBuffer1D<float, Stride1D.Dense>? buffer, long length, out ArrayView<float> view)
    {
        buffer?.Dispose();
        buffer = Allocate<float>(length);
        view = buffer.View.SubView(0, length);
    }
}

/// <summary>
/// A column-major C (M × N, leading dimension Ldc) = op(first)·op(second), first (B) and second (A) as cuBLAS reads
/// them: transposed or not, with their leading dimensions.
/// </summary>
internal readonly record struct ColumnMajorGemm(bool TransFirst, bool TransSecond, int M, int N, int K, int LdFirst, int LdSecond, int Ldc);

/// <summary>How <see cref="IlgpuStep.Gemm"/> runs: cuBLAS, the tiled shared-memory kernel, or one thread per output.</summary>
internal enum IlgpuGemmPath { PerOutput, Tiled, CuBlas }

/// <summary>Copies between host spans and device views on the accelerator's default stream; both wait until done.</summary>
internal static class IlgpuCopy
{
    public static void Upload<T>(ArrayView<T> target, ReadOnlySpan<T> source) where T : unmanaged
    {
        if (source.Length > target.Length) throw new ArgumentException($"{source.Length} values do not fit a device view of {target.Length}.", nameof(source));
        if (source.IsEmpty) return;
        target.SubView(0, source.Length).CopyFromCPU<T, ArrayView<T>>(source);
    }

    public static void Download<T>(ArrayView<T> source, Span<T> target) where T : unmanaged
    {
        if (target.Length > source.Length) throw new ArgumentException($"A device view of {source.Length} values cannot fill {target.Length}.", nameof(target));
        if (target.IsEmpty) return;
        source.SubView(0, target.Length).CopyToCPU<T, ArrayView<T>>(target);
    }
}
