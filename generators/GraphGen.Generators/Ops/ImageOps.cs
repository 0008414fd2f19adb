using System.Collections.Generic;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using static GraphGen.Generators.Emit.CpuSpelling;

namespace GraphGen.Generators.Ops;

/// <summary>
/// The image entries over NHWC values: 2-D convolution (a [Conv2D] layer, or <c>Op.Conv2D</c> in a body), max
/// pooling, flatten, and the gradient ops their rules build. Each node carries its <see cref="Window"/>; the CPU
/// runtime runs them as im2col GEMMs (GraphGen.Cpu.Convolution) and window scans (GraphGen.Cpu.Pooling).
/// </summary>
internal static class ImageOps
{
    public static IEnumerable<OpDef> All => new[]
    {
        // Y = conv(X, K): dX = conv-transpose(dY, K), dK = patches(X)ᵀ·dY.
        new OpDef(OpKind.Conv2D)
        {
            Spelling = "Conv2D",
            Lower = (ir, x, s) => ir.Conv2D(x[0], x[1], s.Arguments.Count > 0 ? s.Arguments[0] : 1,
                s.Arguments.Count > 1 ? (PaddingKind)s.Arguments[1] : PaddingKind.Valid, s.Name, s.Statement),
            Gradient = (g, n, dy) =>
            {
                int x = n.Inputs[0], kernel = n.Inputs[1];
                if (g.NeedsGradient(x))
                    g.Accumulate(x, g.Windowed(OpKind.Conv2DBackpropInput, g.Node(x).Shape, g.GradientName(x), n.Scope, dy, kernel, n.Window!));
                if (g.NeedsGradient(kernel))
                    g.Accumulate(kernel, g.Windowed(OpKind.Conv2DBackpropFilter, g.Node(kernel).Shape, g.GradientName(kernel), n.Scope, x, dy, n.Window!));
            },
            Math = (n, input) => $"conv({input(0)}, {input(1)})" + FusionPasses.WindowText(n.Window!),
            Cpu = (t, c) =>
            {
                string epilogue = t.Inputs.Count > 2
                    ? $"new {Cpu}BiasActivation<{Cpu}{Activations.Of(t.Activation).Cpu}>({c.Array(2)})"
                    : $"default({Cpu}NoEpilogue)";
                return new[] { $"{Cpu}Convolution.Forward({c.In(0)}, {c.In(1)}, {c.Out}, {Geometry(c.InShape(0), c.OutShape, t.Window!)}, {c.Dim(c.OutShape.Last)}, {epilogue});" };
            },
            // ONNX's Conv is NCHW with an (F, C, kh, kw) kernel: the kernel transposed from Keras's (kh, kw, C, F), Same's
            // split (the smaller half first) as explicit pads [top, left, bottom, right].
            Onnx = (n, o) => o.Nchw((x, y) =>
            {
                var w = n.Window!;
                string kernel = o.Step("Transpose", "kernel_fckk", new[] { o.In(1) }, OnnxSpelling.Ints("perm", 3, 2, 0, 1));
                o.Node("Conv", new[] { x, kernel }, y, OnnxSpelling.Ints("kernel_shape", w.Height, w.Width), OnnxSpelling.Ints("strides", w.Stride, w.Stride),
                    OnnxSpelling.Ints("pads", OnnxSpelling.Pads(o.InShape(0), n.Shape, w)));
            }),
        },
        new OpDef(OpKind.Conv2DBackpropInput)
        {
            Math = (n, input) => $"conv-transpose({input(0)}, {input(1)})",
            Cpu = (t, c) => new[] { $"{Cpu}Convolution.BackwardInput({c.In(0)}, {c.In(1)}, {c.Out}, {Geometry(c.OutShape, c.InShape(0), t.Window!)}, {c.Dim(c.InShape(0).Last)});" },
        },
        new OpDef(OpKind.Conv2DBackpropFilter)
        {
            Math = (n, input) => $"patches({input(0)})ᵀ·{input(1)}",
            Cpu = (t, c) => new[] { $"{Cpu}Convolution.BackwardFilter({c.In(0)}, {c.In(1)}, {c.Out}, {Geometry(c.InShape(0), c.InShape(1), t.Window!)}, {c.Dim(c.OutShape.Last)});" },
        },
        // Y = max over each window: dX = dY at each window's argmax.
        new OpDef(OpKind.MaxPool2D)
        {
            Spelling = "MaxPool2D",
            Lower = (ir, x, s) =>
            {
                int pool = s.Arguments.Count > 0 ? s.Arguments[0] : 2;
                return ir.MaxPool2D(x[0], pool, s.Arguments.Count > 1 && s.Arguments[1] != 0 ? s.Arguments[1] : pool, s.Name, s.Statement);
            },
            Gradient = (g, n, dy) => g.Accumulate(n.Inputs[0],
                g.Windowed(OpKind.MaxPool2DGrad, g.Node(n.Inputs[0]).Shape, g.GradientName(n.Inputs[0]), n.Scope, n.Inputs[0], dy, n.Window!)),
            Math = (n, input) => $"max over windows of {input(0)}" + FusionPasses.WindowText(n.Window!),
            Cpu = (t, c) => new[] { $"{Cpu}Pooling.MaxForward({c.In(0)}, {c.Out}, {Geometry(c.InShape(0), c.OutShape, t.Window!)});" },
            Onnx = (n, o) => o.Nchw((x, y) => o.Node("MaxPool", new[] { x }, y, OnnxSpelling.Ints("kernel_shape", n.Window!.Height, n.Window.Width),
                OnnxSpelling.Ints("strides", n.Window.Stride, n.Window.Stride), OnnxSpelling.Ints("pads", OnnxSpelling.Pads(o.InShape(0), n.Shape, n.Window)))),
        },
        new OpDef(OpKind.MaxPool2DGrad)
        {
            Math = (n, input) => $"{input(1)} at the argmax of each window of {input(0)}",
            Cpu = (t, c) => new[] { $"{Cpu}Pooling.MaxBackward({c.In(0)}, {c.In(1)}, {c.Out}, {Geometry(c.InShape(0), c.InShape(1), t.Window!)});" },
        },
    };

    /// <summary>The runtime's ConvShape for images <paramref name="input"/> → <paramref name="output"/> (both NHWC, B first).</summary>
    private static string Geometry(Shape input, Shape output, Window w)
    {
        int height = input.Dims[1], width = input.Dims[2];
        return $"new {Cpu}ConvShape(batch, {height}, {width}, {input.Dims[3]}, {w.Height}, {w.Width}, {w.Stride}, "
            + $"{Window.PadBefore(height, w.Height, w.Stride, w.Padding)}, {Window.PadBefore(width, w.Width, w.Stride, w.Padding)}, {output.Dims[1]}, {output.Dims[2]})";
    }
}
