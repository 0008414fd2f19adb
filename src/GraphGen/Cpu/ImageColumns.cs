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
            int perImage = s.OutHeight * s.OutWidth;
            for (int n = first; n < last; n++)
            {
                float* rows = Patches + (long)n * perImage * s.Patch;
                if (Scatter)
                {
                    new Span<float>(Image + (long)n * s.Height * s.Width * s.Channels, s.Height * s.Width * s.Channels).Clear();
                    ScatterRows(rows, Image, n * perImage, perImage, s);
                }
                else GatherRows(Image, rows, n * perImage, perImage, s);
            }
        }
    }

    /// <summary>
    /// Rows [first, first + count) of the batch's patch matrix, from the NHWC images into <paramref name="rows"/>
    /// (count × patch): the im2col pass here, and the blocks and chunks of the implicit and small-patch convolutions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherRows(float* images, float* rows, int first, int count, ConvShape s)
    {
        int perImage = s.OutHeight * s.OutWidth;
        for (int r = 0; r < count; r++)
        {
            int pixel = first + r, n = pixel / perImage, inImage = pixel - n * perImage;
            GatherRow(images + (long)n * s.Height * s.Width * s.Channels, rows + (long)r * s.Patch, inImage / s.OutWidth, inImage % s.OutWidth, s);
        }
    }

    /// <summary>The reverse of <see cref="GatherRows"/>: each row's window values added onto the images' pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterRows(float* rows, float* images, int first, int count, ConvShape s)
    {
        int perImage = s.OutHeight * s.OutWidth;
        for (int r = 0; r < count; r++)
        {
            int pixel = first + r, n = pixel / perImage, inImage = pixel - n * perImage;
            ScatterRow(rows + (long)r * s.Patch, images + (long)n * s.Height * s.Width * s.Channels, inImage / s.OutWidth, inImage % s.OutWidth, s);
        }
    }

    /// <summary>
    /// Output pixel (oy, ox)'s window of one image into a patch row, kernel row by kernel row: a kernel row inside the
    /// image is one contiguous run of kernel width × channels values; zeros where the window leaves the image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherRow(float* image, float* row, int oy, int ox, ConvShape s)
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
    private static void ScatterRow(float* row, float* image, int oy, int ox, ConvShape s)
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
