using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>
/// Where one micro-tile's sums go: C's rows <see cref="Row"/>.. and columns <see cref="Col"/>.. (<see cref="Rows"/> ×
/// <see cref="Cols"/> of them valid, row stride <see cref="Ldc"/>). Unless <see cref="First"/>, C already holds the
/// earlier k-blocks' sums; on the <see cref="Last"/> k-block the epilogue applies.
/// </summary>
internal readonly unsafe struct CTile(float* c, int ldc, int row, int col, int rows, int cols, bool first, bool last)
{
    public readonly float* C = c;
    public readonly int Ldc = ldc, Row = row, Col = col, Rows = rows, Cols = cols;
    public readonly bool First = first, Last = last;

    /// <summary>Element (i, j) of the tile in C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // NativeAOT left it a call per tile (0.2 % of Predict in perf)
    public float* At(int i, int j) => C + (long)(Row + i) * Ldc + Col + j;
}

public static partial class Gemm
{
    /// <summary>
    /// The micro-kernel: an MR × NR tile of Σₚ a[p] ⊗ b[p] over a packed B strip, added into C as the
    /// <paramref name="target"/> says. Row i of A starts at a + i·rowStride and steps by <paramref name="step"/>
    /// along k: a packed strip (1, MR) or A in place (k, 1 for a row-major A). Rows past the target's re-read its
    /// last row; their sums are never stored.
    /// </summary>
    /// <remarks>
    /// A whole tile leaves the registers straight into C: adding what C holds, then the epilogue. A ragged one goes
    /// through <paramref name="tile"/> (MR × NR floats) and <see cref="StoreTile"/>. Going through the tile buffer for
    /// every tile, as before, cost a store and a reload of each sum, and the reload of C came after the whole sum:
    /// in a perf profile of Predict (batch 1024, AVX-512) that one load held 7 % of the samples; with direct stores
    /// it is gone and the micro-kernel's FMA loop holds about 79 %. Prefetching C ahead of the sum was tried and
    /// gained nothing measurable, so it is not here. The k loop takes two k a pass and reads A's six rows at one
    /// offset: stepping six row pointers every k put seven adds and a compare beside each twelve FMAs, and with them
    /// gone (alternating runs, two cores, GFLOP/s) NN 128×512×784 went 309–323 → 323–335 and 2048³ 317–366 → 369–379
    /// on AVX-512, 176–177 → 180–184 and 192–195 → 194–197 on AVX2 (one core, 2048³: 96–98 → 99–102).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void MicroKernel<TEpilogue>(int kc, float* a, nint rowStride, nint step, float* b,
        in CTile target, float* tile, void* epilogue) where TEpilogue : struct, IGemmEpilogue
    {
        int rows = target.Rows;
        float* a0 = a, a1 = RowOfA(a, 1, rows, rowStride), a2 = RowOfA(a, 2, rows, rowStride),
               a3 = RowOfA(a, 3, rows, rowStride), a4 = RowOfA(a, 4, rows, rowStride), a5 = RowOfA(a, 5, rows, rowStride);
        bool whole = rows == MR && target.Cols == NR;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                             c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            nint o = 0, twoSteps = 2 * step;
            int p = 0;
            // Two k a pass, A's six rows read at one offset o instead of six pointers stepped every k (measured in the remarks).
            for (; p + 1 < kc; p += 2, o += twoSteps, b += 64)
            {
                nint o1 = o + step;
                {
                    var b0 = Vector512.Load(b);
                    var b1 = Vector512.Load(b + 16);
                    var x = Vector512.Create(a0[o]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                    x = Vector512.Create(a1[o]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                    x = Vector512.Create(a2[o]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                    x = Vector512.Create(a3[o]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                    x = Vector512.Create(a4[o]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                    x = Vector512.Create(a5[o]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                }
                {
                    var b0 = Vector512.Load(b + 32);
                    var b1 = Vector512.Load(b + 48);
                    var x = Vector512.Create(a0[o1]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                    x = Vector512.Create(a1[o1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                    x = Vector512.Create(a2[o1]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                    x = Vector512.Create(a3[o1]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                    x = Vector512.Create(a4[o1]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                    x = Vector512.Create(a5[o1]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
                }
            }
            if (p < kc)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + 16);
                var x = Vector512.Create(a0[o]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
                x = Vector512.Create(a1[o]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
                x = Vector512.Create(a2[o]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
                x = Vector512.Create(a3[o]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
                x = Vector512.Create(a4[o]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
                x = Vector512.Create(a5[o]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            }
            if (whole)
            {
                // The tile's place in locals: C's stores could alias the target if read through it.
                float* c = target.At(0, 0);
                nint ldc = target.Ldc;
                int row = target.Row, col = target.Col;
                bool first = target.First, last = target.Last;
                var epi = Unsafe.AsRef<TEpilogue>(epilogue);
                Put(c00, c, first, last, row, col, epi); Put(c01, c + 16, first, last, row, col + 16, epi);
                Put(c10, c + 1 * ldc, first, last, row + 1, col, epi); Put(c11, c + 1 * ldc + 16, first, last, row + 1, col + 16, epi);
                Put(c20, c + 2 * ldc, first, last, row + 2, col, epi); Put(c21, c + 2 * ldc + 16, first, last, row + 2, col + 16, epi);
                Put(c30, c + 3 * ldc, first, last, row + 3, col, epi); Put(c31, c + 3 * ldc + 16, first, last, row + 3, col + 16, epi);
                Put(c40, c + 4 * ldc, first, last, row + 4, col, epi); Put(c41, c + 4 * ldc + 16, first, last, row + 4, col + 16, epi);
                Put(c50, c + 5 * ldc, first, last, row + 5, col, epi); Put(c51, c + 5 * ldc + 16, first, last, row + 5, col + 16, epi);
                return;
            }
            c00.Store(tile); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
            c20.Store(tile + 64); c21.Store(tile + 80); c30.Store(tile + 96); c31.Store(tile + 112);
            c40.Store(tile + 128); c41.Store(tile + 144); c50.Store(tile + 160); c51.Store(tile + 176);
        }
        else
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
                             c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            nint o = 0, twoSteps = 2 * step;
            int p = 0;
            for (; p + 1 < kc; p += 2, o += twoSteps, b += 32) // as above
            {
                nint o1 = o + step;
                {
                    var b0 = Vector256.Load(b);
                    var b1 = Vector256.Load(b + 8);
                    var x = Vector256.Create(a0[o]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                    x = Vector256.Create(a1[o]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                    x = Vector256.Create(a2[o]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                    x = Vector256.Create(a3[o]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                    x = Vector256.Create(a4[o]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
                    x = Vector256.Create(a5[o]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
                }
                {
                    var b0 = Vector256.Load(b + 16);
                    var b1 = Vector256.Load(b + 24);
                    var x = Vector256.Create(a0[o1]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                    x = Vector256.Create(a1[o1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                    x = Vector256.Create(a2[o1]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                    x = Vector256.Create(a3[o1]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                    x = Vector256.Create(a4[o1]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
                    x = Vector256.Create(a5[o1]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
                }
            }
            if (p < kc)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + 8);
                var x = Vector256.Create(a0[o]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
                x = Vector256.Create(a1[o]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
                x = Vector256.Create(a2[o]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
                x = Vector256.Create(a3[o]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
                x = Vector256.Create(a4[o]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
                x = Vector256.Create(a5[o]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            }
            if (whole)
            {
                // The tile's place in locals: C's stores could alias the target if read through it.
                float* c = target.At(0, 0);
                nint ldc = target.Ldc;
                int row = target.Row, col = target.Col;
                bool first = target.First, last = target.Last;
                var epi = Unsafe.AsRef<TEpilogue>(epilogue);
                Put(c00, c, first, last, row, col, epi); Put(c01, c + 8, first, last, row, col + 8, epi);
                Put(c10, c + 1 * ldc, first, last, row + 1, col, epi); Put(c11, c + 1 * ldc + 8, first, last, row + 1, col + 8, epi);
                Put(c20, c + 2 * ldc, first, last, row + 2, col, epi); Put(c21, c + 2 * ldc + 8, first, last, row + 2, col + 8, epi);
                Put(c30, c + 3 * ldc, first, last, row + 3, col, epi); Put(c31, c + 3 * ldc + 8, first, last, row + 3, col + 8, epi);
                Put(c40, c + 4 * ldc, first, last, row + 4, col, epi); Put(c41, c + 4 * ldc + 8, first, last, row + 4, col + 8, epi);
                Put(c50, c + 5 * ldc, first, last, row + 5, col, epi); Put(c51, c + 5 * ldc + 8, first, last, row + 5, col + 8, epi);
                return;
            }
            c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
            c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
            c40.Store(tile + 64); c41.Store(tile + 72); c50.Store(tile + 80); c51.Store(tile + 88);
        }
        StoreTile(tile, NR, target.C, target.Ldc, target.Row, target.Col, rows, target.Cols, target.First, target.Last, Unsafe.AsRef<TEpilogue>(epilogue));
    }

    /// <summary>
    /// The micro-kernel for a C at most <see cref="NarrowStrip"/> columns wide on AVX-512 (a 10-class output layer and
    /// its weight gradient): MR rows of one Vector512 each over B packed in 16-column strips, where the 32-column tile
    /// computes 22 of every 32 columns for nothing. Even and odd k add into separate sums, so that twelve FMAs are in
    /// flight as in the wide kernel. Arguments as for <see cref="MicroKernel"/>; the tile always leaves through
    /// <paramref name="tile"/> (MR × 16 floats), as the columns are rarely a whole vector. Against the 32-column tile,
    /// in alternating runs (GFLOP/s, two cores, AVX-512): NN 1024 × 10 × 512 (Predict's output layer) 109–113 → 178–184,
    /// NN 128 × 10 × 512 76–80 → 121–130, TN 512 × 10 × 128 92–101 → 122–129.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void NarrowMicroKernel<TEpilogue>(int kc, float* a, nint rowStride, nint step, float* b,
        in CTile target, float* tile, void* epilogue) where TEpilogue : struct, IGemmEpilogue
    {
        int rows = target.Rows;
        float* a0 = a, a1 = RowOfA(a, 1, rows, rowStride), a2 = RowOfA(a, 2, rows, rowStride),
               a3 = RowOfA(a, 3, rows, rowStride), a4 = RowOfA(a, 4, rows, rowStride), a5 = RowOfA(a, 5, rows, rowStride);
        Vector512<float> e0 = default, e1 = default, e2 = default, e3 = default, e4 = default, e5 = default,
                         o0 = default, o1 = default, o2 = default, o3 = default, o4 = default, o5 = default;
        nint twoSteps = 2 * step;
        int p = 0;
        for (; p + 1 < kc; p += 2, a0 += twoSteps, a1 += twoSteps, a2 += twoSteps, a3 += twoSteps, a4 += twoSteps, a5 += twoSteps, b += 32)
        {
            var be = Vector512.Load(b);
            var bo = Vector512.Load(b + 16);
            e0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a0), be, e0); o0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[step]), bo, o0);
            e1 = Vector512.FusedMultiplyAdd(Vector512.Create(*a1), be, e1); o1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[step]), bo, o1);
            e2 = Vector512.FusedMultiplyAdd(Vector512.Create(*a2), be, e2); o2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[step]), bo, o2);
            e3 = Vector512.FusedMultiplyAdd(Vector512.Create(*a3), be, e3); o3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[step]), bo, o3);
            e4 = Vector512.FusedMultiplyAdd(Vector512.Create(*a4), be, e4); o4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[step]), bo, o4);
            e5 = Vector512.FusedMultiplyAdd(Vector512.Create(*a5), be, e5); o5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[step]), bo, o5);
        }
        if (p < kc)
        {
            var be = Vector512.Load(b);
            e0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a0), be, e0); e1 = Vector512.FusedMultiplyAdd(Vector512.Create(*a1), be, e1);
            e2 = Vector512.FusedMultiplyAdd(Vector512.Create(*a2), be, e2); e3 = Vector512.FusedMultiplyAdd(Vector512.Create(*a3), be, e3);
            e4 = Vector512.FusedMultiplyAdd(Vector512.Create(*a4), be, e4); e5 = Vector512.FusedMultiplyAdd(Vector512.Create(*a5), be, e5);
        }
        (e0 + o0).Store(tile); (e1 + o1).Store(tile + 16); (e2 + o2).Store(tile + 32);
        (e3 + o3).Store(tile + 48); (e4 + o4).Store(tile + 64); (e5 + o5).Store(tile + 80);
        StoreTile(tile, NarrowStrip, target.C, target.Ldc, target.Row, target.Col, rows, target.Cols, target.First, target.Last, Unsafe.AsRef<TEpilogue>(epilogue));
    }

    /// <summary>Row i of a micro-tile's A; rows past the target's <paramref name="rows"/> re-read its last row (their sums are never stored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float* RowOfA(float* a, int i, int rows, nint rowStride) => a + Math.Min(i, rows - 1) * rowStride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put<TEpilogue>(Vector512<float> sum, float* dst, bool first, bool last, int row, int col, in TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        if (!first) sum += Vector512.Load(dst);
        if (last) sum = epilogue.Apply(sum, row, col);
        sum.Store(dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put<TEpilogue>(Vector256<float> sum, float* dst, bool first, bool last, int row, int col, in TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        if (!first) sum += Vector256.Load(dst);
        if (last) sum = epilogue.Apply(sum, row, col);
        sum.Store(dst);
    }

    /// <summary>
    /// Moves a finished tile into C: adds what earlier k-blocks left there, and on the last k-block applies the
    /// epilogue. Vector stores where a whole vector fits, scalar for the ragged edge.
    /// </summary>
    // Called, not inlined: it runs once per ragged tile (and per narrow tile, after kc FMAs of each row), and kept
    // out of the kernels' bodies it is compiled once per epilogue instead of into each kernel and each caller.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
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
