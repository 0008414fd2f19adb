using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GraphGen.Cpu;

/// <summary>
/// Convolution as an implicit GEMM on the SGEMM's own micro-kernel: the patch matrix is never built for the batch.
/// Each part of the batch (whole images) packs the kernel once, then takes its output pixels a block of
/// <see cref="BlockRows"/> at a time: the forward pass gathers the block's patch rows into a buffer of its own that
/// stays in L2 and multiplies them by the kernel; the input gradient multiplies the block's dY by Wᵀ into that buffer
/// and adds its rows back into the images (col2im), which no other part touches; the kernel's gradient gathers the
/// block and adds its patchesᵀ·dY into the part's partial, and the partials are added in part order. im2col wrote
/// and read back a patch matrix of pixels × window values per pass (17.8 MB for the MNIST convnet's second layer at
/// batch 128), which made the passes memory-bound on a machine whose memory is shared.
/// </summary>
internal static unsafe class ImplicitConvolution
{
    private const int BlockRows = 96;
    /// <summary>The filter gradient's blocks are longer: their dY block is packed for each one, so a longer one pays it less often.</summary>
    private const int FilterBlockRows = 3 * BlockRows;

    // Per thread, kept for the thread's life and shared by every epilogue's job: the packed B, a block of patch rows, a micro-tile.
    [ThreadStatic] private static float[]? t_packed, t_block, t_tile;

    /// <summary>
    /// Whether every pass's packed B fits the pack buffer of <see cref="Gemm.KC"/> × <see cref="Gemm.NC"/> values: the
    /// kernel (patch × filters, in strips of NR filters) for the forward pass, Wᵀ (filters × patch, in strips of NR
    /// window values) for the input gradient, and a block of dY (<see cref="FilterBlockRows"/> × filters) for the
    /// kernel's gradient.
    /// </summary>
    public static bool Applies(ConvShape s, int filters)
    {
        long room = (long)Gemm.KC * Gemm.NC;
        return filters > 0 && (long)s.Patch * Gemm.RoundUpToStrips(filters) <= room && (long)filters * Gemm.RoundUpToStrips(s.Patch) <= room
            && (long)FilterBlockRows * Gemm.RoundUpToStrips(filters) <= room;
    }

    public static void Forward<TEpilogue>(float* x, float* w, float* y, ConvShape s, int filters, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        epilogue.Check(s.Pixels, filters);
        var job = Job<TEpilogue>.ForThisThread();
        job.Set(Pass.Forward, x, w, y, s, filters, epilogue);
        WorkerPool.Shared.Run(job, job.Parts);
        job.Clear();
    }

    public static void BackwardInput(float* dy, float* w, float* dx, ConvShape s, int filters)
    {
        var job = Job<NoEpilogue>.ForThisThread();
        job.Set(Pass.Input, dx, w, dy, s, filters, default);
        WorkerPool.Shared.Run(job, job.Parts);
        job.Clear();
    }

    public static void BackwardFilter(float* x, float* dy, float* dw, ConvShape s, int filters)
    {
        if (s.Pixels == 0)
        {
            new Span<float>(dw, s.Patch * filters).Clear(); // no pixel, no gradient: not a previous call's partials
            return;
        }
        var job = Job<NoEpilogue>.ForThisThread();
        job.Set(Pass.Filter, x, dy, null, s, filters, default);
        int size = s.Patch * filters;
        if (job.Partials.Length < job.Parts * size) job.Partials = new float[job.Parts * size];
        WorkerPool.Shared.Run(job, job.Parts);
        var into = new Span<float>(dw, size);
        into.Clear();
        for (int part = 0; part < job.Parts; part++)
            System.Numerics.Tensors.TensorPrimitives.Add(into, job.Partials.AsSpan(part * size, size), into);
        job.Clear();
    }

    private enum Pass { Forward, Input, Filter }

    /// <summary>The three passes' parts: the images split among the parts by the sizes alone (never by timing).</summary>
    private sealed class Job<TEpilogue> : IParallelWork where TEpilogue : struct, IGemmEpilogue
    {
        [ThreadStatic] private static Job<TEpilogue>? t_job;
        private Pass _pass;
        // Forward: image x, kernel w, output y. Input: image gradient dx (as image), w, dY (as y). Filter: x, dY (as w).
        private float* _image, _w, _y;
        private ConvShape _s;
        private int _filters;
        private TEpilogue _epilogue;
        public int Parts;
        public float[] Partials = [];

        public static Job<TEpilogue> ForThisThread() => t_job ??= new Job<TEpilogue>();

        public void Set(Pass pass, float* image, float* w, float* y, ConvShape s, int filters, TEpilogue epilogue)
        {
            _pass = pass; _image = image; _w = w; _y = y; _s = s; _filters = filters; _epilogue = epilogue;
            Parts = Math.Max(1, Math.Min(s.Batch, WorkerPool.Shared.Threads * 4));
        }

        public void Clear()
        {
            _image = _w = _y = null;
            _epilogue = default;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int part)
        {
            var s = _s;
            int perImage = s.OutHeight * s.OutWidth;
            int first = (int)((long)s.Batch * part / Parts), last = (int)((long)s.Batch * (part + 1) / Parts);
            if (first >= last) return;
            int rows = _pass == Pass.Filter ? FilterBlockRows : BlockRows;
            float[] packed = Grow(ref t_packed, Gemm.KC * Gemm.NC), block = Grow(ref t_block, rows * s.Patch), tile = Grow(ref t_tile, Gemm.MR * 32);
            fixed (float* pb = packed, pa = block, pt = tile, partials = Partials)
            {
                if (_pass == Pass.Filter) new Span<float>(partials + (long)part * s.Patch * _filters, s.Patch * _filters).Clear();
                else Pack(pb);
                if (_pass == Pass.Input) new Span<float>(_image + (long)first * s.Height * s.Width * s.Channels, (last - first) * s.Height * s.Width * s.Channels).Clear();
                for (int r0 = first * perImage, end = last * perImage; r0 < end; r0 += rows)
                {
                    int mc = Math.Min(rows, end - r0);
                    switch (_pass)
                    {
                        case Pass.Forward:
                            ImageColumns.GatherRows(_image, pa, r0, mc, s);
                            Multiply(pa, s.Patch, 1, mc, _filters, s.Patch, pb, pt, _y + (long)r0 * _filters, r0, _epilogue);
                            break;
                        case Pass.Input:
                            Multiply(_y + (long)r0 * _filters, _filters, 1, mc, s.Patch, _filters, pb, pt, pa, 0, default(NoEpilogue));
                            ImageColumns.ScatterRows(pa, _image, r0, mc, s);
                            break;
                        default:
                            // dW (patch × filters) += blockᵀ · dY_block: A is the block read down its columns, B the block of dY.
                            ImageColumns.GatherRows(_image, pa, r0, mc, s);
                            PackWhole(GemmLayout.NN, _w + (long)r0 * _filters, _filters, mc, pb);
                            Multiply(pa, 1, s.Patch, s.Patch, _filters, mc, pb, pt, partials + (long)part * s.Patch * _filters, 0,
                                default(NoEpilogue), accumulate: true);
                            break;
                    }
                }
            }
        }

        private static float[] Grow(ref float[]? buffer, int count) => buffer is { } b && b.Length >= count ? b : buffer = new float[count];

        /// <summary>The pass's B once for the whole part: the kernel (forward), or the kernel read as Wᵀ (input gradient).</summary>
        private void Pack(float* packed)
        {
            if (_pass == Pass.Forward) PackWhole(GemmLayout.NN, _w, _filters, _s.Patch, packed);
            else PackWhole(GemmLayout.NT, _w, _s.Patch, _filters, packed);
        }

        /// <summary>All of op(B) (k × n) as k-blocks of <see cref="Gemm.KC"/>, block pc at packed + pc · n rounded up to strips.</summary>
        private static void PackWhole(GemmLayout layout, float* b, int n, int k, float* packed)
        {
            for (int pc = 0; pc < k; pc += Gemm.KC)
                Gemm.PackB(layout, b, n, k, pc, Math.Min(Gemm.KC, k - pc), 0, n, packed + (long)pc * Gemm.RoundUpToStrips(n), Gemm.NR);
        }

        /// <summary>
        /// C (m × n, row stride n, rows from <paramref name="row0"/> for the epilogue) = A · packed B, A row i at
        /// a + i·rowStride stepping by <paramref name="step"/> along k; or C += it where <paramref name="accumulate"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Multiply<TEpi>(float* a, nint rowStride, nint step, int m, int n, int k, float* packed, float* tile,
            float* c, int row0, TEpi epilogue, bool accumulate = false) where TEpi : struct, IGemmEpilogue
        {
            int nr = Gemm.NR, stripStride = Gemm.RoundUpToStrips(n);
            for (int pc = 0; pc < k; pc += Gemm.KC)
            {
                int kc = Math.Min(Gemm.KC, k - pc);
                bool first = pc == 0 && !accumulate, last = pc + kc >= k;
                float* bBlock = packed + (long)pc * stripStride;
                for (int jr = 0; jr < n; jr += nr)
                for (int ir = 0; ir < m; ir += Gemm.MR)
                {
                    var target = new CTile(c - (long)row0 * n, n, row0 + ir, jr, Math.Min(Gemm.MR, m - ir), Math.Min(nr, n - jr), first, last);
                    Gemm.MicroKernel<TEpi>(kc, a + ir * rowStride + pc * step, rowStride, step, bBlock + (long)jr * kc, target, tile, Unsafe.AsPointer(ref epilogue));
                }
            }
        }
    }
}
