using System.Collections.Generic;
using System.Linq;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Which rows of the input batch each value of a [Forward] graph reads. A value is <em>fixed</em> (parameters,
/// constants and what only they make), <em>row-wise</em> (B once, on one axis, and the entries at batch index b read
/// input row b alone: the input, and element-wise ops, products with fixed matrices, softmax and reductions over
/// other axes, transposes, reshapes and concatenations of row-wise values), or <em>mixed</em>. A value is mixed once
/// an op reduces, contracts or normalises over the batch axis, or pairs rows ((B, B) from x·xᵀ): its rows then
/// depend on each other, so the model's output for a sample depends on the batch it is run in.
/// </summary>
internal static class RowDependence
{
    private const int Fixed = -2, Mixed = -1; // otherwise the axis B stands on

    /// <summary>
    /// The nodes the output reads where rows first mix (every input fixed or row-wise, the result mixed), each with
    /// what it does; none when each output row reads its own input row alone.
    /// </summary>
    public static List<(int Node, string What)> MixingPoints(IReadOnlyList<Node> nodes, int output)
    {
        var state = new int[nodes.Count];
        var reads = new bool[nodes.Count];
        reads[output] = true;
        for (int id = output; id >= 0; id--)
            if (reads[id]) foreach (int input in nodes[id].Inputs) reads[input] = true;
        var points = new List<(int, string)>();
        for (int id = 0; id <= output; id++)
        {
            var node = nodes[id];
            state[id] = Of(node, nodes, state);
            if (reads[id] && state[id] == Mixed && node.Inputs.All(i => state[i] != Mixed)) points.Add((id, Describe(node, nodes)));
        }
        return points;
    }

    private static int Of(Node n, IReadOnlyList<Node> nodes, int[] state)
    {
        if (n.Op == OpKind.Input) return 0;
        if (n.IsLeaf || n.Inputs.All(i => state[i] == Fixed)) return Fixed;
        if (n.Inputs.Any(i => state[i] == Mixed)) return Mixed;
        int first = state[n.Inputs[0]];
        switch (Ops.OpTable.Of(n.Op).Rows)
        {
            case Ops.RowRule.StateInInference:
                return Fixed; // Predict reads the model's state here (the moving averages), not the batch

            case Ops.RowRule.Transpose:
                return 1 - first;
            case Ops.RowRule.Softmax:
                return first == n.Shape.Rank - 1 ? Mixed : first;
            case Ops.RowRule.Reduction:
                return n.Axis == Node.AllAxes || n.Axis == first ? Mixed : n.Axis < first ? first - 1 : first;
            case Ops.RowRule.Layout:
                // B stays first (reshape) or on its axis (slice and concat take other axes).
                return OnlyAt(n.Shape, first) && n.Inputs.All(i => state[i] == first) ? first : Mixed;
            case Ops.RowRule.MatMul:
            {
                // On op(A) (m, k) and op(B) (k, n): a row-wise A keeps B on m against a fixed B, a row-wise B on n.
                int a = Operated(state[n.Inputs[0]], n.TransposeA), b = Operated(state[n.Inputs[1]], n.TransposeB);
                return a == 0 && b == Fixed ? 0 : a == Fixed && b == 1 ? 1 : Mixed;
            }
            default:
            {
                // Element-wise with broadcasting: every row-wise operand's B on the result's one B, counted from the end.
                int axis = n.Shape.Dims.ToList().IndexOf(Shape.Batch);
                bool aligned = OnlyAt(n.Shape, axis) && n.Inputs.All(i => state[i] == Fixed || nodes[i].Shape.Rank - state[i] == n.Shape.Rank - axis);
                return aligned ? axis : Mixed;
            }
        }
    }

    private static int Operated(int axis, bool transposed) => transposed && axis >= 0 ? 1 - axis : axis;

    private static bool OnlyAt(Shape shape, int axis)
        => axis >= 0 && axis < shape.Rank && shape.Dims[axis] == Shape.Batch && shape.Dims.Count(d => d == Shape.Batch) == 1;

    /// <summary>The op where rows mix, for GG0118: "MatMul of (6, B) and (B, 6) (a sum over the batch)".</summary>
    private static string Describe(Node n, IReadOnlyList<Node> nodes)
    {
        Shape In(int i) => nodes[n.Inputs[i]].Shape;
        switch (n.Op)
        {
            case OpKind.MatMul:
            {
                Shape a = n.TransposeA ? Shape.Transpose(In(0)) : In(0), b = n.TransposeB ? Shape.Transpose(In(1)) : In(1);
                string what = a.Dims[1] == Shape.Batch ? "a sum over the batch" : "every row against every row";
                return $"MatMul of {a} and {b} ({what})";
            }
            case OpKind.Softmax:
                return $"Softmax over the batch axis of {In(0)}";
            case OpKind.Sum or OpKind.Mean or OpKind.Max:
                return $"{n.Op} over {(n.Axis == Node.AllAxes ? "every axis" : "the batch axis")} of {In(0)}";
            default:
                return $"{Symbol(n.Op)} of {string.Join(" and ", n.Inputs.Select(i => nodes[i].Shape))} (every row against every row)";
        }
    }

    private static string Symbol(OpKind op) => op switch
    {
        OpKind.Add or OpKind.BiasAdd => "Operator +",
        OpKind.Subtract => "Operator −",
        OpKind.Multiply => "Operator *",
        OpKind.Divide => "Operator /",
        _ => op.ToString(),
    };
}
