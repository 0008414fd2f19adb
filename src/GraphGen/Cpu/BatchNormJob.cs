using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace GraphGen.Cpu;

/// <summary>
/// The row-parallel passes of <see cref="BatchNormKernels"/> and their scratch, one per calling thread: per-block
/// partial sums (a block is <see cref="BatchNormKernels.BlockRows"/> rows, each block's sums written to its own slot,
/// so the blocks may run on any core in any order), per-channel coefficients, and a row of scratch per part.
/// </summary>
internal sealed unsafe class BatchNormJob : IParallelWork
{
    public enum Pass { Sum, SquaredDeviation, GradientSums, Normalize, InputGradient }

    /// <summary>Elements below which a pass runs on the calling thread alone.</summary>
    private const int ParallelThreshold = 1 << 14;

    [ThreadStatic] private static BatchNormJob? t_job;
    private float[] _partials = [];
    private float[] _coefficients = [];
    private float[] _rowScratch = [];
    private float[] _sums = [];
    private Pass _pass;
    private float* _a, _b, _out, _stats, _partialBase, _coefficientBase, _scratchBase;
    private int _rows, _channels, _blocks, _parts, _sumsPerBlock;

    public static BatchNormJob ForThisThread() => t_job ??= new BatchNormJob();

    /// <summary>Room for three per-channel coefficient rows: scale and shift (Normalize), or a, b, c of dx = a·dy + b·x + c (Backward).</summary>
    public float[] Coefficients(int channels)
    {
        Grow(ref _coefficients, 3 * channels);
        return _coefficients;
    }

    /// <summary>Room for dβ and dγ that no caller keeps.</summary>
    public float[] Sums(int channels)
    {
        Grow(ref _sums, 2 * channels);
        return _sums;
    }

    /// <summary>Block sums of a: x (Sum), (x − mean)² (SquaredDeviation, mean in <paramref name="stats"/>), or dy and dy ⊙ x̂ (GradientSums, b = x).</summary>
    public void Sum(Pass pass, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> stats, int rows, int channels)
    {
        _blocks = (rows + BatchNormKernels.BlockRows - 1) / BatchNormKernels.BlockRows;
        _sumsPerBlock = pass == Pass.GradientSums ? 2 : 1;
        Grow(ref _partials, _blocks * _sumsPerBlock * channels);
        fixed (float* pa = a, pb = b, ps = stats, pp = _partials)
            Run(pass, pa, pb, null, ps, pp, rows, channels, _blocks);
    }

    /// <summary>Adds sum <paramref name="which"/> of every block in block order, in double, times <paramref name="factor"/>, into <paramref name="result"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Reduce(int which, Span<float> result, double factor)
    {
        int channels = result.Length;
        for (int c = 0; c < channels; c++)
        {
            double total = 0;
            for (int block = 0; block < _blocks; block++) total += _partials[(block * _sumsPerBlock + which) * channels + c];
            result[c] = (float)(total * factor);
        }
    }

    /// <summary>A pass that writes every row of <paramref name="output"/>: Normalize (a = x) or InputGradient (a = dy, b = x).</summary>
    public void Rows(Pass pass, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, int rows, int channels)
    {
        int blocks = (rows + BatchNormKernels.BlockRows - 1) / BatchNormKernels.BlockRows;
        fixed (float* pa = a, pb = b, po = output, pc = _coefficients)
            Run(pass, pa, pb, po, null, null, rows, channels, blocks, pc);
    }

    private void Run(Pass pass, float* a, float* b, float* output, float* stats, float* partials, int rows, int channels, int blocks, float* coefficients = null)
    {
        _pass = pass; _a = a; _b = b; _out = output; _stats = stats; _partialBase = partials; _coefficientBase = coefficients;
        _rows = rows; _channels = channels;
        int parts = (long)rows * channels < ParallelThreshold ? 1 : Math.Min(WorkerPool.Shared.Threads, blocks);
        _parts = parts;
        Grow(ref _rowScratch, parts * channels);
        fixed (float* scratch = _rowScratch)
        {
            _scratchBase = scratch;
            _totalBlocks = blocks;
            if (parts == 1) Execute(0);
            else WorkerPool.Shared.Run(this, parts);
        }
        _a = _b = _out = _stats = _partialBase = _coefficientBase = _scratchBase = null;
    }

    private int _totalBlocks;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part)
    {
        int first = (int)((long)_totalBlocks * part / _parts), last = (int)((long)_totalBlocks * (part + 1) / _parts);
        int n = _channels;
        var scratch = new Span<float>(_scratchBase + part * n, n);
        for (int block = first; block < last; block++)
        {
            int begin = block * BatchNormKernels.BlockRows, end = Math.Min(_rows, begin + BatchNormKernels.BlockRows);
            switch (_pass)
            {
                case Pass.Sum:
                {
                    var sum = new Span<float>(_partialBase + block * n, n);
                    sum.Clear();
                    for (int r = begin; r < end; r++) TensorPrimitives.Add(sum, Row(_a, r), sum);
                    break;
                }
                case Pass.SquaredDeviation:
                {
                    var sum = new Span<float>(_partialBase + block * n, n);
                    var mean = new ReadOnlySpan<float>(_stats, n);
                    sum.Clear();
                    for (int r = begin; r < end; r++)
                    {
                        TensorPrimitives.Subtract(Row(_a, r), mean, scratch);
                        TensorPrimitives.MultiplyAdd(scratch, scratch, sum, sum);
                    }
                    break;
                }
                case Pass.GradientSums:
                {
                    var dbeta = new Span<float>(_partialBase + 2 * block * n, n);
                    var dgamma = new Span<float>(_partialBase + (2 * block + 1) * n, n);
                    var mean = new ReadOnlySpan<float>(_stats, n);
                    var inverse = new ReadOnlySpan<float>(_stats + n, n);
                    dbeta.Clear();
                    dgamma.Clear();
                    for (int r = begin; r < end; r++)
                    {
                        var dy = Row(_a, r);
                        TensorPrimitives.Subtract(Row(_b, r), mean, scratch);
                        TensorPrimitives.Multiply(scratch, inverse, scratch);
                        TensorPrimitives.Add(dbeta, dy, dbeta);
                        TensorPrimitives.MultiplyAdd(dy, scratch, dgamma, dgamma);
                    }
                    break;
                }
                case Pass.Normalize:
                {
                    var scale = new ReadOnlySpan<float>(_coefficientBase, n);
                    var shift = new ReadOnlySpan<float>(_coefficientBase + n, n);
                    for (int r = begin; r < end; r++) TensorPrimitives.FusedMultiplyAdd(Row(_a, r), scale, shift, new Span<float>(_out + (long)r * n, n));
                    break;
                }
                case Pass.InputGradient:
                {
                    var ca = new ReadOnlySpan<float>(_coefficientBase, n);
                    var cb = new ReadOnlySpan<float>(_coefficientBase + n, n);
                    var cc = new ReadOnlySpan<float>(_coefficientBase + 2 * n, n);
                    for (int r = begin; r < end; r++)
                    {
                        var dx = new Span<float>(_out + (long)r * n, n);
                        TensorPrimitives.FusedMultiplyAdd(Row(_b, r), cb, cc, scratch);
                        TensorPrimitives.FusedMultiplyAdd(Row(_a, r), ca, scratch, dx);
                    }
                    break;
                }
            }
        }
    }

    private ReadOnlySpan<float> Row(float* matrix, int row) => new(matrix + (long)row * _channels, _channels);

    private static void Grow(ref float[] array, int length)
    {
        if (array.Length < length) array = new float[length];
    }
}
