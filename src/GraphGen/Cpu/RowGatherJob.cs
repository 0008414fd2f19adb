using System.Runtime.CompilerServices;

namespace GraphGen.Cpu;

/// <summary>
/// Copies the rows a batch names out of a data set into the batch's contiguous buffer, on the <see cref="WorkerPool"/>.
/// Fit does this before every step with shuffled rows: each is a few kilobytes from anywhere in a data set far larger
/// than the caches, so one core copying them spends its time waiting on memory (35–53 µs for a batch of 128 MNIST
/// images against a 0.8 ms step, on this repository's 2-core VM); cores that wait side by side have twice the misses in
/// flight. On two cores Fit's time per step over a bare TrainStep went from 48–83 to 35–41 µs (AVX-512) and from
/// 109–135 to 37–78 µs (AVX2), alternating runs. Each part copies its own rows, so the result is the same whichever
/// thread ran which part.
/// </summary>
internal sealed unsafe class RowGatherJob : IParallelWork
{
    /// <summary>Below this many values one thread copies the rows: a wake-up would cost more than it saves.</summary>
    public const int ParallelFrom = 1 << 14;
    [ThreadStatic] private static RowGatherJob? t_job;
    private float* _source, _destination;
    private int* _rows;
    private int _count, _width, _parts;

    /// <summary>destination row i = source row rows[i], each <paramref name="width"/> values; the rows must lie within source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called every step: optimised at once, as the kernels
    public static void Run(ReadOnlySpan<float> source, ReadOnlySpan<int> rows, int width, Span<float> destination)
    {
        int count = rows.Length;
        if (destination.Length < (long)count * width)
            throw new ArgumentException($"The batch buffer has {destination.Length} values; {count} rows of {width} need {(long)count * width}.", nameof(destination));
        long sourceRows = width == 0 ? 0 : source.Length / width;
        foreach (int row in rows)
            if ((uint)row >= (ulong)sourceRows) throw new ArgumentOutOfRangeException(nameof(rows), row, $"The data set has {sourceRows} rows.");
        int parts = (long)count * width < ParallelFrom ? 1 : Math.Min(WorkerPool.Shared.Threads, count);
        fixed (float* s = source, d = destination)
        fixed (int* r = rows)
        {
            if (parts <= 1)
            {
                CopyRows(s, r, 0, count, width, d);
                return;
            }
            var job = t_job ??= new RowGatherJob();
            job._source = s;
            job._rows = r;
            job._destination = d;
            job._count = count;
            job._width = width;
            job._parts = parts;
            WorkerPool.Shared.Run(job, parts);
            job._source = job._destination = null;
            job._rows = null;
        }
    }

    public void Execute(int part)
    {
        int begin = (int)((long)_count * part / _parts), end = (int)((long)_count * (part + 1) / _parts);
        CopyRows(_source, _rows, begin, end, _width, _destination);
    }

    private static void CopyRows(float* source, int* rows, int begin, int end, int width, float* destination)
    {
        for (int i = begin; i < end; i++)
            new ReadOnlySpan<float>(source + (long)rows[i] * width, width).CopyTo(new Span<float>(destination + (long)i * width, width));
    }
}
