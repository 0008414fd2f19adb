using System.Numerics.Tensors;

namespace GraphGen.Cpu;

/// <summary>
/// Whether every value is finite, on the <see cref="WorkerPool"/> for a large input: Predict checks all of its rows
/// before the first batch (so a bad value anywhere fails the call before any output is written), and over 10,000 MNIST
/// images (31 MB) that one pass on one core took 0.97 ms of a 25 ms Predict. Each part runs TensorPrimitives over its
/// own slice; on two cores (AVX-512) the 7.84 million values took 0.39–0.41 ms against 0.78–0.88 ms on one.
/// </summary>
internal sealed unsafe class FiniteCheckJob : IParallelWork
{
    /// <summary>Below this many values one thread checks them: a wake-up would cost more than it saves.</summary>
    public const int ParallelFrom = 1 << 20;
    [ThreadStatic] private static FiniteCheckJob? t_job;
    private float* _x;
    private long _length;
    private int _parts;
    private bool[] _finite = [];

    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        int parts = WorkerPool.Shared.Threads;
        if (x.Length < ParallelFrom || parts == 1) return TensorPrimitives.IsFiniteAll(x);
        var job = t_job ??= new FiniteCheckJob();
        if (job._finite.Length < parts) job._finite = new bool[parts];
        fixed (float* p = x)
        {
            job._x = p;
            job._length = x.Length;
            job._parts = parts;
            WorkerPool.Shared.Run(job, parts);
            job._x = null;
        }
        for (int part = 0; part < parts; part++)
            if (!job._finite[part]) return false;
        return true;
    }

    public void Execute(int part)
    {
        long begin = _length * part / _parts, end = _length * (part + 1) / _parts;
        _finite[part] = TensorPrimitives.IsFiniteAll(new ReadOnlySpan<float>(_x + begin, (int)(end - begin)));
    }
}
