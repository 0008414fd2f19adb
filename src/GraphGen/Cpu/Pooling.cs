using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Cpu;

/// <summary>
/// Max pooling over NHWC images (valid windows, per channel). The backward pass finds each window's argmax again
/// from the saved input (the first maximum, as the forward pass keeps it) and routes the output's gradient to it,
/// so no index buffer is kept between the passes. One image per part on the <see cref="WorkerPool"/>; eight channels
/// at a time where the CPU has 256-bit vectors (NHWC keeps a pixel's channels side by side), the rest one by one.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class Pooling
{
    /// <summary>y (B, outH, outW, C) = the maximum of each window of x (B, H, W, C).</summary>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, ConvShape shape)
    {
        shape.Check(x.Length, nameof(x));
        if (y.Length < (long)shape.Pixels * shape.Channels) throw new ArgumentException($"'y' has {y.Length} values; {shape} needs {(long)shape.Pixels * shape.Channels}.", nameof(y));
        fixed (float* px = x, py = y) Run(px, py, null, shape);
    }

    /// <summary>dx = dy routed to each window's argmax in x (zero elsewhere; overlapping windows add).</summary>
    public static void MaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, ConvShape shape)
    {
        shape.Check(x.Length, nameof(x));
        shape.Check(dx.Length, nameof(dx));
        if (dy.Length < (long)shape.Pixels * shape.Channels) throw new ArgumentException($"'dy' has {dy.Length} values; {shape} needs {(long)shape.Pixels * shape.Channels}.", nameof(dy));
        fixed (float* px = x, pdy = dy, pdx = dx) Run(px, pdy, pdx, shape);
    }

    private static void Run(float* x, float* y, float* dx, ConvShape shape)
    {
        var job = t_job ??= new Job();
        job.X = x;
        job.Y = y;
        job.Dx = dx;
        job.Shape = shape;
        long work = (long)shape.Pixels * shape.Channels * shape.KernelHeight * shape.KernelWidth;
        job.Parts = work < 50_000 ? 1 : Math.Min(shape.Batch, WorkerPool.Shared.Threads * 4);
        WorkerPool.Shared.Run(job, job.Parts);
        job.X = job.Y = job.Dx = null;
    }

    [ThreadStatic] private static Job? t_job;

    private sealed class Job : IParallelWork
    {
        public float* X, Y, Dx;
        public ConvShape Shape;
        public int Parts;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int part)
        {
            var s = Shape;
            int first = (int)((long)s.Batch * part / Parts), last = (int)((long)s.Batch * (part + 1) / Parts);
            int c = s.Channels;
            for (int n = first; n < last; n++)
            {
                float* image = X + (long)n * s.Height * s.Width * c;
                float* outputs = Y + (long)n * s.OutHeight * s.OutWidth * c;
                float* gradient = Dx is null ? null : Dx + (long)n * s.Height * s.Width * c;
                bool tiles = Tiles(s);
                if (gradient is not null) ClearUncovered(gradient, s, tiles);
                for (int oy = 0; oy < s.OutHeight; oy++)
                for (int ox = 0; ox < s.OutWidth; ox++)
                {
                    float* o = outputs + ((long)oy * s.OutWidth + ox) * c;
                    float* corner = image + ((long)oy * s.Stride * s.Width + ox * s.Stride) * c;
                    float* into = gradient is null ? null : gradient + (corner - image);
                    int ch = 0;
                    if (Vector256.IsHardwareAccelerated && tiles && s.Stride == 2)
                        for (; ch + Vector256<float>.Count <= c; ch += Vector256<float>.Count) Window2x2(corner + ch, into is null ? null : into + ch, o + ch, s.Width * c, c);
                    if (Vector256.IsHardwareAccelerated)
                        for (; ch + Vector256<float>.Count <= c; ch += Vector256<float>.Count) Window8(corner + ch, into is null ? null : into + ch, o + ch, s, tiles);
                    for (; ch < c; ch++) Window1(corner + ch, into is null ? null : into + ch, o + ch, s, tiles);
                }
            }
        }

        /// <summary>
        /// <see cref="Window8"/> for the common 2×2 window at stride 2, unrolled: four loads, three compares, and the
        /// backward pass's four stores of dy or +0 (these windows tile the image, so nothing is added).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Window2x2(float* corner, float* into, float* o, int row, int c)
        {
            Vector256<float> v0 = Vector256.Load(corner), v1 = Vector256.Load(corner + c), v2 = Vector256.Load(corner + row), v3 = Vector256.Load(corner + row + c);
            var g1 = Vector256.GreaterThan(v1, v0);
            var best = Vector256.ConditionalSelect(g1, v1, v0);
            var g2 = Vector256.GreaterThan(v2, best);
            best = Vector256.ConditionalSelect(g2, v2, best);
            var g3 = Vector256.GreaterThan(v3, best);
            if (into is null)
            {
                Vector256.ConditionalSelect(g3, v3, best).Store(o);
                return;
            }
            // Each lane's argmax as one mask per position: the last position whose comparison won.
            var m3 = g3;
            var m2 = Vector256.AndNot(g2, m3);
            var m1 = Vector256.AndNot(Vector256.AndNot(g1, g2), m3);
            var m0 = ~(m1 | m2 | m3);
            var dy = Vector256.Load(o);
            ((dy & m0) + Vector256<float>.Zero).Store(into);
            ((dy & m1) + Vector256<float>.Zero).Store(into + c);
            ((dy & m2) + Vector256<float>.Zero).Store(into + row);
            ((dy & m3) + Vector256<float>.Zero).Store(into + row + c);
        }

        /// <summary>Windows as wide as their stride cover each pixel at most once: the gradient is written, not added.</summary>
        private static bool Tiles(ConvShape s) => s.Stride == s.KernelHeight && s.Stride == s.KernelWidth;

        /// <summary>
        /// Zeros where no window writes: the whole image where windows overlap (they add), else only the rows and
        /// columns past the last window. A written value is the sum as the adding loop makes it, 0 + dy (so −0 reads +0).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ClearUncovered(float* gradient, ConvShape s, bool tiles)
        {
            int c = s.Channels;
            if (!tiles)
            {
                new Span<float>(gradient, s.Height * s.Width * c).Clear();
                return;
            }
            int coveredRows = s.OutHeight * s.Stride, coveredColumns = s.OutWidth * s.Stride;
            for (int y = 0; y < coveredRows && coveredColumns < s.Width; y++)
                new Span<float>(gradient + ((long)y * s.Width + coveredColumns) * c, (s.Width - coveredColumns) * c).Clear();
            if (coveredRows < s.Height) new Span<float>(gradient + (long)coveredRows * s.Width * c, (s.Height - coveredRows) * s.Width * c).Clear();
        }

        /// <summary>
        /// One window for one channel: the first maximum in row-major window order (a NaN wins only where it comes
        /// first, as no comparison with it is true), stored, or its gradient added to the argmax.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Window1(float* corner, float* into, float* o, ConvShape s, bool tiles)
        {
            int c = s.Channels;
            float best = corner[0];
            long at = 0;
            for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++)
            {
                long offset = ((long)ky * s.Width + kx) * c;
                float v = corner[offset];
                if (v > best) (best, at) = (v, offset);
            }
            if (into is null) *o = best;
            else if (!tiles) into[at] += *o;
            else
                for (int ky = 0; ky < s.KernelHeight; ky++)
                for (int kx = 0; kx < s.KernelWidth; kx++)
                {
                    long offset = ((long)ky * s.Width + kx) * c;
                    into[offset] = offset == at ? *o + 0f : 0f;
                }
        }

        /// <summary>
        /// Eight channels of one window at once, with the same first-maximum rule lane by lane: the window's position
        /// of each lane's maximum is kept as an index, and the backward pass adds the output's gradient where it
        /// matches (+0 elsewhere, which leaves every gradient value as the scalar loop leaves it).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Window8(float* corner, float* into, float* o, ConvShape s, bool tiles)
        {
            int c = s.Channels;
            var best = Vector256.Load(corner);
            var at = Vector256<int>.Zero;
            int position = 0;
            for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++, position++)
            {
                if (position == 0) continue;
                var v = Vector256.Load(corner + ((long)ky * s.Width + kx) * c);
                var greater = Vector256.GreaterThan(v, best);
                best = Vector256.ConditionalSelect(greater, v, best);
                at = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(position), at);
            }
            if (into is null)
            {
                best.Store(o);
                return;
            }
            var dy = Vector256.Load(o);
            position = 0;
            for (int ky = 0; ky < s.KernelHeight; ky++)
            for (int kx = 0; kx < s.KernelWidth; kx++, position++)
            {
                float* g = into + ((long)ky * s.Width + kx) * c;
                var mine = Vector256.Equals(at, Vector256.Create(position)).AsSingle();
                if (tiles) ((dy & mine) + Vector256<float>.Zero).Store(g);
                else (Vector256.Load(g) + (dy & mine)).Store(g);
            }
        }
    }
}
