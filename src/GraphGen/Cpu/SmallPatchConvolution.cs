using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>
/// Convolutions whose window holds few values (at most <see cref="MaxPatch"/>: a 3×3 kernel on one to three channels,
/// a network's first layer) without the batch's patch matrix. With a K that small the SGEMM's packing and the
/// patch matrix's trip through memory cost more than the arithmetic, and a filter gradient of only K rows leaves
/// the SGEMM one or two tiles to share among the cores. Here the pixels are cut into chunks of
/// <see cref="ChunkRows"/>, and each window value is read where it is: straight from the image at the window's offsets
/// wherever the chunk's windows lie inside it (every chunk of a valid-padded layer), or from the chunk's patch rows
/// gathered into a stack buffer that stays in L1 where a window reaches the padding. The forward pass runs as 4 rows ×
/// 16 filters register tiles (each value broadcast once for two vectors of filters) with the GEMM's epilogue as it
/// stores; the filter gradient as 4 window values × 16 filters accumulated over the chunk's pixels, each part of the
/// batch into a partial of its own, added up in part order so that the result does not depend on which thread ran
/// which part. Gathering every patch row first had cost as much as the arithmetic (the MNIST convnet's first layer:
/// forward 1.80 → 0.54 ms, filter gradient 1.79 → 0.62 ms at batch 128 on this repository's AVX-512 machine).
/// 256-bit vectors on every x64 CPU with AVX2: at this size the stores and the gathers bound the time, not the FMAs.
/// </summary>
internal static unsafe class SmallPatchConvolution
{
    public const int MaxPatch = 32;
    private const int ChunkRows = 64;
    private const int Lanes = 8;

    public static bool Applies(ConvShape s, int filters)
        => Vector256.IsHardwareAccelerated && s.Patch <= MaxPatch && filters % Lanes == 0 && filters > 0;

    public static void Forward<TEpilogue>(float* x, float* w, float* y, ConvShape s, int filters, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        epilogue.Check(s.Pixels, filters);
        var job = ForwardJob<TEpilogue>.ForThisThread();
        job.Set(x, w, y, s, filters, epilogue);
        WorkerPool.Shared.Run(job, job.Parts);
        job.Clear();
    }

    public static void BackwardFilter(float* x, float* dy, float* dw, ConvShape s, int filters)
    {
        var job = t_filterJob ??= new FilterJob();
        int size = s.Patch * filters;
        job.Set(x, dy, s, filters);
        if (job.Partials is null || job.Partials.Length < job.Parts * size) job.Partials = new float[job.Parts * size];
        WorkerPool.Shared.Run(job, job.Parts);
        var into = new Span<float>(dw, size);
        into.Clear();
        for (int part = 0; part < job.Parts; part++)
            System.Numerics.Tensors.TensorPrimitives.Add(into, job.Partials.AsSpan(part * size, size), into);
        job.Clear();
    }

    [ThreadStatic] private static FilterJob? t_filterJob;

    /// <summary>What both passes share: the geometry, the part split (whole chunks) and the gathering of a chunk.</summary>
    private abstract class ChunkedJob
    {
        protected float* X;
        protected ConvShape Shape;
        protected int Filters;
        public int Parts;

        protected void SetShape(float* x, ConvShape s, int filters)
        {
            X = x;
            Shape = s;
            Filters = filters;
            int chunks = (s.Pixels + ChunkRows - 1) / ChunkRows;
            // Parts fixed by the sizes alone (never by timing): the filter gradient's sum order must not vary.
            Parts = (long)s.Pixels * s.Patch * filters < 200_000 ? 1 : Math.Max(1, Math.Min(chunks, WorkerPool.Shared.Threads * 4));
        }

        /// <summary>The pixel rows of part <paramref name="part"/>, whole chunks but the batch's last.</summary>
        protected (int Begin, int End) Rows(int part)
        {
            int chunks = (Shape.Pixels + ChunkRows - 1) / ChunkRows;
            int begin = (int)((long)chunks * part / Parts) * ChunkRows, end = (int)((long)chunks * (part + 1) / Parts) * ChunkRows;
            return (begin, Math.Min(end, Shape.Pixels));
        }

        /// <summary>
        /// Where each pixel of rows [first, first + count) finds its window: <paramref name="corners"/>[r] + offsets[i] is
        /// the window's value i. Straight from the image where every window of the chunk lies inside it (always without
        /// padding), at the window offsets (ky·W + kx)·C + c; else the chunk is gathered into <paramref name="patches"/>
        /// (zeros where a window leaves the image), each row its own corner, at offsets 0, 1, 2, …
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected int* Locate(float** corners, int first, int count, float* patches, int* imageOffsets, int* rowOffsets)
        {
            var s = Shape;
            int perImage = s.OutHeight * s.OutWidth;
            // The first pixel's image, row and column by division, the rest by stepping along the rows.
            int n = first / perImage, oy = (first - n * perImage) / s.OutWidth, ox = first - n * perImage - oy * s.OutWidth;
            for (int r = 0; r < count; r++)
            {
                int y0 = oy * s.Stride - s.PadTop, x0 = ox * s.Stride - s.PadLeft;
                if (y0 < 0 || x0 < 0 || y0 + s.KernelHeight > s.Height || x0 + s.KernelWidth > s.Width)
                {
                    ImageColumns.GatherRows(X, patches, first, count, s);
                    for (int q = 0; q < count; q++) corners[q] = patches + q * s.Patch;
                    return rowOffsets;
                }
                corners[r] = X + (((long)n * s.Height + y0) * s.Width + x0) * s.Channels;
                if (++ox < s.OutWidth) continue;
                ox = 0;
                if (++oy < s.OutHeight) continue;
                oy = 0;
                n++;
            }
            return imageOffsets;
        }

        /// <summary>The window's offsets from its corner in the image, and in a gathered row (0 … patch − 1).</summary>
        protected void Offsets(int* imageOffsets, int* rowOffsets)
        {
            var s = Shape;
            for (int ky = 0, i = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
            for (int c = 0; c < s.Channels; c++, i++)
            {
                imageOffsets[i] = (ky * s.Width + kx) * s.Channels + c;
                rowOffsets[i] = i;
            }
        }
    }

    private sealed class ForwardJob<TEpilogue> : ChunkedJob, IParallelWork where TEpilogue : struct, IGemmEpilogue
    {
        [ThreadStatic] private static ForwardJob<TEpilogue>? t_job;
        private float* _w, _y;
        private TEpilogue _epilogue;

        public static ForwardJob<TEpilogue> ForThisThread() => t_job ??= new ForwardJob<TEpilogue>();

        public void Set(float* x, float* w, float* y, ConvShape s, int filters, TEpilogue epilogue)
        {
            SetShape(x, s, filters);
            _w = w;
            _y = y;
            _epilogue = epilogue;
        }

        public void Clear()
        {
            X = _w = _y = null;
            _epilogue = default;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int part)
        {
            float* patches = stackalloc float[ChunkRows * MaxPatch];
            float** corners = stackalloc float*[ChunkRows];
            int* imageOffsets = stackalloc int[MaxPatch], rowOffsets = stackalloc int[MaxPatch];
            Offsets(imageOffsets, rowOffsets);
            var (begin, end) = Rows(part);
            for (int first = begin; first < end; first += ChunkRows)
            {
                int count = Math.Min(ChunkRows, end - first);
                int* offsets = Locate(corners, first, count, patches, imageOffsets, rowOffsets);
                int f = 0;
                for (; f + 2 * Lanes <= Filters; f += 2 * Lanes)
                {
                    int r = 0;
                    for (; r + 4 <= count; r += 4) Tile4x16(corners + r, offsets, first + r, f);
                    for (; r < count; r++) { Tile1(corners[r], offsets, first + r, f); Tile1(corners[r], offsets, first + r, f + Lanes); }
                }
                for (; f < Filters; f += Lanes)
                {
                    int r = 0;
                    for (; r + 4 <= count; r += 4) Tile4x8(corners + r, offsets, first + r, f);
                    for (; r < count; r++) Tile1(corners[r], offsets, first + r, f);
                }
            }
        }

        /// <summary>
        /// Output rows row..row+3, filters f..f+15: each window value broadcast once against two vectors of the
        /// kernel's row, k in order (each output sums its window in the order a plain loop would, with fused multiply-adds).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile4x16(float** corners, int* offsets, int row, int f)
        {
            int k = Shape.Patch, n = Filters;
            float* a0 = corners[0], a1 = corners[1], a2 = corners[2], a3 = corners[3];
            var t = default(Tile4x16Sums);
            float* b = _w + f;
            for (int i = 0; i < k; i++, b += n)
            {
                int o = offsets[i];
                t.Add(a0[o], a1[o], a2[o], a3[o], Vector256.Load(b), Vector256.Load(b + Lanes));
            }
            float* y = _y + (long)row * n + f;
            _epilogue.Apply(t.C0, row, f).Store(y);
            _epilogue.Apply(t.D0, row, f + Lanes).Store(y + Lanes);
            _epilogue.Apply(t.C1, row + 1, f).Store(y + n);
            _epilogue.Apply(t.D1, row + 1, f + Lanes).Store(y + n + Lanes);
            _epilogue.Apply(t.C2, row + 2, f).Store(y + 2 * n);
            _epilogue.Apply(t.D2, row + 2, f + Lanes).Store(y + 2 * n + Lanes);
            _epilogue.Apply(t.C3, row + 3, f).Store(y + 3 * n);
            _epilogue.Apply(t.D3, row + 3, f + Lanes).Store(y + 3 * n + Lanes);
        }

        /// <summary>Output rows row..row+3, filters f..f+7 (the last eight where the filters are not in sixteens).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile4x8(float** corners, int* offsets, int row, int f)
        {
            int k = Shape.Patch, n = Filters;
            float* a0 = corners[0], a1 = corners[1], a2 = corners[2], a3 = corners[3];
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            float* b = _w + f;
            for (int i = 0; i < k; i++, b += n)
            {
                int o = offsets[i];
                var wv = Vector256.Load(b);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a0[o]), wv, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a1[o]), wv, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a2[o]), wv, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a3[o]), wv, c3);
            }
            float* y = _y + (long)row * n + f;
            _epilogue.Apply(c0, row, f).Store(y);
            _epilogue.Apply(c1, row + 1, f).Store(y + n);
            _epilogue.Apply(c2, row + 2, f).Store(y + 2 * n);
            _epilogue.Apply(c3, row + 3, f).Store(y + 3 * n);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile1(float* a, int* offsets, int row, int f)
        {
            Vector256<float> c = default;
            float* b = _w + f;
            for (int i = 0; i < Shape.Patch; i++, b += Filters) c = Vector256.FusedMultiplyAdd(Vector256.Create(a[offsets[i]]), Vector256.Load(b), c);
            _epilogue.Apply(c, row, f).Store(_y + (long)row * Filters + f);
        }
    }

    private sealed class FilterJob : ChunkedJob, IParallelWork
    {
        private float* _dy;
        public float[]? Partials;

        public void Set(float* x, float* dy, ConvShape s, int filters)
        {
            SetShape(x, s, filters);
            _dy = dy;
        }

        public void Clear() => X = _dy = null;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int part)
        {
            float* patches = stackalloc float[ChunkRows * MaxPatch];
            float** corners = stackalloc float*[ChunkRows];
            int* imageOffsets = stackalloc int[MaxPatch], rowOffsets = stackalloc int[MaxPatch];
            Offsets(imageOffsets, rowOffsets);
            int k = Shape.Patch, n = Filters;
            fixed (float* partials = Partials)
            {
                float* dw = partials + (long)part * k * n;
                new Span<float>(dw, k * n).Clear();
                var (begin, end) = Rows(part);
                for (int first = begin; first < end; first += ChunkRows)
                {
                    int count = Math.Min(ChunkRows, end - first);
                    int* offsets = Locate(corners, first, count, patches, imageOffsets, rowOffsets);
                    float* dy = _dy + (long)first * n;
                    int f = 0;
                    for (; f + 2 * Lanes <= n; f += 2 * Lanes)
                    {
                        int i = 0;
                        for (; i + 4 <= k; i += 4) Tile4x16(corners, offsets + i, dy + f, count, dw + i * n + f);
                        for (; i < k; i++)
                        {
                            Tile1(corners, offsets[i], dy + f, count, dw + i * n + f);
                            Tile1(corners, offsets[i], dy + f + Lanes, count, dw + i * n + f + Lanes);
                        }
                    }
                    for (; f < n; f += Lanes)
                    {
                        int i = 0;
                        for (; i + 4 <= k; i += 4) Tile4(corners, offsets + i, dy + f, count, dw + i * n + f);
                        for (; i < k; i++) Tile1(corners, offsets[i], dy + f, count, dw + i * n + f);
                    }
                }
            }
        }

        /// <summary>dw rows i..i+3, filters f..f+15 += Σ over the chunk's pixels p, in order, of window[p, i..i+3] · dy[p, f..f+15].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile4x16(float** corners, int* offsets, float* dy, int count, float* dw)
        {
            int n = Filters, o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3];
            var t = default(Tile4x16Sums);
            for (int p = 0; p < count; p++, dy += n)
            {
                float* a = corners[p];
                t.Add(a[o0], a[o1], a[o2], a[o3], Vector256.Load(dy), Vector256.Load(dy + Lanes));
            }
            AddTo(dw, t.C0, t.D0);
            AddTo(dw + n, t.C1, t.D1);
            AddTo(dw + 2 * n, t.C2, t.D2);
            AddTo(dw + 3 * n, t.C3, t.D3);

            static void AddTo(float* into, Vector256<float> lo, Vector256<float> hi)
            {
                (Vector256.Load(into) + lo).Store(into);
                (Vector256.Load(into + Lanes) + hi).Store(into + Lanes);
            }
        }

        /// <summary>dw rows i..i+3, filters f..f+7 (the last eight where the filters are not in sixteens).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile4(float** corners, int* offsets, float* dy, int count, float* dw)
        {
            int n = Filters, o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3];
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            for (int p = 0; p < count; p++, dy += n)
            {
                float* a = corners[p];
                var d = Vector256.Load(dy);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o0]), d, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o1]), d, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o2]), d, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o3]), d, c3);
            }
            (Vector256.Load(dw) + c0).Store(dw);
            (Vector256.Load(dw + n) + c1).Store(dw + n);
            (Vector256.Load(dw + 2 * n) + c2).Store(dw + 2 * n);
            (Vector256.Load(dw + 3 * n) + c3).Store(dw + 3 * n);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile1(float** corners, int offset, float* dy, int count, float* dw)
        {
            Vector256<float> c = default;
            for (int p = 0; p < count; p++, dy += Filters) c = Vector256.FusedMultiplyAdd(Vector256.Create(corners[p][offset]), Vector256.Load(dy), c);
            (Vector256.Load(dw) + c).Store(dw);
        }
    }

    /// <summary>
    /// The 4 × 16 register tile both passes accumulate: rows 0..3 against two vectors, C the first eight lanes and D
    /// the next. <see cref="Add"/> broadcasts one value per row and adds its products with fused multiply-adds, so each
    /// sum takes its terms in the caller's order (the forward pass over window values, the kernel gradient over pixels).
    /// </summary>
    private struct Tile4x16Sums
    {
        public Vector256<float> C0, C1, C2, C3, D0, D1, D2, D3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(float x0, float x1, float x2, float x3, Vector256<float> lo, Vector256<float> hi)
        {
            var v = Vector256.Create(x0);
            C0 = Vector256.FusedMultiplyAdd(v, lo, C0);
            D0 = Vector256.FusedMultiplyAdd(v, hi, D0);
            v = Vector256.Create(x1);
            C1 = Vector256.FusedMultiplyAdd(v, lo, C1);
            D1 = Vector256.FusedMultiplyAdd(v, hi, D1);
            v = Vector256.Create(x2);
            C2 = Vector256.FusedMultiplyAdd(v, lo, C2);
            D2 = Vector256.FusedMultiplyAdd(v, hi, D2);
            v = Vector256.Create(x3);
            C3 = Vector256.FusedMultiplyAdd(v, lo, C3);
            D3 = Vector256.FusedMultiplyAdd(v, hi, D3);
        }
    }
}
