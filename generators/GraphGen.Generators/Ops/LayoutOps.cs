using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Graph;
using static GraphGen.Generators.Emit.CpuSpelling;

namespace GraphGen.Generators.Ops;

/// <summary>
/// The entries that move values rather than compute them, and the matrix product: MatMul, the bias add a Dense layer
/// (or <c>x·W + b</c>) makes and its column-sum gradient, transpose, reshape, concat and the slices of concat's gradient.
/// MatMul, BiasAdd and ColumnSum run as the Fusion passes' GEMM and column-sum kernels, so they have no CPU rule here.
/// </summary>
internal static class LayoutOps
{
    public static IEnumerable<OpDef> All => new[]
    {
        // Y = op(A)·op(B). dA = dY·op(B)ᵀ (or its transpose when A is read transposed); dB = op(A)ᵀ·dY likewise.
        new OpDef(OpKind.MatMul)
        {
            Spelling = "MatMul",
            Rows = RowRule.MatMul,
            Lower = (ir, x, s) => ir.MatMul(x[0], x[1], s.Name, s.Statement),
            Gradient = (g, n, dy) =>
            {
                int a = n.Inputs[0], b = n.Inputs[1];
                if (g.NeedsGradient(a))
                    g.Accumulate(a, n.TransposeA
                        ? g.MatMul(b, dy, transposeA: n.TransposeB, transposeB: true, g.Node(a).Shape, g.GradientName(a), n.Scope)
                        : g.MatMul(dy, b, transposeA: false, transposeB: !n.TransposeB, g.Node(a).Shape, g.GradientName(a), n.Scope));
                if (g.NeedsGradient(b))
                    g.Accumulate(b, n.TransposeB
                        ? g.MatMul(dy, a, transposeA: true, transposeB: n.TransposeA, g.Node(b).Shape, g.GradientName(b), n.Scope)
                        : g.MatMul(a, dy, transposeA: !n.TransposeA, transposeB: false, g.Node(b).Shape, g.GradientName(b), n.Scope));
            },
            Math = (n, input) => $"{input(0)}{(n.TransposeA ? "ᵀ" : "")}·{input(1)}{(n.TransposeB ? "ᵀ" : "")}",
            // A product that reads an operand transposed is a Gemm with that flag (no bias: C is optional from opset 11).
            Onnx = (n, o) =>
            {
                if (!n.TransposeA && !n.TransposeB) o.Same("MatMul");
                else o.Same("Gemm", OnnxSpelling.Int("transA", n.TransposeA ? 1 : 0), OnnxSpelling.Int("transB", n.TransposeB ? 1 : 0));
            },
        },
        // Y = X + b (b broadcast over rows): dX = dY, db = Σ_rows dY.
        new OpDef(OpKind.BiasAdd)
        {
            Gradient = (g, n, dy) =>
            {
                if (g.NeedsGradient(n.Inputs[0])) g.Accumulate(n.Inputs[0], dy);
                if (g.NeedsGradient(n.Inputs[1])) g.Accumulate(n.Inputs[1], g.Gradient(OpKind.ColumnSum, g.Node(n.Inputs[1]).Shape, n.Scope, dy, of: n.Inputs[1]));
            },
            Math = (n, input) => $"{input(0)} + {input(1)}",
            Cpu = (t, c) => c.Broadcasting("Add", "Add", commutes: true),
            Onnx = (n, o) => o.Same("Add"),
        },
        new OpDef(OpKind.ColumnSum) { Math = (n, input) => $"Σ_rows {input(0)}" },
        // Y = Xᵀ: dX = dYᵀ.
        new OpDef(OpKind.Transpose)
        {
            Spelling = "Transpose",
            Rows = RowRule.Transpose,
            Lower = (ir, x, s) => ir.Transpose(x[0], s.Name, s.Statement),
            Gradient = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Transpose, g.Node(n.Inputs[0]).Shape, g.GradientName(n.Inputs[0]), n.Scope, dy)),
            Math = (n, input) => $"{input(0)}ᵀ",
            Cpu = (t, c) => new[] { $"{Cpu}TensorKernels.Transpose({c.In(0)}, {c.Out}, {c.Dim(c.InShape(0).Dims[0])}, {c.Dim(c.InShape(0).Dims[1])});" },
            Onnx = (n, o) => o.Same("Transpose", OnnxSpelling.Ints("perm", 1, 0)),
        },
        // Y = reshape(X): dX = dY under X's shape.
        new OpDef(OpKind.Reshape)
        {
            Spelling = "Reshape",
            Rows = RowRule.Layout,
            Lower = (ir, x, s) => ir.Reshape(x[0], s.Arguments.ToArray(), s.Name, s.Statement),
            Gradient = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Reshape, g.Node(n.Inputs[0]).Shape, g.GradientName(n.Inputs[0]), n.Scope, dy)),
            Math = (n, input) => $"{input(0)} as {n.Shape}",
            Cpu = (t, c) => new[] { $"{c.In(0)}.CopyTo({c.Out});" },
            // The target shape with B (always the first axis, the shape rule checks) as −1, which ONNX infers.
            Onnx = (n, o) => o.Node("Reshape", new[] { o.In(0), o.Int64s("shape", OnnxSpelling.Dims(n.Shape)) }, o.Out),
        },
        // Y = concat(X₁ … Xₖ) along an axis: each Xᵢ receives its own slice of dY.
        new OpDef(OpKind.Concat)
        {
            Spelling = "Concat",
            Rows = RowRule.Layout,
            Lower = (ir, x, s) => ir.Concat(x, s.Arguments.Count == 0 ? -1 : s.Arguments[0], s.Name, s.Statement),
            Gradient = (g, n, dy) =>
            {
                int offset = 0;
                foreach (int input in n.Inputs)
                {
                    var shape = g.Node(input).Shape;
                    if (g.NeedsGradient(input)) g.Accumulate(input, g.Op(OpKind.Slice, shape, g.GradientName(input), n.Scope, dy, axis: n.Axis, offset: offset));
                    offset += shape.Dims[n.Axis];
                }
            },
            Math = (n, input) => $"concat({string.Join(", ", n.Inputs.Select((_, i) => input(i)))}) along axis {n.Axis}",
            Cpu = Concat,
            Onnx = (n, o) => o.Same("Concat", OnnxSpelling.Int("axis", n.Axis)),
        },
        // A block of X along an axis: the inputs of a [Forward] method, and concat's gradient.
        new OpDef(OpKind.Slice)
        {
            Rows = RowRule.Layout,
            Math = (n, input) => $"{input(0)}[{n.Offset}..{n.Offset + n.Shape.Dims[n.Axis]}] along axis {n.Axis}",
            Cpu = (t, c) =>
            {
                var source = c.InShape(0);
                string outer = c.Product(source.Dims.Take(t.Axis)), unit = c.Product(source.Dims.Skip(t.Axis + 1));
                int width = c.OutShape.Dims[t.Axis];
                return new[] { $"{Cpu}TensorKernels.CopyBlock({c.In(0)}, {c.Times(source.Dims[t.Axis], unit)}, {c.Times(t.Offset, unit)}, {c.Out}, {c.Times(width, unit)}, 0, {outer}, {c.Times(width, unit)});" };
            },
            Onnx = (n, o) => o.Node("Slice",
                new[] { o.In(0), o.Int64s("starts", n.Offset), o.Int64s("ends", n.Offset + n.Shape.Dims[n.Axis]), o.Int64s("axes", n.Axis) }, o.Out),
        },
    };

    private static IEnumerable<string> Concat(Fusion.TensorKernel t, Emit.CpuSpelling c)
    {
        var shape = c.OutShape;
        string outer = c.Product(shape.Dims.Take(t.Axis)), unit = c.Product(shape.Dims.Skip(t.Axis + 1));
        int offset = 0;
        for (int i = 0; i < t.Inputs.Count; i++)
        {
            int width = c.InShape(i).Dims[t.Axis];
            yield return $"{Cpu}TensorKernels.CopyBlock({c.In(i)}, {c.Times(width, unit)}, 0, {c.Out}, {c.Times(shape.Dims[t.Axis], unit)}, {c.Times(offset, unit)}, {outer}, {c.Times(width, unit)});";
            offset += width;
        }
    }
}
