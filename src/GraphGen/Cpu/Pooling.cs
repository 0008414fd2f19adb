using System.ComponentModel;

namespace GraphGen.Cpu;

/// <summary>
/// Max pooling over NHWC images (valid windows, per channel). The backward pass finds each window's argmax again
/// from the saved input (the first maximum, as the forward pass keeps it) and routes the output's gradient to it,
/// so no index buffer is kept between the passes. One image per part on the <see cref="WorkerPool"/>.
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
                if (gradient is not null) new Span<float>(gradient, s.Height * s.Width * c).Clear();
                for (int oy = 0; oy < s.OutHeight; oy++)
                for (int ox = 0; ox < s.OutWidth; ox++)
                {
                    float* o = outputs + ((long)oy * s.OutWidth + ox) * c;
                    for (int ch = 0; ch < c; ch++)
                    {
                        float best = float.NegativeInfinity;
                        long at = -1;
                        for (int ky = 0; ky < s.KernelHeight; ky++)
                        {
                            int iy = oy * s.Stride + ky;
                            for (int kx = 0; kx < s.KernelWidth; kx++)
                            {
                                long index = ((long)iy * s.Width + ox * s.Stride + kx) * c + ch;
                                float v = image[index];
                                if (v > best || at < 0) (best, at) = (v, index);
                            }
                        }
                        if (gradient is null) o[ch] = best;
                        else gradient[at] += o[ch];
                    }
                }
            }
        }
    }
}
