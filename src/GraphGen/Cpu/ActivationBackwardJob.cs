using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>
/// dx = dy ⊙ act'(y) over contiguous chunks on the <see cref="WorkerPool"/>, a vector at a time (the activation's own
/// vector derivative, 512 or 256 bits as the CPU has them) and the tail one by one. A convnet's activations run to
/// millions of values per step, so this pass is memory-bound and worth both cores; small ones stay on the caller.
/// </summary>
internal sealed unsafe class ActivationBackwardJob<TActivation> : IParallelWork where TActivation : IActivation
{
    /// <summary>Below this many values one thread does the pass: a wake-up would cost more than it saves.</summary>
    private const int ParallelFrom = 1 << 16;
    [ThreadStatic] private static ActivationBackwardJob<TActivation>? t_job;
    private float* _dy, _y, _dx;
    private int _count, _parts;

    public static void Run(float* dy, float* y, float* dx, int count)
    {
        if (count < ParallelFrom)
        {
            Chunk(dy, y, dx, 0, count);
            return;
        }
        var job = t_job ??= new ActivationBackwardJob<TActivation>();
        job._dy = dy;
        job._y = y;
        job._dx = dx;
        job._count = count;
        job._parts = WorkerPool.Shared.Threads * 4;
        WorkerPool.Shared.Run(job, job._parts);
        job._dy = job._y = job._dx = null;
    }

    public void Execute(int part)
    {
        // Chunk boundaries on multiples of 16 values, so every chunk but the last is whole vectors.
        int blocks = (_count + 15) / 16;
        int begin = (int)((long)blocks * part / _parts) * 16, end = Math.Min(_count, (int)((long)blocks * (part + 1) / _parts) * 16);
        Chunk(_dy, _y, _dx, begin, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk(float* dy, float* y, float* dx, int begin, int end)
    {
        int i = begin;
        if (Vector512.IsHardwareAccelerated)
            for (; i + Vector512<float>.Count <= end; i += Vector512<float>.Count)
                (Vector512.Load(dy + i) * TActivation.Derivative(Vector512.Load(y + i))).Store(dx + i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<float>.Count <= end; i += Vector256<float>.Count)
                (Vector256.Load(dy + i) * TActivation.Derivative(Vector256.Load(y + i))).Store(dx + i);
        for (; i < end; i++) dx[i] = dy[i] * TActivation.Derivative(y[i]);
    }
}
