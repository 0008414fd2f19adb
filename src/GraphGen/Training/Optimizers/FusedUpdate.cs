using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GraphGen.Cpu;

namespace GraphGen.Training;

/// <summary>
/// An optimizer's per-element update as a struct, so <see cref="FusedUpdate.Run"/> specialises on it at JIT time:
/// one pass per parameter reads the weight, its gradient and up to three state slots and writes them back, with
/// no call per element and nothing allocated. The three overloads are the same arithmetic, element by element, so a
/// parameter's result does not depend on which width ran where (<see cref="Vector{T}"/> is 256 bits wide on AVX2 and,
/// by .NET's default, on AVX-512 too; the <see cref="Vector512{T}"/> overload halves the square roots and divisions
/// there).
/// </summary>
public interface IUpdateRule
{
    void Apply(ref float w, float g, ref float s0, ref float s1, ref float s2);
    void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> s0, ref Vector<float> s1, ref Vector<float> s2);
    void Apply(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> s0, ref Vector512<float> s1, ref Vector512<float> s2);
}

/// <summary>
/// Runs an <see cref="IUpdateRule"/> over a whole parameter, vector by vector, then the scalar tail. A large
/// parameter is cut into chunks of whole cache lines that run on every core: the update is a square root and a
/// division per element, and on one core it was a sixth of the reference model's step. The rule is element-wise,
/// so the result does not depend on the cut.
/// </summary>
public static class FusedUpdate
{
    /// <summary>Elements below which a parameter is updated on the calling thread alone.</summary>
    internal const int ParallelThreshold = 1 << 15;
    // Chunk boundaries fall on whole 64-byte lines, so no two threads write one line.
    private const int ChunkAlignment = 16;

    /// <summary>
    /// Updates <paramref name="w"/> from <paramref name="g"/>. A slot the rule does not use may be empty; it then
    /// reads and writes one scratch value per thread instead of an array.
    /// </summary>
    // Optimised at once (as Update below): called on every step, it otherwise went through three compiles in the first epoch.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run<TRule>(in TRule rule, Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, Span<float> s2)
        where TRule : struct, IUpdateRule
    {
        int n = w.Length;
        if (g.Length != n) ThrowLength("The gradient", g.Length, n, nameof(g));
        CheckSlot(s0, n, nameof(s0));
        CheckSlot(s1, n, nameof(s1));
        CheckSlot(s2, n, nameof(s2));
        fixed (float* pw = w, pg = g, p0 = s0, p1 = s1, p2 = s2)
        {
            int threads = n < ParallelThreshold ? 1 : WorkerPool.Shared.Threads;
            if (threads == 1)
            {
                Update(rule, pw, pg, p0, p1, p2, 0, n);
                return;
            }
            var job = UpdateJob<TRule>.ForThisThread();
            job.Set(rule, pw, pg, p0, p1, p2, n, threads);
            WorkerPool.Shared.Run(job, threads);
            job.Clear();
        }
    }

    /// <summary>
    /// Elements [begin, end) of one update, 16 at a time where AVX-512 runs, then <see cref="Vector{T}"/>s, then one
    /// by one; a null slot is a per-call scratch vector (its values are discarded).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Update<TRule>(in TRule rule, float* w, float* g, float* s0, float* s1, float* s2, int begin, int end)
        where TRule : struct, IUpdateRule
    {
        // A copy on the stack: the rule's fields then stay in registers, where through the reference (a field of the
        // pool's job object) every store into w or a slot could have changed them.
        var local = rule;
        Vector512<float> scratch0 = default, scratch1 = default, scratch2 = default;
        ref float r0 = ref Slot(s0, ref scratch0, out nuint k0);
        ref float r1 = ref Slot(s1, ref scratch1, out nuint k1);
        ref float r2 = ref Slot(s2, ref scratch2, out nuint k2);
        ref float wr = ref Unsafe.AsRef<float>(w);
        ref float gr = ref Unsafe.AsRef<float>(g);
        nuint i = (nuint)begin, count = (nuint)end, width = (nuint)Vector<float>.Count;
        // One by one up to w's next cache line, so that its loads and stores (and a slot's, where the slot lies at the
        // same offset in its line) stay within one line instead of straddling two. An array's values start anywhere in
        // a line (the reference model's W1 and its velocity at byte 16, its gradient at 8), so without this every
        // 64-byte vector of w and every other 32-byte one straddled. On AVX2 the update's share of that model's step
        // fell from 10.5–11.6 % to 8.7–8.8 % (perf, alternating builds).
        nuint lead = Math.Min(count, i + ((64 - ((nuint)(w + i) & 63)) & 63) / sizeof(float));
        for (; i < lead; i++)
            local.Apply(ref Unsafe.Add(ref wr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref r0, i * k0), ref Unsafe.Add(ref r1, i * k1), ref Unsafe.Add(ref r2, i * k2));
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= count; i += 16)
            {
                local.Apply(ref Unsafe.As<float, Vector512<float>>(ref Unsafe.Add(ref wr, i)), Vector512.LoadUnsafe(ref gr, i),
                    ref Unsafe.As<float, Vector512<float>>(ref Unsafe.Add(ref r0, i * k0)),
                    ref Unsafe.As<float, Vector512<float>>(ref Unsafe.Add(ref r1, i * k1)),
                    ref Unsafe.As<float, Vector512<float>>(ref Unsafe.Add(ref r2, i * k2)));
            }
        }
        for (; i + width <= count; i += width)
        {
            local.Apply(ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref wr, i)), Vector.LoadUnsafe(ref gr, i),
                ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r0, i * k0)),
                ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r1, i * k1)),
                ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r2, i * k2)));
        }
        for (; i < count; i++)
            local.Apply(ref Unsafe.Add(ref wr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref r0, i * k0), ref Unsafe.Add(ref r1, i * k1), ref Unsafe.Add(ref r2, i * k2));
    }

    internal static (int Begin, int End) Chunk(int n, int part, int parts)
    {
        int units = (n + ChunkAlignment - 1) / ChunkAlignment;
        int begin = (int)((long)units * part / parts) * ChunkAlignment;
        int end = Math.Min(n, (int)((long)units * (part + 1) / parts) * ChunkAlignment);
        return (Math.Min(begin, n), end);
    }

    private static void CheckSlot(Span<float> slot, int n, string name)
    {
        if (!slot.IsEmpty && slot.Length != n) ThrowLength("State slot", slot.Length, n, name);
    }

    // The message in a method compiled only when it throws: Run, optimised at once, need not compile its formatting.
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(string what, int length, int n, string name) => throw new ArgumentException($"{what} has {length} values; the weight has {n}.", name);

    /// <summary>The slot's first element and a step of 1, or the scratch vector and a step of 0 for an unused slot.</summary>
    private static unsafe ref float Slot(float* slot, ref Vector512<float> scratch, out nuint step)
    {
        step = slot == null ? 0u : 1u;
        return ref slot == null ? ref Unsafe.As<Vector512<float>, float>(ref scratch) : ref Unsafe.AsRef<float>(slot);
    }
}

/// <summary>One parameter's update cut into chunks for the worker pool.</summary>
internal sealed unsafe class UpdateJob<TRule> : IParallelWork where TRule : struct, IUpdateRule
{
    [ThreadStatic] private static UpdateJob<TRule>? t_job;
    private TRule _rule;
    private float* _w, _g, _s0, _s1, _s2;
    private int _n, _parts;

    public static UpdateJob<TRule> ForThisThread() => t_job ??= new UpdateJob<TRule>();

    public void Set(in TRule rule, float* w, float* g, float* s0, float* s1, float* s2, int n, int parts)
    {
        _rule = rule;
        _w = w; _g = g; _s0 = s0; _s1 = s1; _s2 = s2;
        _n = n; _parts = parts;
    }

    public void Clear() { _w = _g = _s0 = _s1 = _s2 = null; _rule = default; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part)
    {
        var (begin, end) = FusedUpdate.Chunk(_n, part, _parts);
        if (begin < end) FusedUpdate.Update(_rule, _w, _g, _s0, _s1, _s2, begin, end);
    }
}
