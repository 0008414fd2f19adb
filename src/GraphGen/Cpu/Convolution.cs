using System.ComponentModel;

namespace GraphGen.Cpu;

/// <summary>
/// The geometry of a 2-D convolution or pooling over NHWC images: the batch, the input (height, width, channels),
/// the window, the stride, the zeros before the first row and column (Same padding), and the output size.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct ConvShape(int Batch, int Height, int Width, int Channels, int KernelHeight, int KernelWidth, int Stride,
    int PadTop, int PadLeft, int OutHeight, int OutWidth)
{
    /// <summary>Output pixels of the whole batch: the M of the convolution's GEMMs.</summary>
    public int Pixels => checked(Batch * OutHeight * OutWidth);
    /// <summary>Values one output pixel reads: kernel height × kernel width × channels, the K of the forward GEMM.</summary>
    public int Patch => KernelHeight * KernelWidth * Channels;
    public int InputCount => checked(Batch * Height * Width * Channels);

    internal void Check(int inputLength, string name)
    {
        if (Batch < 0 || Height <= 0 || Width <= 0 || Channels <= 0 || KernelHeight <= 0 || KernelWidth <= 0 || Stride <= 0 || OutHeight <= 0 || OutWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(ConvShape), $"Invalid convolution geometry {this}.");
        if (inputLength < InputCount) throw new ArgumentException($"'{name}' has {inputLength} values; {this} needs {InputCount}.", name);
    }
}

/// <summary>
/// 2-D convolution on the SGEMM, as im2col: each output pixel's window (kernel height × kernel width × channels, NHWC
/// order, zeros outside the image) is copied into one row of a patch matrix, so the forward pass is one GEMM of the
/// (pixels × patch) matrix by the (patch × filters) kernel, which is Keras's (kh, kw, cin, cout) layout read as a
/// matrix, with the bias and activation applied by the GEMM's epilogue as it stores. The weight gradient is
/// patchesᵀ·dY and the input gradient dY·Wᵀ scattered back (col2im). The patch matrix lives in a buffer of this
/// thread that grows to the largest layer once and is reused by every later call: nothing is allocated per step.
/// A window of few values (a first layer's) takes <see cref="SmallPatchConvolution"/> instead, forward and for the
/// kernel's gradient, and every layer whose kernel fits the SGEMM's pack buffer takes <see cref="ImplicitConvolution"/>,
/// which gathers the patch rows a block at a time instead of the batch's patch matrix; the patch matrix remains for the rest.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Convolution
{
    [ThreadStatic] private static float[]? t_patches;

    /// <summary>y = epilogue(conv(x, w)): x (B, H, W, C), w (kh, kw, C, F), y (B, outH, outW, F).</summary>
    public static void Forward<TEpilogue>(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, ConvShape shape, int filters, TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        shape.Check(x.Length, nameof(x));
        if (IsPointwise(shape))
        {
            Gemm.Multiply(GemmLayout.NN, shape.Pixels, filters, shape.Channels, x, w, y, epilogue);
            return;
        }
        if (SmallPatchConvolution.Applies(shape, filters))
        {
            CheckResult(w, y, shape, filters);
            unsafe
            {
                fixed (float* px = x, pw = w, py = y) SmallPatchConvolution.Forward(px, pw, py, shape, filters, epilogue);
            }
            return;
        }
        if (ImplicitConvolution.Applies(shape, filters))
        {
            CheckResult(w, y, shape, filters);
            unsafe
            {
                fixed (float* px = x, pw = w, py = y) ImplicitConvolution.Forward(px, pw, py, shape, filters, epilogue);
            }
            return;
        }
        var patches = Patches(x, shape);
        Gemm.Multiply(GemmLayout.NN, shape.Pixels, filters, shape.Patch, patches, w, y, epilogue);
    }

    /// <summary>dw = patches(x)ᵀ·dy: the kernel's gradient, (kh, kw, C, F).</summary>
    public static void BackwardFilter(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, ConvShape shape, int filters)
    {
        shape.Check(x.Length, nameof(x));
        if (SmallPatchConvolution.Applies(shape, filters))
        {
            CheckResult(dw, dy, shape, filters);
            unsafe
            {
                fixed (float* px = x, pdy = dy, pdw = dw) SmallPatchConvolution.BackwardFilter(px, pdy, pdw, shape, filters);
            }
            return;
        }
        if (!IsPointwise(shape) && ImplicitConvolution.Applies(shape, filters))
        {
            CheckResult(dw, dy, shape, filters);
            unsafe
            {
                fixed (float* px = x, pdy = dy, pdw = dw) ImplicitConvolution.BackwardFilter(px, pdy, pdw, shape, filters);
            }
            return;
        }
        ReadOnlySpan<float> patches = IsPointwise(shape) ? x : Patches(x, shape);
        Gemm.Multiply(GemmLayout.TN, shape.Patch, filters, shape.Pixels, patches, dy, dw);
    }

    /// <summary>dx = col2im(dy·wᵀ): the input's gradient, (B, H, W, C); every window adds its share.</summary>
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, ConvShape shape, int filters)
    {
        shape.Check(dx.Length, nameof(dx));
        if (IsPointwise(shape))
        {
            Gemm.Multiply(GemmLayout.NT, shape.Pixels, shape.Channels, filters, dy, w, dx);
            return;
        }
        if (ImplicitConvolution.Applies(shape, filters))
        {
            CheckResult(w, dy, shape, filters);
            unsafe
            {
                fixed (float* pdy = dy, pw = w, pdx = dx) ImplicitConvolution.BackwardInput(pdy, pw, pdx, shape, filters);
            }
            return;
        }
        var patches = Workspace((long)shape.Pixels * shape.Patch);
        Gemm.Multiply(GemmLayout.NT, shape.Pixels, shape.Patch, filters, dy, w, patches);
        ImageColumns.Scatter(patches, dx, shape);
    }

    /// <summary>The checks the SGEMM makes on its operands, for the paths that do not go through it: the kernel (or its
    /// gradient) holds patch × filters values, the output (or its gradient) pixels × filters.</summary>
    private static void CheckResult(ReadOnlySpan<float> kernel, ReadOnlySpan<float> pixels, ConvShape shape, int filters)
    {
        if (kernel.Length < (long)shape.Patch * filters) throw new ArgumentException($"The kernel has {kernel.Length} values; {shape} with {filters} filters needs {(long)shape.Patch * filters}.", nameof(kernel));
        if (pixels.Length < (long)shape.Pixels * filters) throw new ArgumentException($"The output has {pixels.Length} values; {shape} with {filters} filters needs {(long)shape.Pixels * filters}.", nameof(pixels));
    }

    /// <summary>A 1×1 kernel at stride 1 without padding reads each pixel as its own patch: x is already the patch matrix.</summary>
    private static bool IsPointwise(ConvShape s) => s.KernelHeight == 1 && s.KernelWidth == 1 && s.Stride == 1 && s.PadTop == 0 && s.PadLeft == 0;

    private static float[] Patches(ReadOnlySpan<float> x, ConvShape shape)
    {
        var patches = Workspace((long)shape.Pixels * shape.Patch);
        ImageColumns.Gather(x, patches, shape);
        return patches;
    }

    private static float[] Workspace(long count)
    {
        if (count > Array.MaxLength) throw new OverflowException($"A convolution's patch matrix of {count} values is more than one array holds; use a smaller batch.");
        if (t_patches is null || t_patches.Length < count) t_patches = new float[count];
        return t_patches;
    }
}
