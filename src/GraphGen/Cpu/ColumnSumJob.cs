using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>
/// Column sums of a tall matrix on the <see cref="WorkerPool"/>: a convolution's bias gradient sums tens of thousands of
/// pixel rows of a few dozen filters each, too many rows for one core and too few columns to cut the work by columns.
/// Each part sums its own rows, top to bottom, into a partial of its own; the partials are then added in part order,
/// and the parts depend on the sizes alone, so the result is the same whichever thread ran which part.
/// </summary>
internal sealed unsafe class ColumnSumJob : IParallelWork
{
    /// <summary>Below this many values one thread sums the rows in order: a wake-up would cost more than it saves.</summary>
    public const int ParallelFrom = 1 << 16;
    [ThreadStatic] private static ColumnSumJob? t_job;
    private float* _x;
    private int _rows, _cols, _parts;
    private float[] _partials = [];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // its loop otherwise compiled three times in the first epoch
    public static void Run(float* x, Span<float> sums, int rows, int cols)
    {
        var job = t_job ??= new ColumnSumJob();
        job._x = x;
        job._rows = rows;
        job._cols = cols;
        job._parts = Math.Min(WorkerPool.Shared.Threads * 4, Math.Max(1, rows / 64));
        if (job._partials.Length < job._parts * cols) job._partials = new float[job._parts * cols];
        WorkerPool.Shared.Run(job, job._parts);
        sums.Clear();
        for (int part = 0; part < job._parts; part++)
        {
            var partial = job._partials.AsSpan(part * cols, cols);
            for (int c = 0; c < cols; c++) sums[c] += partial[c];
        }
        job._x = null;
    }

    public void Execute(int part)
    {
        int begin = (int)((long)_rows * part / _parts), end = (int)((long)_rows * (part + 1) / _parts);
        fixed (float* partials = _partials) SumRows(_x + (long)begin * _cols, end - begin, _cols, partials + (long)part * _cols);
    }

    /// <summary>sum (cols) = the column sums of rows × cols values from <paramref name="first"/>, each column top to bottom.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(float* first, int rows, int cols, float* sum)
    {
        int c = 0;
        float* stop = first + (long)rows * cols;
        // Four vectors of columns at a time, held in registers down the rows.
        if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 4 * Vector256<float>.Count <= cols; c += 4 * Vector256<float>.Count)
            {
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                for (float* row = first + c; row < stop; row += cols)
                {
                    s0 += Vector256.Load(row);
                    s1 += Vector256.Load(row + 8);
                    s2 += Vector256.Load(row + 16);
                    s3 += Vector256.Load(row + 24);
                }
                s0.Store(sum + c);
                s1.Store(sum + c + 8);
                s2.Store(sum + c + 16);
                s3.Store(sum + c + 24);
            }
            for (; c + Vector256<float>.Count <= cols; c += Vector256<float>.Count)
            {
                Vector256<float> s0 = default;
                for (float* row = first + c; row < stop; row += cols) s0 += Vector256.Load(row);
                s0.Store(sum + c);
            }
        }
        for (; c < cols; c++)
        {
            float s0 = 0;
            for (float* row = first + c; row < stop; row += cols) s0 += *row;
            sum[c] = s0;
        }
    }
}
