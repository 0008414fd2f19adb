using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using unsafe TileKernel = delegate*<int, float*, nint, nint, float*, in GraphGen.Cpu.CTile, float*, void*, void>;

namespace GraphGen.Cpu;

/// <summary>
/// One GEMM call cut into column or row ranges; each part packs its own panels and runs the micro-kernel over them.
/// Not generic: the kernel for the call's epilogue comes as a function pointer and the epilogue as a pointer to the
/// caller's copy, so this driver (the split, the two loop orders, the block sweep) is compiled once, not once per
/// epilogue as when it was <c>GemmJob&lt;TEpilogue&gt;</c>. That costs one indirect call per micro-tile: in alternating
/// runs of both builds the bare training step and Predict were the same within noise (AVX-512).
/// </summary>
internal sealed unsafe class GemmJob : IParallelWork
{
    [ThreadStatic] private static GemmJob? t_job;
    // Packing buffers per thread, 64-byte aligned, allocated once and kept for the thread's life.
    [ThreadStatic] private static float* t_packB;
    [ThreadStatic] private static float* t_tile;

    private GemmLayout _layout;
    private int _m, _n, _k;
    private float* _a, _b, _c;
    private TileKernel _kernel;
    private void* _epilogue;
    private bool _narrow, _splitColumns;
    private int _parts;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GemmJob ForThisThread() => t_job ??= new GemmJob();

    /// <summary>Columns per packed strip of B and per micro-tile: <see cref="Gemm.NR"/>, or 16 for a narrow C.</summary>
    private int Nr => _narrow ? Gemm.NarrowStrip : Gemm.NR;

    /// <summary>
    /// C = epilogue(op(A)·op(B)) for k ≥ 1 on all cores, through <paramref name="wide"/> or, for a C that
    /// <see cref="Gemm.IsNarrow"/>, <paramref name="narrow"/>: the two micro-kernels for the epilogue.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(GemmLayout layout, int m, int n, int k, float* a, float* b, float* c, TileKernel wide, TileKernel narrow, void* epilogue)
    {
        _layout = layout; _m = m; _n = n; _k = k;
        _a = a; _b = b; _c = c;
        _narrow = Gemm.IsNarrow(n);
        _kernel = _narrow ? narrow : wide;
        _epilogue = epilogue;
        // Split the larger side of C across the cores in whole micro-tiles; small GEMMs stay on one core.
        long flops = 2L * m * n * k;
        int threads = flops < 200_000 ? 1 : WorkerPool.Shared.Threads;
        _splitColumns = Gemm.SplitColumns(m, n, k, threads);
        int tiles = _splitColumns ? (n + Nr - 1) / Nr : (m + Gemm.MR - 1) / Gemm.MR;
        _parts = Math.Max(1, Math.Min(threads, tiles));
        WorkerPool.Shared.Run(this, _parts);
        _a = _b = _c = null;
        _epilogue = null;
    }

    // Compiled optimised at once, Sweep inlined: under tiering Sweep was compiled optimised on its own and then again
    // inside Execute's tier-1 code, and Execute three times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part)
    {
        int unit = _splitColumns ? Nr : Gemm.MR;
        int total = _splitColumns ? _n : _m;
        int units = (total + unit - 1) / unit;
        int begin = (int)((long)units * part / _parts) * unit;
        int end = Math.Min(total, (int)((long)units * (part + 1) / _parts) * unit);
        if (begin >= end) return;
        if (_splitColumns) Sweep(0, _m, begin, end);
        else Sweep(begin, end, 0, _n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EnsureBuffers()
    {
        if (t_packB != null) return;
        t_packB = (float*)NativeMemory.AlignedAlloc((nuint)(Gemm.KC * Gemm.NC * sizeof(float)), 64);
        t_tile = (float*)NativeMemory.AlignedAlloc((nuint)(Gemm.MR * 32 * sizeof(float)), 64);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Sweep(int m0, int m1, int n0, int n1)
    {
        EnsureBuffers();
        int nr = Nr;
        float* packB = t_packB, tile = t_tile;
        int panel = Gemm.ResidentPanelColumns(_k, n1 - n0);
        if (panel > 0)
        {
            // A panel's B packed whole, then one row block at a time through every k-block, so that C's block stays in
            // cache between its k-blocks. In the order below C is swept once per k-block, and a C larger than the cache
            // (Predict's 1,024 rows) waited on memory at every read-back: 11 % of Predict.
            for (int jc = n0; jc < n1; jc += panel)
            {
                int nc = Math.Min(panel, n1 - jc), width = (nc + nr - 1) / nr * nr;
                for (int pc = 0; pc < _k; pc += Gemm.KC)
                    Gemm.PackB(_layout, _b, _n, _k, pc, Math.Min(Gemm.KC, _k - pc), jc, nc, packB + (long)pc * width, nr);
                for (int ic = m0; ic < m1; ic += Gemm.MC)
                    for (int pc = 0; pc < _k; pc += Gemm.KC)
                        SweepBlock(ic, Math.Min(Gemm.MC, m1 - ic), pc, Math.Min(Gemm.KC, _k - pc), jc, nc, packB + (long)pc * width, tile);
            }
            return;
        }
        for (int jc = n0; jc < n1; jc += Gemm.NC)
        {
            int nc = Math.Min(Gemm.NC, n1 - jc);
            for (int pc = 0; pc < _k; pc += Gemm.KC)
            {
                int kc = Math.Min(Gemm.KC, _k - pc);
                Gemm.PackB(_layout, _b, _n, _k, pc, kc, jc, nc, packB, nr);
                for (int ic = m0; ic < m1; ic += Gemm.MC)
                    SweepBlock(ic, Math.Min(Gemm.MC, m1 - ic), pc, kc, jc, nc, packB, tile);
            }
        }
    }

    /// <summary>C[ic.., jc..] (mc × nc) += A[ic.., pc..] · B[pc.., jc..] over one k-block, B packed at <paramref name="packB"/>, micro-tile by micro-tile.</summary>
    // A call per block of MC rows, not inlined into both loop orders of Sweep: Execute compiles smaller.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private void SweepBlock(int ic, int mc, int pc, int kc, int jc, int nc, float* packB, float* tile)
    {
        int nr = Nr;
        bool first = pc == 0, last = pc + kc >= _k;
        var kernel = _kernel;
        void* epilogue = _epilogue;
        for (int jr = 0; jr < nc; jr += nr)
        {
            float* bStrip = packB + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += Gemm.MR)
            {
                var target = new CTile(_c, _n, ic + ir, jc + jr, Math.Min(Gemm.MR, mc - ir), Math.Min(nr, nc - jr), first, last);
                // A in place: row i of op(A) is a row of storage (NN, NT) or a column (TN, stored k × m).
                float* a = _layout == GemmLayout.TN ? _a + (long)pc * _m + ic + ir : _a + (long)(ic + ir) * _k + pc;
                nint rowStride = _layout == GemmLayout.TN ? 1 : _k, step = _layout == GemmLayout.TN ? _m : 1;
                kernel(kc, a, rowStride, step, bStrip, target, tile, epilogue);
            }
        }
    }
}
