using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

// Hidden from IntelliSense: these types exist for the generated code (and the benchmarks); a model's user never calls them.

/// <summary>Which operands a GEMM reads transposed. C (m × n) is always row-major and contiguous.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum GemmLayout
{
    /// <summary>C = A·B with A (m × k) and B (k × n): forward passes.</summary>
    NN,
    /// <summary>C = Aᵀ·B with A stored (k × m) and B (k × n): weight gradients, xᵀ·δ.</summary>
    TN,
    /// <summary>C = A·Bᵀ with A (m × k) and B stored (n × k): input gradients, δ·Wᵀ.</summary>
    NT,
}

/// <summary>
/// Single-precision GEMM: a register-blocked SIMD micro-kernel (6 rows × 2 vectors: Vector512 on AVX-512, else
/// Vector256; for a C of at most 16 columns on AVX-512, 6 rows × 1 Vector512: <see cref="NarrowMicroKernel"/>),
/// cache blocking over k, m and n, and all cores through <see cref="WorkerPool"/>. B is packed into k-major strips
/// (absorbing NT's transpose); A is read in place through a row stride and a k step (absorbing TN's): with a
/// training batch for m, packing A cost more than it saved. The epilogue runs once per element as the last k-block
/// is stored. Over several k-blocks, B goes in panels of every k-block at once with the k-blocks the innermost loop,
/// so each C tile stays in cache across them instead of being streamed through once per k-block
/// (<see cref="ResidentPanelColumns"/>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Gemm
{
    internal const int MR = 6;
    internal const int KC = 256;
    internal const int MC = 96;
    internal const int NC = 1024;
    internal static int NR { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.IsHardwareAccelerated ? 32 : 16; }
    /// <summary>The strip width for a C at most this wide on AVX-512, where a 32-column tile would mostly compute padding.</summary>
    internal const int NarrowStrip = 16;

    /// <summary>Whether a GEMM with <paramref name="n"/> columns runs on <see cref="NarrowMicroKernel"/>'s 16-column strips.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsNarrow(int n) => NR > NarrowStrip && n <= NarrowStrip;

    /// <summary>C = epilogue(op(A)·op(B)). Spans are row-major and contiguous; see <see cref="GemmLayout"/> for the shapes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // else tiered twice, each time with the generic body inlined
    public static void Multiply(GemmLayout layout, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
        => Multiply(layout, m, n, k, a, b, c, default(NoEpilogue));

    // Compiled optimised at once, as the kernels are: under tiering each epilogue's instantiation was compiled three
    // times (unoptimised, instrumented, optimised) inside the first epoch, 43 ms of JIT by the runtime's events.
    /// <remarks>
    /// Only the micro-kernels (and the tile store they call) are compiled per epilogue: this method hands
    /// <see cref="GemmJob"/>, which cuts the work, packs B and sweeps the blocks, a pointer to the kernel for
    /// <typeparamref name="TEpilogue"/> and one to the epilogue, so that driver is compiled once for every epilogue.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Multiply<TEpilogue>(GemmLayout layout, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        CheckOperands(layout, m, n, k, a.Length, b.Length, c.Length);
        if (m == 0 || n == 0) return;
        epilogue.Check(m, n);
        if (k == 0)
        {
            // No sum to take: C is the epilogue applied to zeros.
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    c[i * n + j] = epilogue.Apply(0f, i, j);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
            // The epilogue stays in this frame, which outlives the call; the kernels read it through the pointer.
            GemmJob.ForThisThread().Run(layout, m, n, k, pa, pb, pc, &MicroKernel<TEpilogue>, &NarrowMicroKernel<TEpilogue>,
                Unsafe.AsPointer(ref epilogue));
    }

    // The messages are built in a method of their own, compiled only when one throws: inline, their formatting made this
    // check 4–10 ms of tier-1 JIT in the first epoch (the runtime's JIT log), for code that never runs.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckOperands(GemmLayout layout, int m, int n, int k, int a, int b, int c)
    {
        if (m < 0 || n < 0 || k < 0 || a < (long)m * k || b < (long)k * n || c < (long)m * n) ThrowOperands(layout, m, n, k, a, b, c);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOperands(GemmLayout layout, int m, int n, int k, int a, int b, int c)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must not be negative: m={m}, n={n}, k={k}.");
        if (a < (long)m * k) throw new ArgumentException($"A has {a} values; {layout} with m={m}, k={k} needs {(long)m * k}.", nameof(a));
        if (b < (long)k * n) throw new ArgumentException($"B has {b} values; {layout} with k={k}, n={n} needs {(long)k * n}.", nameof(b));
        throw new ArgumentException($"C has {c} values; m={m}, n={n} needs {(long)m * n}.", nameof(c));
    }

    /// <summary>
    /// Whether to give each thread a range of C's columns rather than of its rows. A is read in place, so only B is
    /// packed: splitting rows, every thread packs all of B; splitting columns, each packs its own share. With a
    /// training batch for m, B (a weight matrix or a gradient) is the large operand, so columns win wherever B is
    /// more than a few cache lines; for a tiny B the split with more micro-tiles per thread does. Either way each
    /// thread needs a few micro-tiles of its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool SplitColumns(int m, int n, int k, int threads)
    {
        bool columnsFit = n >= threads * NR, rowsFit = m >= threads * MR;
        if (columnsFit != rowsFit) return columnsFit;
        return (long)k * n >= 16 * 1024 || n / NR >= m / MR;
    }

    /// <summary>Columns of B packed at once, every k-block of them, in the order that keeps C resident.</summary>
    internal const int ResidentPanel = 128;

    /// <summary>
    /// How many of a part's <paramref name="columns"/> of C go through every k-block together, their B packed at once
    /// and C taken one row block at a time (see GemmJob's Run); 0 for the order that streams C once per k-block.
    /// Resident where there is more than one k-block to keep C across and a panel of B fits the pack buffer. Panels of
    /// <see cref="ResidentPanel"/> columns rather than a core's whole share (which was resident only where it fit): in
    /// alternating runs against that rule, best GFLOP/s per run, 2048³ went from 359–376 to 371–383 on AVX-512 and
    /// from 198–199 to 199–209 on AVX2, and the forward GEMM 128 × 512 × 784 from 310–356 to 341–368 and from
    /// 173–182 to 173–193 (its B panel is 400 KB of a 1 MB L2 instead of 800 KB).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int ResidentPanelColumns(int k, int columns)
    {
        int width = Math.Min(RoundUpToStrips(columns), ResidentPanel);
        return k > KC && (long)k * width <= (long)KC * NC ? width : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int RoundUpToStrips(int columns) => (columns + NR - 1) / NR * NR;

    /// <summary>op(B)[p0.., j0..] → NR-column strips, k-major (strip s at dst + s·kc); columns past the edge are zero. B is (k × n), or (n × k) for NT.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void PackB(GemmLayout layout, float* b, int n, int k, int p0, int kc, int j0, int nc, float* dst, int nr)
    {
        for (int s = 0; s < nc; s += nr)
        {
            int cols = Math.Min(nr, nc - s);
            float* strip = dst + (long)s * kc;
            if (layout == GemmLayout.NT)
            {
                // B is stored (n × k): row j of storage holds column j of op(B).
                for (int j = 0; j < nr; j++)
                {
                    if (j < cols)
                    {
                        float* src = b + (long)(j0 + s + j) * k + p0;
                        for (int p = 0; p < kc; p++) strip[p * nr + j] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) strip[p * nr + j] = 0f;
                    }
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(p0 + p) * n + j0 + s;
                    float* d = strip + p * nr;
                    if (cols == nr)
                    {
                        // Whole strips are the common case: a vector copy inline, not a call per 32 floats.
                        if (nr == 32)
                        {
                            Vector512.Store(Vector512.Load(src), d);
                            Vector512.Store(Vector512.Load(src + 16), d + 16);
                        }
                        else
                        {
                            Vector256.Store(Vector256.Load(src), d);
                            Vector256.Store(Vector256.Load(src + 8), d + 8);
                        }
                    }
                    else
                    {
                        int j = 0;
                        for (; j < cols; j++) d[j] = src[j];
                        for (; j < nr; j++) d[j] = 0f;
                    }
                }
            }
        }
    }
}

