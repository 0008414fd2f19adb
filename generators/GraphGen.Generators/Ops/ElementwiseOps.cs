using System.Collections.Generic;
using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Graph;
using static GraphGen.Generators.Emit.CpuSpelling;

namespace GraphGen.Generators.Ops;

/// <summary>
/// The element-wise entries of the op table: the arithmetic a body writes with operators or <c>Op</c> calls, with
/// NumPy broadcasting, the unary math functions, and the masks other entries' gradients are built from.
/// </summary>
internal static class ElementwiseOps
{
    public static IEnumerable<OpDef> All => new[]
    {
        // Y = A + B (broadcasting): each receives dY summed back to its shape. A matrix plus a row vector becomes BiasAdd.
        Binary(OpKind.Add, "Add", "Add", "Operator +", "+", primitive: "Add", commutes: true, (g, n, dy) =>
        {
            foreach (int input in n.Inputs) // X + X accumulates dY twice
                if (g.NeedsGradient(input)) g.Accumulate(input, g.Unbroadcast(dy, input, n.Scope));
        }),
        // Y = A − B: dA = dY, dB = −dY, each summed back to its shape.
        Binary(OpKind.Subtract, "Sub", "Subtract", "Operator −", "−", primitive: "Subtract", commutes: false, (g, n, dy) =>
        {
            int a = n.Inputs[0], b = n.Inputs[1];
            if (g.NeedsGradient(a)) g.Accumulate(a, g.Unbroadcast(dy, a, n.Scope));
            if (g.NeedsGradient(b)) g.Accumulate(b, g.Unbroadcast(g.Op(OpKind.Negate, n.Shape, g.GradientName(b) + "_neg", n.Scope, dy), b, n.Scope));
        }),
        // Y = A ⊙ B: dA = dY ⊙ B, dB = dY ⊙ A.
        Binary(OpKind.Multiply, "Mul", "Multiply", "Operator *", "⊙", primitive: "Multiply", commutes: true, (g, n, dy) =>
        {
            int a = n.Inputs[0], b = n.Inputs[1];
            if (g.NeedsGradient(a)) g.Accumulate(a, g.Unbroadcast(g.Op(OpKind.Multiply, n.Shape, g.GradientName(a) + "_full", n.Scope, dy, b), a, n.Scope));
            if (g.NeedsGradient(b)) g.Accumulate(b, g.Unbroadcast(g.Op(OpKind.Multiply, n.Shape, g.GradientName(b) + "_full", n.Scope, dy, a), b, n.Scope));
        }),
        // Y = A / B: dA = dY / B, dB = −dY ⊙ A / B² = −dY ⊙ Y / B.
        Binary(OpKind.Divide, "Div", "Divide", "Operator /", "/", primitive: "Divide", commutes: false, (g, n, dy) =>
        {
            int a = n.Inputs[0], b = n.Inputs[1];
            if (g.NeedsGradient(a)) g.Accumulate(a, g.Unbroadcast(g.Op(OpKind.Divide, n.Shape, g.GradientName(a) + "_full", n.Scope, dy, b), a, n.Scope));
            if (!g.NeedsGradient(b)) return;
            int ratio = g.Op(OpKind.Divide, n.Shape, g.GradientName(b) + "_ratio", n.Scope, n.Id, b);
            int product = g.Op(OpKind.Multiply, n.Shape, g.GradientName(b) + "_product", n.Scope, dy, ratio);
            g.Accumulate(b, g.Unbroadcast(g.Op(OpKind.Negate, n.Shape, g.GradientName(b) + "_full", n.Scope, product), b, n.Scope));
        }),
        // Y = max(A, B) (broadcasting): as TensorFlow, dY goes to A where A ≥ B, else to B.
        Binary(OpKind.Maximum, "Max", "Maximum", "Op.Maximum", null, primitive: "Max", commutes: true, (g, n, dy) => ToFirstWhere(g, n, dy, n.Inputs[0], n.Inputs[1])),
        // Y = min(A, B): dY goes to A where A ≤ B (B ≥ A), else to B.
        Binary(OpKind.Minimum, "Min", "Minimum", "Op.Minimum", null, primitive: "Min", commutes: true, (g, n, dy) => ToFirstWhere(g, n, dy, n.Inputs[1], n.Inputs[0])),
        // 1 where A ≥ B, else 0; 1 where A == B, else 0. Masks for the gradients above and of Max; their own derivative is zero.
        Mask(OpKind.GreaterEqual, "≥", "GreaterEqual"),
        Mask(OpKind.Equal, "==", "Equal"),

        // Y = −X: dX = −dY.
        Unary(OpKind.Negate, "Neg", "Negate", x => $"−{x}", "Negate", (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Negate, n.Shape, g.GradientName(n.Inputs[0]), n.Scope, dy))),
        // Y = e^X: dX = dY ⊙ Y.
        Unary(OpKind.Exp, "Exp", "Exp", x => $"exp({x})", "Exp", (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Multiply, n.Shape, g.GradientName(n.Inputs[0]), n.Scope, dy, n.Id))),
        // Y = ln X: dX = dY / X.
        Unary(OpKind.Log, "Log", "Log", x => $"log({x})", "Log", (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Divide, n.Shape, g.GradientName(n.Inputs[0]), n.Scope, dy, n.Inputs[0]))),
        // Y = √X: dX = (dY · 0.5) / Y.
        Unary(OpKind.Sqrt, "Sqrt", "Sqrt", x => $"√{x}", "Sqrt", (g, n, dy) =>
        {
            int half = g.Op(OpKind.Multiply, n.Shape, g.GradientName(n.Inputs[0]) + "_half", n.Scope, dy, g.Constant(0.5, "half", n.Scope));
            g.Accumulate(n.Inputs[0], g.Op(OpKind.Divide, n.Shape, g.GradientName(n.Inputs[0]), n.Scope, half, n.Id));
        }),
        // Y = X²: dX = dY ⊙ 2X.
        new OpDef(OpKind.Square)
        {
            Spelling = "Square",
            Lower = (ir, x, s) => ir.Unary(OpKind.Square, x[0], s.Name, s.Statement),
            Gradient = (g, n, dy) =>
            {
                int twice = g.Op(OpKind.Multiply, n.Shape, g.GradientName(n.Inputs[0]) + "_twice", n.Scope, n.Inputs[0], g.Constant(2.0, "two", n.Scope));
                g.Accumulate(n.Inputs[0], g.Op(OpKind.Multiply, n.Shape, g.GradientName(n.Inputs[0]), n.Scope, dy, twice));
            },
            Math = (n, input) => $"{input(0)}²",
            Cpu = (t, c) => new[] { $"{Primitives}Multiply<float>({c.In(0)}, {c.In(0)}, {c.Out});" },
            // x·x, as the CPU computes it (Pow may round differently).
            Onnx = (n, o) => o.Node("Mul", new[] { o.In(0), o.In(0) }, o.Out),
        },
        // Y = |X|: dX = dY ⊙ sign(X) (0 at 0, as TensorFlow and PyTorch).
        Unary(OpKind.Abs, "Abs", "Abs", x => $"|{x}|", "Abs", (g, n, dy) =>
        {
            int x = n.Inputs[0];
            int sign = g.Op(OpKind.Sign, n.Shape, g.GradientName(x) + "_sign", n.Scope, x);
            g.Accumulate(x, g.Op(OpKind.Multiply, n.Shape, g.GradientName(x), n.Scope, dy, sign));
        }),
        // sign(X): −1, 0 or 1, for the gradient of Abs; its derivative is zero.
        new OpDef(OpKind.Sign)
        {
            NoGradient = true,
            Math = (n, input) => $"sign({input(0)})",
            Cpu = (t, c) => new[] { $"{Cpu}TensorKernels.Sign({c.In(0)}, {c.Out});" },
        },
    };

    /// <summary>
    /// dY to the first operand where <paramref name="high"/> ≥ <paramref name="low"/> (Maximum: A ≥ B; Minimum: B ≥ A), the rest
    /// to the second, each summed back to its shape.
    /// </summary>
    private static void ToFirstWhere(GradientBuilder g, Node n, int dy, int high, int low)
    {
        int a = n.Inputs[0], b = n.Inputs[1];
        int mask = g.Op(OpKind.GreaterEqual, n.Shape, n.Name + "_mask", n.Scope, high, low);
        int toA = g.Op(OpKind.Multiply, n.Shape, g.GradientName(a) + "_full", n.Scope, dy, mask);
        if (g.NeedsGradient(a)) g.Accumulate(a, g.Unbroadcast(toA, a, n.Scope));
        if (g.NeedsGradient(b)) g.Accumulate(b, g.Unbroadcast(g.Op(OpKind.Subtract, n.Shape, g.GradientName(b) + "_full", n.Scope, dy, toA), b, n.Scope));
    }

    private static OpDef Binary(OpKind kind, string onnx, string spelling, string symbol, string? infix, string? primitive, bool commutes, GradientRule gradient) => new(kind)
    {
        Spelling = spelling,
        Lower = (ir, x, s) => ir.Binary(kind, x[0], x[1], s.Name, s.Statement, symbol),
        Gradient = gradient,
        Math = (n, input) => infix is null ? $"{spelling.ToLowerInvariant()}({input(0)}, {input(1)})" : $"{input(0)} {infix} {input(1)}",
        Cpu = (t, c) => c.Broadcasting(primitive, spelling, commutes),
        // ONNX's element-wise operators broadcast as NumPy does, as the body's do.
        Onnx = (n, o) => o.Same(onnx),
    };

    private static OpDef Mask(OpKind kind, string relation, string kernel) => new(kind)
    {
        NoGradient = true,
        Math = (n, input) => $"[{input(0)} {relation} {input(1)}]",
        Cpu = (t, c) => c.Broadcasting(null, kernel, commutes: false),
    };

    private static OpDef Unary(OpKind kind, string onnx, string? spelling, System.Func<string, string> math, string primitive, GradientRule gradient) => new(kind)
    {
        Spelling = spelling,
        Lower = (ir, x, s) => ir.Unary(kind, x[0], s.Name, s.Statement),
        Gradient = gradient,
        Math = (n, input) => math(input(0)),
        Cpu = (t, c) => new[] { $"{Primitives}{primitive}<float>({c.In(0)}, {c.Out});" },
        Onnx = (n, o) => o.Same(onnx),
    };
}
