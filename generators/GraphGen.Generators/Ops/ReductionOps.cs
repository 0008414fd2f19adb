using System.Collections.Generic;
using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Graph;
using static GraphGen.Generators.Emit.CpuSpelling;

namespace GraphGen.Generators.Ops;

/// <summary>
/// The reductions a body writes (Σ, mean and max over an axis or every axis) and the ops their gradients are made of:
/// the broadcast back along the axis a reduction removed, and the sum over the axes a broadcast added.
/// </summary>
internal static class ReductionOps
{
    public static IEnumerable<OpDef> All => new[]
    {
        // Y = Σ_axis X: dX = dY repeated along the axis.
        Reduction(OpKind.Sum, "Sum", "ReduceSum", axesAsInput: true, "Σ {0} over {1}", (g, n, dy) =>
            g.Accumulate(n.Inputs[0], g.Op(OpKind.ExpandSum, g.Node(n.Inputs[0]).Shape, g.GradientName(n.Inputs[0]), n.Scope, dy, axis: n.Axis)),
            (t, c, outer, count, inner) => $"{Cpu}TensorKernels.Sum({c.In(0)}, {c.Out}, {outer}, {count}, {inner}, 1f);"),
        // Y = mean_axis X: dX = dY / count repeated along the axis.
        Reduction(OpKind.Mean, "Mean", "ReduceMean", axesAsInput: false, "mean of {0} over {1}", (g, n, dy) =>
            g.Accumulate(n.Inputs[0], g.Op(OpKind.ExpandMean, g.Node(n.Inputs[0]).Shape, g.GradientName(n.Inputs[0]), n.Scope, dy, axis: n.Axis)),
            (t, c, outer, count, inner) => $"{Cpu}TensorKernels.Sum({c.In(0)}, {c.Out}, {outer}, {count}, {inner}, 1f / ({count}));"),
        // Y = max_axis X: dX = dY shared equally among the maxima of each slice (as TF's reduce_max and torch.amax):
        // mask = [X == Y repeated], dX = (dY / Σ_axis mask) repeated ⊙ mask.
        Reduction(OpKind.Max, "Max", "ReduceMax", axesAsInput: false, "max of {0} over {1}", MaxGradient,
            (t, c, outer, count, inner) => $"{Cpu}TensorKernels.Max({c.In(0)}, {c.Out}, {outer}, {count}, {inner});"),
        // dY summed over the axes a broadcast added or stretched, back to the operand's shape.
        new OpDef(OpKind.SumTo)
        {
            Math = (n, input) => $"{input(0)} summed over the broadcast axes to {n.Shape}",
            Cpu = (t, c) => new[] { $"{Cpu}TensorKernels.SumTo({c.In(0)}, {c.Dims(c.InShape(0))}, {c.Out}, {c.Dims(c.OutShape)});" },
        },
        Expansion(OpKind.ExpandSum, "{0} repeated along {1}", "1f"),
        Expansion(OpKind.ExpandMean, "{0} / count, repeated along {1}", null),
    };

    private static void MaxGradient(GradientBuilder g, Node n, int dy)
    {
        int x = n.Inputs[0];
        var shape = g.Node(x).Shape;
        string name = g.GradientName(x);
        int repeated = g.Op(OpKind.ExpandSum, shape, n.Name + "_repeated", n.Scope, n.Id, axis: n.Axis);
        int mask = g.Op(OpKind.Equal, shape, n.Name + "_mask", n.Scope, x, repeated);
        int ties = g.Op(OpKind.Sum, n.Shape, n.Name + "_ties", n.Scope, mask, axis: n.Axis);
        int share = g.Op(OpKind.Divide, n.Shape, name + "_share", n.Scope, dy, ties);
        int spread = g.Op(OpKind.ExpandSum, shape, name + "_spread", n.Scope, share, axis: n.Axis);
        g.Accumulate(x, g.Op(OpKind.Multiply, shape, name, n.Scope, spread, mask));
    }

    private static string Axis(Node n) => n.Axis == Node.AllAxes ? "all axes" : "axis " + n.Axis;

    private delegate string ReductionCall(Fusion.TensorKernel t, Emit.CpuSpelling c, string outer, string count, string inner);

    private static OpDef Reduction(OpKind kind, string spelling, string onnx, bool axesAsInput, string math, GradientRule gradient, ReductionCall call) => new(kind)
    {
        Spelling = spelling,
        Rows = RowRule.Reduction,
        Lower = (ir, x, s) => ir.Reduce(kind, x[0], s.Arguments.Count == 0 ? Node.AllAxes : s.Arguments[0], s.Name, s.Statement),
        Gradient = gradient,
        Math = (n, input) => string.Format(math, input(0), Axis(n)),
        Cpu = (t, c) =>
        {
            var (outer, count, inner) = c.Around(c.InShape(0), t.Axis);
            return new[] { call(t, c, outer, count, inner) };
        },
        // The axis dropped (keepdims 0); over every axis, no axes at all. At opset 17 ReduceSum reads its axes as an
        // input, ReduceMean and ReduceMax as an attribute (both move to an input at opset 18).
        Onnx = (n, o) =>
        {
            var keep = OnnxSpelling.Int("keepdims", 0);
            if (n.Axis == Node.AllAxes) o.Same(onnx, keep);
            else if (axesAsInput) o.Node(onnx, new[] { o.In(0), o.Int64s("axes", n.Axis) }, o.Out, keep);
            else o.Same(onnx, OnnxSpelling.Ints("axes", n.Axis), keep);
        },
    };

    private static OpDef Expansion(OpKind kind, string math, string? scale) => new(kind)
    {
        Math = (n, input) => string.Format(math, input(0), Axis(n)),
        Cpu = (t, c) =>
        {
            var (outer, count, inner) = c.Around(c.OutShape, t.Axis);
            return new[] { $"{Cpu}TensorKernels.Expand({c.In(0)}, {c.Out}, {outer}, {count}, {inner}, {scale ?? $"1f / ({count})"});" };
        },
    };
}
