using System.Runtime.CompilerServices;
namespace GraphGen.Cpu;

/// <summary>
/// im2col and col2im over NHWC images, one image per part on the <see cref="WorkerPool"/>: Gather copies each output
/// pixel's window into a row of the patch matrix (zeros where the window leaves the image); Scatter adds each row
/// back into the image it came from (the input gradient), per image so no two threads write the same pixel.
/// </summary>
internal static unsafe class ImageColumns
{
    public static void Gather(ReadOnlySpan<float> x, float[] patches, ConvShape shape)
    {
        fixed (float* px = x, pp = patches) Run(px, pp, shape, scatter: false);
    }

    public static void Scatter(float[] patches, Span<float> dx, ConvShape shape)
    {
        fixed (float* px = dx, pp = patches) Run(px, pp, shape, scatter: true);
    }

    private static void Run(float* image, float* patches, ConvShape shape, bool scatter)
    {
        var job = t_job ??= new Job();
        job.Image = image;
        job.Patches = patches;
        job.Shape = shape;
        job.Scatter = scatter;
        long work = (long)shape.Pixels * shape.Patch;
        int parts = work < 50_000 ? 1 : Math.Min(shape.Batch, WorkerPool.Shared.Threads * 4);
        job.Parts = parts;
        WorkerPool.Shared.Run(job, parts);
        job.Image = job.Patches = null;
    }

    [ThreadStatic] private static Job? t_job;

    private sealed class Job : IParallelWork
    {
        public float* Image;
        public float* Patches;
        public ConvShape Shape;
        public bool Scatter;
        public int Parts;

        public void Execute(int part)
        {
            var s = Shape;
            int first = (int)((long)s.Batch * part / Parts), last = (int)((long)s.Batch * (part + 1) / Parts);
            for (int n = first; n < last; n++)
            {
                if (Scatter) new Span<float>(Image + (long)n * s.Height * s.Width * s.Channels, s.Height * s.Width * s.Channels).Clear();
                Image1(n, s);
            }
        }

        /// <summary>One image: each output pixel's window, copied into its patch row or added back from it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Image1(int n, ConvShape s)
        {
            float* image = Image + (long)n * s.Height * s.Width * s.Channels;
            float* row = Patches + (long)n * s.OutHeight * s.OutWidth * s.Patch;
            for (int oy = 0; oy < s.OutHeight; oy++)
            for (int ox = 0; ox < s.OutWidth; ox++, row += s.Patch)
            {
                if (Scatter) ScatterRow(row, image, oy, ox, s);
                else GatherRow(image, row, oy, ox, s);
            }
        }
    }

    /// <summary>
    /// Output pixel (oy, ox)'s window of one image into a patch row, kernel row by kernel row: a kernel row inside the
    /// image is one contiguous run of kernel width × channels values; zeros where the window leaves the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherRow(float* image, float* row, int oy, int ox, ConvShape s)
    {
        int run = s.KernelWidth * s.Channels;
        int x0 = ox * s.Stride - s.PadLeft;
        int from = Math.Max(0, -x0), to = Math.Min(s.KernelWidth, s.Width - x0); // kernel columns inside the image
        for (int ky = 0; ky < s.KernelHeight; ky++)
        {
            int y = oy * s.Stride - s.PadTop + ky;
            float* dst = row + ky * run;
            if (y < 0 || y >= s.Height || from >= to)
            {
                new Span<float>(dst, run).Clear();
                continue;
            }
            float* src = image + ((long)y * s.Width + x0 + from) * s.Channels;
            int count = (to - from) * s.Channels;
            if (from > 0) new Span<float>(dst, from * s.Channels).Clear();
            new ReadOnlySpan<float>(src, count).CopyTo(new Span<float>(dst + from * s.Channels, count));
            if (to < s.KernelWidth) new Span<float>(dst + to * s.Channels, (s.KernelWidth - to) * s.Channels).Clear();
        }
    }

    /// <summary>The reverse of <see cref="GatherRow"/>: each value of the patch row inside the image is added to its pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterRow(float* row, float* image, int oy, int ox, ConvShape s)
    {
        int run = s.KernelWidth * s.Channels;
        int x0 = ox * s.Stride - s.PadLeft;
        int from = Math.Max(0, -x0), to = Math.Min(s.KernelWidth, s.Width - x0);
        for (int ky = 0; ky < s.KernelHeight; ky++)
        {
            int y = oy * s.Stride - s.PadTop + ky;
            if (y < 0 || y >= s.Height || from >= to) continue;
            var into = new Span<float>(image + ((long)y * s.Width + x0 + from) * s.Channels, (to - from) * s.Channels);
            System.Numerics.Tensors.TensorPrimitives.Add(into, new ReadOnlySpan<float>(row + ky * run + from * s.Channels, into.Length), into);
        }
    }
}
