using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace GraphGen.Cpu;

/// <summary>
/// Inverted dropout (Keras's <c>Dropout</c> in training): y = x / (1 − rate) where an element is kept, 0 where it is
/// dropped. Whether element i is kept is a pure function of (seed, step, stream, i) — a counter-based generator, a
/// SplitMix64 hash of the four — so there is no generator state to share between cores or to carry from the forward
/// pass to the backward one (the backward pass recomputes the mask), a step is reproducible on its own, and a
/// checkpoint needs only the seed and the step count to resume bitwise. The stream number tells the dropout
/// ops of one model apart.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DropoutKernels
{
    /// <summary>Elements below which a pass runs on the calling thread alone.</summary>
    private const int ParallelThreshold = 1 << 15;

    /// <summary>y = x ⊙ mask / (1 − rate) over the first <paramref name="count"/> values (x and y may be the same buffer).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int count, float rate, ulong seed, long step, int stream)
        => Run(x, y, count, rate, seed, step, stream);

    /// <summary>dx = dy ⊙ mask / (1 − rate), with the forward pass's mask recomputed from the same (seed, step, stream).</summary>
    public static void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int count, float rate, ulong seed, long step, int stream)
        => Run(outputGradient, inputGradient, count, rate, seed, step, stream);

    /// <summary>Whether element <paramref name="index"/> is kept: its 24-bit uniform draw is at least rate · 2²⁴.</summary>
    public static bool Keeps(ulong seed, long step, int stream, long index, float rate)
        => Draw(Key(seed, step, stream), index) >= Threshold(rate);

    private static unsafe void Run(ReadOnlySpan<float> source, Span<float> destination, int count, float rate, ulong seed, long step, int stream)
    {
        CheckRate(rate);
        if (count < 0 || source.Length < count || destination.Length < count)
            throw new ArgumentException($"Dropout of {count} values needs buffers that long; they hold {source.Length} and {destination.Length}.");
        ulong key = Key(seed, step, stream);
        uint threshold = Threshold(rate);
        float scale = 1f / (1f - rate);
        fixed (float* s = source, d = destination)
        {
            int parts = count < ParallelThreshold ? 1 : Math.Min(WorkerPool.Shared.Threads, count / (ParallelThreshold / 4));
            if (parts <= 1)
            {
                Apply(s, d, 0, count, key, threshold, scale);
                return;
            }
            var job = DropoutJob.ForThisThread();
            job.Set(s, d, count, parts, key, threshold, scale);
            WorkerPool.Shared.Run(job, parts);
            job.Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Apply(float* source, float* destination, int begin, int end, ulong key, uint threshold, float scale)
    {
        for (int i = begin; i < end; i++)
            destination[i] = Draw(key, i) >= threshold ? source[i] * scale : 0f;
    }

    /// <summary>The rate as Keras takes it: 0 ≤ rate &lt; 1.</summary>
    public static void CheckRate(float rate)
    {
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "A dropout rate is a fraction in [0, 1).");
    }

    private static uint Threshold(float rate) => (uint)Math.Round(rate * (double)(1 << 24));

    /// <summary>The key of one dropout op's masks at one step; the generated ILGPU dropout kernels compute it as this does.</summary>
    public static ulong Key(ulong seed, long step, int stream) => Mix(seed ^ Mix((ulong)step ^ Mix((ulong)(uint)stream + 0x632BE59BD9B4E019UL)));

    /// <summary>Element <paramref name="index"/>'s 24-bit uniform draw under <paramref name="key"/>: kept where it is at least rate · 2²⁴.</summary>
    public static uint Draw(ulong key, long index) => (uint)(Mix(key + (ulong)index * 0x9E3779B97F4A7C15UL) >> 40);

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>One dropout pass cut into contiguous chunks for the worker pool; each element's draw depends on its index alone.</summary>
internal sealed unsafe class DropoutJob : IParallelWork
{
    [ThreadStatic] private static DropoutJob? t_job;
    private float* _source, _destination;
    private int _count, _parts;
    private ulong _key;
    private uint _threshold;
    private float _scale;

    public static DropoutJob ForThisThread() => t_job ??= new DropoutJob();

    public void Set(float* source, float* destination, int count, int parts, ulong key, uint threshold, float scale)
    {
        _source = source; _destination = destination;
        _count = count; _parts = parts; _key = key; _threshold = threshold; _scale = scale;
    }

    public void Clear() => _source = _destination = null;

    public void Execute(int part)
    {
        int begin = (int)((long)_count * part / _parts), end = (int)((long)_count * (part + 1) / _parts);
        DropoutKernels.Apply(_source, _destination, begin, end, _key, _threshold, _scale);
    }
}
