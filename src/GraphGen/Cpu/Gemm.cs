using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>Which operands a GEMM reads transposed. C (m × n) is always row-major and contiguous.</summary>
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
/// Single-precision GEMM: packed panels, a register-blocked SIMD micro-kernel (6 rows × 2 vectors: Vector512 on
/// AVX-512, else Vector256), cache blocking over k, m and n, and all cores through <see cref="WorkerPool"/>.
/// The transposes of the three layouts are absorbed by the packing, so one micro-kernel serves them all. The
/// epilogue runs once per element as the last k-block is stored.
/// </summary>
public static class Gemm
{
    internal const int MR = 6;
    internal const int KC = 256;
    internal const int MC = 96;
    internal const int NC = 1024;
    internal static int NR => Vector512.IsHardwareAccelerated ? 32 : 16;

    /// <summary>C = epilogue(op(A)·op(B)). Spans are row-major and contiguous; see <see cref="GemmLayout"/> for the shapes.</summary>
    public static void Multiply(GemmLayout layout, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
        => Multiply(layout, m, n, k, a, b, c, default(NoEpilogue));

    public static unsafe void Multiply<TEpilogue>(GemmLayout layout, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must not be negative: m={m}, n={n}, k={k}.");
        if (a.Length < (long)m * k) throw new ArgumentException($"A has {a.Length} values; {layout} with m={m}, k={k} needs {(long)m * k}.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"B has {b.Length} values; {layout} with k={k}, n={n} needs {(long)k * n}.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"C has {c.Length} values; m={m}, n={n} needs {(long)m * n}.", nameof(c));
        if (m == 0 || n == 0) return;
        epilogue.Check(m, n);

        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = GemmJob<TEpilogue>.ForThisThread();
            job.Set(layout, m, n, k, pa, pb, pc, epilogue);
            // Split the larger side of C across the cores in whole micro-tiles; small GEMMs stay on one core.
            long flops = 2L * m * n * Math.Max(k, 1);
            int threads = flops < 200_000 ? 1 : WorkerPool.Shared.Threads;
            job.SplitColumns = n / NR >= m / MR;
            int tiles = job.SplitColumns ? (n + NR - 1) / NR : (m + MR - 1) / MR;
            job.Parts = Math.Max(1, Math.Min(threads, tiles));
            WorkerPool.Shared.Run(job, job.Parts);
            job.Clear();
        }
    }

    /// <summary>The micro-kernel: tile (MR × NR, row stride NR) = Σₚ a[p] ⊗ b[p] over the packed strips.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MicroKernel(int kc, float* a, float* b, float* tile)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                             c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++, a += MR, b += 32)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                var a0 = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
                var a1 = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
                var a2 = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
                var a3 = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
                var a4 = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
                var a5 = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            }
            c00.Store(tile); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
            c20.Store(tile + 64); c21.Store(tile + 80); c30.Store(tile + 96); c31.Store(tile + 112);
            c40.Store(tile + 128); c41.Store(tile + 144); c50.Store(tile + 160); c51.Store(tile + 176);
        }
        else
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                             c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++, a += MR, b += 16)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + 8);
                var a0 = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
                var a1 = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
                var a2 = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
                var a3 = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
                var a4 = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
                var a5 = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            }
            c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
            c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
            c40.Store(tile + 64); c41.Store(tile + 72); c50.Store(tile + 80); c51.Store(tile + 88);
        }
    }

    /// <summary>
    /// Moves a finished tile into C: adds what earlier k-blocks left there, and on the last k-block applies the
    /// epilogue. Vector stores where a whole vector fits, scalar for the ragged edge.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void StoreTile<TEpilogue>(float* tile, int nr, float* c, int ldc, int row0, int col0, int rows, int cols,
        bool first, bool last, in TEpilogue epilogue) where TEpilogue : struct, IGemmEpilogue
    {
        for (int i = 0; i < rows; i++)
        {
            float* src = tile + i * nr;
            float* dst = c + (long)(row0 + i) * ldc + col0;
            int row = row0 + i, j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= cols; j += 16)
                {
                    var v = Vector512.Load(src + j);
                    if (!first) v += Vector512.Load(dst + j);
                    if (last) v = epilogue.Apply(v, row, col0 + j);
                    v.Store(dst + j);
                }
            }
            for (; j + 8 <= cols; j += 8)
            {
                var v = Vector256.Load(src + j);
                if (!first) v += Vector256.Load(dst + j);
                if (last) v = epilogue.Apply(v, row, col0 + j);
                v.Store(dst + j);
            }
            for (; j < cols; j++)
            {
                float v = src[j];
                if (!first) v += dst[j];
                if (last) v = epilogue.Apply(v, row, col0 + j);
                dst[j] = v;
            }
        }
    }
}

/// <summary>One GEMM call cut into column or row ranges; each part packs its own panels.</summary>
internal sealed unsafe class GemmJob<TEpilogue> : IParallelWork where TEpilogue : struct, IGemmEpilogue
{
    [ThreadStatic] private static GemmJob<TEpilogue>? t_job;
    // Packing buffers per thread, 64-byte aligned, allocated once and kept for the thread's life.
    [ThreadStatic] private static float* t_packA;
    [ThreadStatic] private static float* t_packB;
    [ThreadStatic] private static float* t_tile;

    private GemmLayout _layout;
    private int _m, _n, _k;
    private float* _a, _b, _c;
    private TEpilogue _epilogue;
    public bool SplitColumns;
    public int Parts;

    public static GemmJob<TEpilogue> ForThisThread() => t_job ??= new GemmJob<TEpilogue>();

    public void Set(GemmLayout layout, int m, int n, int k, float* a, float* b, float* c, TEpilogue epilogue)
    {
        _layout = layout; _m = m; _n = n; _k = k;
        _a = a; _b = b; _c = c;
        _epilogue = epilogue;
    }

    public void Clear() { _a = _b = _c = null; _epilogue = default; }

    public void Execute(int part)
    {
        int nr = Gemm.NR;
        int unit = SplitColumns ? nr : Gemm.MR;
        int total = SplitColumns ? _n : _m;
        int units = (total + unit - 1) / unit;
        int begin = (int)((long)units * part / Parts) * unit;
        int end = Math.Min(total, (int)((long)units * (part + 1) / Parts) * unit);
        if (begin >= end) return;
        if (SplitColumns) Run(0, _m, begin, end);
        else Run(begin, end, 0, _n);
    }

    private static void EnsureBuffers()
    {
        if (t_packA != null) return;
        t_packA = (float*)NativeMemory.AlignedAlloc((nuint)(Gemm.MC * Gemm.KC * sizeof(float)), 64);
        t_packB = (float*)NativeMemory.AlignedAlloc((nuint)(Gemm.KC * Gemm.NC * sizeof(float)), 64);
        t_tile = (float*)NativeMemory.AlignedAlloc((nuint)(Gemm.MR * 32 * sizeof(float)), 64);
    }

    private void Run(int m0, int m1, int n0, int n1)
    {
        EnsureBuffers();
        int nr = Gemm.NR;
        float* packA = t_packA, packB = t_packB, tile = t_tile;
        if (_k == 0)
        {
            // No sum to take: C is the epilogue applied to zeros.
            new Span<float>(tile, Gemm.MR * nr).Clear();
            for (int i = m0; i < m1; i += Gemm.MR)
                for (int j = n0; j < n1; j += nr)
                    Gemm.StoreTile(tile, nr, _c, _n, i, j, Math.Min(Gemm.MR, m1 - i), Math.Min(nr, n1 - j), true, true, _epilogue);
            return;
        }
        for (int jc = n0; jc < n1; jc += Gemm.NC)
        {
            int nc = Math.Min(Gemm.NC, n1 - jc);
            for (int pc = 0; pc < _k; pc += Gemm.KC)
            {
                int kc = Math.Min(Gemm.KC, _k - pc);
                bool first = pc == 0, last = pc + kc >= _k;
                PackB(pc, kc, jc, nc, packB, nr);
                for (int ic = m0; ic < m1; ic += Gemm.MC)
                {
                    int mc = Math.Min(Gemm.MC, m1 - ic);
                    PackA(ic, mc, pc, kc, packA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        float* bStrip = packB + (long)jr * kc;
                        for (int ir = 0; ir < mc; ir += Gemm.MR)
                        {
                            Gemm.MicroKernel(kc, packA + (long)ir * kc, bStrip, tile);
                            Gemm.StoreTile(tile, nr, _c, _n, ic + ir, jc + jr, Math.Min(Gemm.MR, mc - ir), Math.Min(nr, nc - jr), first, last, _epilogue);
                        }
                    }
                }
            }
        }
    }

    /// <summary>op(A)[i0.., p0..] → MR-row strips, k-major; rows past the edge are zero.</summary>
    private void PackA(int i0, int mc, int p0, int kc, float* dst)
    {
        const int mr = Gemm.MR;
        for (int s = 0; s < mc; s += mr)
        {
            int rows = Math.Min(mr, mc - s);
            float* strip = dst + (long)s * kc;
            if (_layout == GemmLayout.TN)
            {
                // A is stored (k × m): row p of storage holds column p of op(A).
                for (int p = 0; p < kc; p++)
                {
                    float* src = _a + (long)(p0 + p) * _m + i0 + s;
                    float* d = strip + p * mr;
                    int i = 0;
                    for (; i < rows; i++) d[i] = src[i];
                    for (; i < mr; i++) d[i] = 0f;
                }
            }
            else
            {
                for (int i = 0; i < mr; i++)
                {
                    if (i < rows)
                    {
                        float* src = _a + (long)(i0 + s + i) * _k + p0;
                        for (int p = 0; p < kc; p++) strip[p * mr + i] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) strip[p * mr + i] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>op(B)[p0.., j0..] → NR-column strips, k-major; columns past the edge are zero.</summary>
    private void PackB(int p0, int kc, int j0, int nc, float* dst, int nr)
    {
        for (int s = 0; s < nc; s += nr)
        {
            int cols = Math.Min(nr, nc - s);
            float* strip = dst + (long)s * kc;
            if (_layout == GemmLayout.NT)
            {
                // B is stored (n × k): row j of storage holds column j of op(B).
                for (int j = 0; j < nr; j++)
                {
                    if (j < cols)
                    {
                        float* src = _b + (long)(j0 + s + j) * _k + p0;
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
                    float* src = _b + (long)(p0 + p) * _n + j0 + s;
                    float* d = strip + p * nr;
                    if (cols == nr)
                    {
                        new ReadOnlySpan<float>(src, nr).CopyTo(new Span<float>(d, nr));
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
