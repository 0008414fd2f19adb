using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Emit;

/// <summary>
/// The image ops over NHWC values as direct kernels, a thread per value they write: the convolution (its bias and
/// activation applied as it stores, as the CPU's GEMM epilogue does), its input and kernel gradients, and max pooling
/// forward and backward. Every size is the plan's constant but B, which only the kernel gradient loops over (its
/// <c>batch</c> argument); the others take B through their extent. The sums run in the CPU's order (the window's
/// rows, columns, channels), so the CPU accelerator agrees with GraphGen.Cpu.Convolution to rounding and with
/// GraphGen.Cpu.Pooling exactly.
/// </summary>
internal sealed partial class IlgpuKernels
{
    /// <summary>An image op's sizes: the image (H, W, C), the window, its stride and Same padding, and the output (OH, OW, F).</summary>
    private readonly record struct ImageGeometry(int Height, int Width, int Channels, Window Window, int OutHeight, int OutWidth, int Outputs)
    {
        public static ImageGeometry Of(Shape image, Shape output, Window w)
            => new(image.Dims[1], image.Dims[2], image.Dims[3], w, output.Dims[1], output.Dims[2], output.Dims[3]);

        public int PadTop => Window.PadBefore(Height, Window.Height, Window.Stride, Window.Padding);
        public int PadLeft => Window.PadBefore(Width, Window.Width, Window.Stride, Window.Padding);

        public override string ToString()
            => $"({Height}, {Width}, {Channels}) images, {Window.Height}×{Window.Width} windows at stride {Window.Stride}" +
               (PadTop + PadLeft > 0 ? $", same padding's zeros ({PadTop} above, {PadLeft} to the left)" : "") + $" → ({OutHeight}, {OutWidth}, {Outputs})";
    }

    private void EmitImage(CodeWriter w, TensorKernel t, string count)
    {
        switch (t.Op)
        {
            case OpKind.Conv2D:
            {
                var g = ImageGeometry.Of(t.Inputs[0].Shape, t.Output.Shape, t.Window!);
                bool bias = t.Inputs.Count > 2;
                var arguments = bias ? new object[] { t.Inputs[0], t.Inputs[1], t.Inputs[2], t.Output } : new object[] { t.Inputs[0], t.Inputs[1], t.Output };
                Launch(w, ConvolutionForward(t, g, bias), count, arguments);
                break;
            }
            case OpKind.Conv2DBackpropInput:
                Launch(w, ConvolutionInputGradient(t, ImageGeometry.Of(t.Output.Shape, t.Inputs[0].Shape, t.Window!)), count, t.Inputs[0], t.Inputs[1], t.Output);
                break;
            case OpKind.Conv2DBackpropFilter:
                Launch(w, ConvolutionKernelGradient(t, ImageGeometry.Of(t.Inputs[0].Shape, t.Inputs[1].Shape, t.Window!)), count, t.Inputs[0], t.Inputs[1], t.Output);
                break;
            case OpKind.MaxPool2D:
                Launch(w, MaxPoolForward(t, ImageGeometry.Of(t.Inputs[0].Shape, t.Output.Shape, t.Window!)), count, t.Inputs[0], t.Output);
                break;
            default: // MaxPool2DGrad
                Launch(w, MaxPoolBackward(t, ImageGeometry.Of(t.Inputs[0].Shape, t.Inputs[1].Shape, t.Window!)), count, t.Inputs[0], t.Inputs[1], t.Output);
                break;
        }
    }

    private IlgpuKernelMethod ConvolutionForward(TensorKernel t, ImageGeometry g, bool bias)
    {
        var w = g.Window;
        var body = new List<string>();
        body.AddRange(Pixel("i", g.Outputs, g.OutHeight, g.OutWidth, "f", "oy", "ox"));
        body.Add("float sum = 0f;");
        body.Add($"for (int ky = 0; ky < {N(w.Height)}; ky++)");
        body.Add("{");
        body.Add($"    int iy = oy * {N(w.Stride)} - {N(g.PadTop)} + ky;");
        body.Add($"    if (iy < 0 || iy >= {N(g.Height)}) continue; // a row of Same padding's zeros");
        body.Add($"    for (int kx = 0; kx < {N(w.Width)}; kx++)");
        body.Add("    {");
        body.Add($"        int ix = ox * {N(w.Stride)} - {N(g.PadLeft)} + kx;");
        body.Add($"        if (ix < 0 || ix >= {N(g.Width)}) continue;");
        body.Add($"        int from = ((n * {N(g.Height)} + iy) * {N(g.Width)} + ix) * {N(g.Channels)}, tap = (ky * {N(w.Width)} + kx) * {N(g.Channels)};");
        body.Add($"        for (int c = 0; c < {N(g.Channels)}; c++) sum += x[from + c] * kernel[(tap + c) * {N(g.Outputs)} + f];");
        body.Add("    }");
        body.Add("}");
        string stored = bias ? "sum + bias[f]" : "sum";
        body.Add($"y[i] = {IlgpuMath.Forward(t.Activation, stored)};");
        var parameters = new List<(string, string)> { (View("float"), "x"), (View("float"), "kernel") };
        if (bias) parameters.Add((View("float"), "bias"));
        parameters.Add((View("float"), "y"));
        string math = Keras(t.Activation, bias ? "conv(x, kernel) + bias" : "conv(x, kernel)");
        return Kernel(t.Layer, "Conv" + (bias ? "Bias" : "") + (t.Activation == ActivationKind.Linear ? "" : IlgpuMath.Name(t.Activation)), IlgpuGrid.Values,
            $"{t.Layer}: y = {math} over {g}: each output value sums its window of x times the kernel (kh, kw, C, F), zeros outside the image; a thread per value of y.",
            parameters.ToArray(), body.ToArray());
    }

    private IlgpuKernelMethod ConvolutionInputGradient(TensorKernel t, ImageGeometry g)
    {
        var w = g.Window;
        var body = new List<string>();
        body.AddRange(Pixel("i", g.Channels, g.Height, g.Width, "c", "iy", "ix"));
        body.Add("float sum = 0f;");
        body.Add($"for (int ky = 0; ky < {N(w.Height)}; ky++)");
        body.Add("{");
        body.Add("    // the output row whose window reads row iy through kernel row ky, if any");
        body.Add($"    int sy = iy + {N(g.PadTop)} - ky;");
        body.Add($"    if (sy < 0 || sy % {N(w.Stride)} != 0 || sy / {N(w.Stride)} >= {N(g.OutHeight)}) continue;");
        body.Add($"    for (int kx = 0; kx < {N(w.Width)}; kx++)");
        body.Add("    {");
        body.Add($"        int sx = ix + {N(g.PadLeft)} - kx;");
        body.Add($"        if (sx < 0 || sx % {N(w.Stride)} != 0 || sx / {N(w.Stride)} >= {N(g.OutWidth)}) continue;");
        body.Add($"        int from = ((n * {N(g.OutHeight)} + sy / {N(w.Stride)}) * {N(g.OutWidth)} + sx / {N(w.Stride)}) * {N(g.Outputs)}, tap = ((ky * {N(w.Width)} + kx) * {N(g.Channels)} + c) * {N(g.Outputs)};");
        body.Add($"        for (int f = 0; f < {N(g.Outputs)}; f++) sum += dy[from + f] * kernel[tap + f];");
        body.Add("    }");
        body.Add("}");
        body.Add("dx[i] = sum;");
        return Kernel(t.Layer, "ConvInputGradient", IlgpuGrid.Values,
            $"{t.Layer}: dx = conv-transpose(dy, kernel) over {g}: each input value gathers dy·kernel from every output window that reads it (col2im without a scatter); a thread per value of dx.",
            new[] { (View("float"), "dy"), (View("float"), "kernel"), (View("float"), "dx") }, body.ToArray());
    }

    private IlgpuKernelMethod ConvolutionKernelGradient(TensorKernel t, ImageGeometry g)
    {
        var w = g.Window;
        string taps = N(g.Outputs * g.Channels);
        var body = new List<string>
        {
            $"int f = i % {N(g.Outputs)}, c = i / {N(g.Outputs)} % {N(g.Channels)}, kx = i / {taps} % {N(w.Width)}, ky = i / ({taps} * {N(w.Width)});",
            "float sum = 0f;",
            "for (int n = 0; n < batch; n++)",
            $"for (int oy = 0; oy < {N(g.OutHeight)}; oy++)",
            "{",
            $"    int iy = oy * {N(w.Stride)} - {N(g.PadTop)} + ky;",
            $"    if (iy < 0 || iy >= {N(g.Height)}) continue;",
            $"    for (int ox = 0; ox < {N(g.OutWidth)}; ox++)",
            "    {",
            $"        int ix = ox * {N(w.Stride)} - {N(g.PadLeft)} + kx;",
            $"        if (ix < 0 || ix >= {N(g.Width)}) continue;",
            $"        sum += x[((n * {N(g.Height)} + iy) * {N(g.Width)} + ix) * {N(g.Channels)} + c] * dy[((n * {N(g.OutHeight)} + oy) * {N(g.OutWidth)} + ox) * {N(g.Outputs)} + f];",
            "    }",
            "}",
            "dKernel[i] = sum;",
        };
        return Kernel(t.Layer, "ConvKernelGradient", IlgpuGrid.Values,
            $"{t.Layer}: dKernel = patches(x)ᵀ·dy over {g}: each kernel value (ky, kx, c, f) sums x at its tap times dy over every output pixel of the batch; a thread per value of dKernel.",
            new[] { (View("float"), "x"), (View("float"), "dy"), (View("float"), "dKernel") }, body.ToArray());
    }

    private IlgpuKernelMethod MaxPoolForward(TensorKernel t, ImageGeometry g)
    {
        var body = new List<string>();
        body.AddRange(Pixel("i", g.Channels, g.OutHeight, g.OutWidth, "c", "oy", "ox"));
        body.AddRange(WindowMaximum(g));
        body.Add("y[i] = best;");
        return Kernel(t.Layer, "MaxPool", IlgpuGrid.Values,
            $"{t.Layer}: y = the maximum of each window of x, per channel, over {g} (the first maximum wins, as on the CPU); a thread per value of y.",
            new[] { (View("float"), "x"), (View("float"), "y") }, body.ToArray());
    }

    private IlgpuKernelMethod MaxPoolBackward(TensorKernel t, ImageGeometry g)
    {
        var w = g.Window;
        var body = new List<string>();
        body.AddRange(Pixel("i", g.Channels, g.Height, g.Width, "c", "iy", "ix"));
        body.Add("float sum = 0f;");
        body.Add("// the windows that hold (iy, ix): oy·stride ≤ iy < oy·stride + pool, in the CPU's order");
        body.Add($"for (int oy = iy >= {N(w.Height)} ? (iy - {N(w.Height)}) / {N(w.Stride)} + 1 : 0; oy <= iy / {N(w.Stride)} && oy < {N(g.OutHeight)}; oy++)");
        body.Add($"for (int ox = ix >= {N(w.Width)} ? (ix - {N(w.Width)}) / {N(w.Stride)} + 1 : 0; ox <= ix / {N(w.Stride)} && ox < {N(g.OutWidth)}; ox++)");
        body.Add("{");
        body.AddRange(WindowMaximum(g).Select(line => "    " + line));
        body.Add($"    if (at == (int)i) sum += dy[((n * {N(g.OutHeight)} + oy) * {N(g.OutWidth)} + ox) * {N(g.Channels)} + c];");
        body.Add("}");
        body.Add("dx[i] = sum;");
        return Kernel(t.Layer, "MaxPoolBackward", IlgpuGrid.Values,
            $"{t.Layer}: dx = dy routed to each window's argmax in x over {g}: each input value finds the argmax of every window holding it again " +
            "and adds the dy of those it wins, in the CPU's order (no index buffer, no atomics); a thread per value of dx.",
            new[] { (View("float"), "x"), (View("float"), "dy"), (View("float"), "dx") }, body.ToArray());
    }

    /// <summary>best and at (its index in x): the first maximum of window (oy, ox) of image n, channel c, as GraphGen.Cpu.Pooling keeps it.</summary>
    private static IEnumerable<string> WindowMaximum(ImageGeometry g)
    {
        var w = g.Window;
        yield return "float best = float.NegativeInfinity;";
        yield return "int at = -1;";
        yield return $"for (int ky = 0; ky < {N(w.Height)}; ky++)";
        yield return $"for (int kx = 0; kx < {N(w.Width)}; kx++)";
        yield return "{";
        yield return $"    int index = ((n * {N(g.Height)} + oy * {N(w.Stride)} + ky) * {N(g.Width)} + ox * {N(w.Stride)} + kx) * {N(g.Channels)} + c;";
        yield return "    float v = x[index];";
        yield return "    if (v > best || at < 0) { best = v; at = index; }";
        yield return "}";
    }

    /// <summary>Value <paramref name="index"/> of NHWC values split into image n, row, column and the last axis.</summary>
    private static IEnumerable<string> Pixel(string index, int last, int height, int width, string channel, string row, string column)
    {
        yield return $"int {channel} = {index} % {N(last)}, pixel = {index} / {N(last)};";
        yield return $"int {column} = pixel % {N(width)}, {row} = pixel / {N(width)} % {N(height)}, n = pixel / {N(width * height)};";
    }
}
