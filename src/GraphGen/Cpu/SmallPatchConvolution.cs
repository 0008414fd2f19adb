using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>
/// Convolutions whose window holds few values (at most <see cref="MaxPatch"/>: a 3×3 kernel on one to three channels,
/// a network's first layer) without the batch's patch matrix. With a K that small the SGEMM's packing and the
/// patch matrix's trip through memory cost more than the arithmetic, and a filter gradient of only K rows leaves
/// the SGEMM one or two tiles to share among the cores. Here the pixels are cut into chunks of
/// <see cref="ChunkRows"/> whose patch rows are gathered into a stack buffer that stays in L1, and the arithmetic
/// runs on that: the forward pass as 4 rows × 8 filters register tiles with the GEMM's epilogue as it stores; the
/// filter gradient as 4 patch values × 8 filters accumulated over the chunk's pixels, each part of the batch into a
/// partial of its own, added up in part order so that the result does not depend on which thread ran which part.
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

        /// <summary>Rows [first, first + count) of the patch matrix into <paramref name="patches"/> (count × patch).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected void Gather(float* patches, int first, int count)
        {
            var s = Shape;
            int perImage = s.OutHeight * s.OutWidth;
            for (int r = 0; r < count; r++)
            {
                int pixel = first + r, n = pixel / perImage, inImage = pixel - n * perImage;
                float* image = X + (long)n * s.Height * s.Width * s.Channels;
                ImageColumns.GatherRow(image, patches + r * s.Patch, inImage / s.OutWidth, inImage % s.OutWidth, s);
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
            var (begin, end) = Rows(part);
            for (int first = begin; first < end; first += ChunkRows)
            {
                int count = Math.Min(ChunkRows, end - first);
                Gather(patches, first, count);
                for (int f = 0; f < Filters; f += Lanes)
                {
                    int r = 0;
                    for (; r + 4 <= count; r += 4) Tile4(patches + r * Shape.Patch, first + r, f);
                    for (; r < count; r++) Tile1(patches + r * Shape.Patch, first + r, f);
                }
            }
        }

        /// <summary>Output rows row..row+3, filters f..f+7: the window's values against the kernel's column, k in order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile4(float* a, int row, int f)
        {
            int k = Shape.Patch, n = Filters;
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            float* b = _w + f;
            for (int i = 0; i < k; i++, b += n)
            {
                var wv = Vector256.Load(b);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[i]), wv, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[k + i]), wv, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[2 * k + i]), wv, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[3 * k + i]), wv, c3);
            }
            float* y = _y + (long)row * n + f;
            _epilogue.Apply(c0, row, f).Store(y);
            _epilogue.Apply(c1, row + 1, f).Store(y + n);
            _epilogue.Apply(c2, row + 2, f).Store(y + 2 * n);
            _epilogue.Apply(c3, row + 3, f).Store(y + 3 * n);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile1(float* a, int row, int f)
        {
            Vector256<float> c = default;
            float* b = _w + f;
            for (int i = 0; i < Shape.Patch; i++, b += Filters) c = Vector256.FusedMultiplyAdd(Vector256.Create(a[i]), Vector256.Load(b), c);
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
            int k = Shape.Patch, n = Filters;
            fixed (float* partials = Partials)
            {
                float* dw = partials + (long)part * k * n;
                new Span<float>(dw, k * n).Clear();
                var (begin, end) = Rows(part);
                for (int first = begin; first < end; first += ChunkRows)
                {
                    int count = Math.Min(ChunkRows, end - first);
                    Gather(patches, first, count);
                    float* dy = _dy + (long)first * n;
                    for (int f = 0; f < n; f += Lanes)
                    {
                        int i = 0;
                        for (; i + 4 <= k; i += 4) Tile4(patches + i, dy + f, count, dw + i * n + f);
                        for (; i < k; i++) Tile1(patches + i, dy + f, count, dw + i * n + f);
                    }
                }
            }
        }

        /// <summary>dw rows i..i+3, filters f..f+7 += Σ over the chunk's pixels of patch[p, i..i+3] · dy[p, f..f+7].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile4(float* a, float* dy, int count, float* dw)
        {
            int k = Shape.Patch, n = Filters;
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            for (int p = 0; p < count; p++, a += k, dy += n)
            {
                var d = Vector256.Load(dy);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), d, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[1]), d, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[2]), d, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[3]), d, c3);
            }
            (Vector256.Load(dw) + c0).Store(dw);
            (Vector256.Load(dw + n) + c1).Store(dw + n);
            (Vector256.Load(dw + 2 * n) + c2).Store(dw + 2 * n);
            (Vector256.Load(dw + 3 * n) + c3).Store(dw + 3 * n);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile1(float* a, float* dy, int count, float* dw)
        {
            Vector256<float> c = default;
            for (int p = 0; p < count; p++, a += Shape.Patch, dy += Filters) c = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), Vector256.Load(dy), c);
            (Vector256.Load(dw) + c).Store(dw);
        }
    }
}
