using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GraphGen.Training;

/// <summary>
/// An optimizer's per-element update as a struct, so <see cref="FusedUpdate.Run"/> specialises on it at JIT time:
/// one pass per parameter reads the weight, its gradient and up to three state slots and writes them back, with
/// no call per element and nothing allocated.
/// </summary>
public interface IUpdateRule
{
    void Apply(ref float w, float g, ref float s0, ref float s1, ref float s2);
    void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> s0, ref Vector<float> s1, ref Vector<float> s2);
}

/// <summary>Runs an <see cref="IUpdateRule"/> over a whole parameter, vector by vector, then the scalar tail.</summary>
public static class FusedUpdate
{
    /// <summary>
    /// Updates <paramref name="w"/> from <paramref name="g"/>. A slot the rule does not use may be empty; it then
    /// reads and writes one scratch value instead of an array.
    /// </summary>
    public static void Run<TRule>(in TRule rule, Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, Span<float> s2)
        where TRule : struct, IUpdateRule
    {
        int n = w.Length;
        if (g.Length != n) throw new ArgumentException($"The gradient has {g.Length} values; the weight has {n}.", nameof(g));
        CheckSlot(s0, n, nameof(s0));
        CheckSlot(s1, n, nameof(s1));
        CheckSlot(s2, n, nameof(s2));
        Span<Vector<float>> scratch = stackalloc Vector<float>[3];
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float r0 = ref Slot(s0, scratch, 0, out nuint k0);
        ref float r1 = ref Slot(s1, scratch, 1, out nuint k1);
        ref float r2 = ref Slot(s2, scratch, 2, out nuint k2);
        nuint i = 0, count = (nuint)n, width = (nuint)Vector<float>.Count;
        for (; i + width <= count; i += width)
        {
            ref var wv = ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref wr, i));
            var gv = Vector.LoadUnsafe(ref gr, i);
            rule.Apply(ref wv, gv,
                ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r0, i * k0)),
                ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r1, i * k1)),
                ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r2, i * k2)));
        }
        for (; i < count; i++)
            rule.Apply(ref Unsafe.Add(ref wr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref r0, i * k0), ref Unsafe.Add(ref r1, i * k1), ref Unsafe.Add(ref r2, i * k2));
    }

    private static void CheckSlot(Span<float> slot, int n, string name)
    {
        if (!slot.IsEmpty && slot.Length != n) throw new ArgumentException($"State slot has {slot.Length} values; the weight has {n}.", name);
    }

    /// <summary>The slot's first element and a step of 1, or a scratch vector and a step of 0 for an unused slot.</summary>
    private static ref float Slot(Span<float> slot, Span<Vector<float>> scratch, int index, out nuint step)
    {
        step = slot.IsEmpty ? 0u : 1u;
        return ref slot.IsEmpty
            ? ref Unsafe.As<Vector<float>, float>(ref scratch[index])
            : ref MemoryMarshal.GetReference(slot);
    }
}
