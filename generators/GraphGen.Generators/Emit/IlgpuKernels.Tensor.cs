using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Emit;

/// <summary>
/// The general tensor ops of a [Forward] body that ILGPU runs, each as a kernel with a thread per output value:
/// element-wise arithmetic, comparisons and math where every input has the output's shape or is one value (a
/// constant comes as a float argument), reshape, and slices and concatenations along an axis after the batch's; the
/// broadcasting and indexed ops are in IlgpuKernels.Reduce.cs, the image ops (convolution, max pooling) in IlgpuKernels.Image.cs.
/// </summary>
internal sealed partial class IlgpuKernels
{
    /// <summary>Why <paramref name="t"/> has no ILGPU kernel, or null when it has one.</summary>
    public static string? Unsupported(TensorKernel t)
    {
        switch (t.Op)
        {
            case OpKind.Add or OpKind.Subtract or OpKind.Multiply or OpKind.Divide or OpKind.Maximum or OpKind.Minimum or OpKind.GreaterEqual or OpKind.Equal
                or OpKind.Negate or OpKind.Exp or OpKind.Log or OpKind.Sqrt or OpKind.Square or OpKind.Abs or OpKind.Sign:
                return Broadcasts(t) ? UnsupportedIndexed(t) : null;
            case OpKind.Reshape or OpKind.Conv2D or OpKind.Conv2DBackpropInput or OpKind.Conv2DBackpropFilter or OpKind.MaxPool2D or OpKind.MaxPool2DGrad:
                return null;
            case OpKind.Slice or OpKind.Concat:
                if (t.Axis < 0 || t.Axis >= t.Output.Shape.Rank) return $"{t.Op} along axis {t.Axis}";
                // Pieces of B along the axis would put B into the offsets of the pieces after them.
                return t.Op == OpKind.Concat && t.Inputs.Any(i => i.Shape.Dims[t.Axis] == Shape.Batch) ? "Concat along the batch axis" : null;
            case OpKind.Sum or OpKind.Mean or OpKind.Max or OpKind.ExpandSum or OpKind.ExpandMean or OpKind.SumTo or OpKind.Transpose or OpKind.SoftmaxGrad:
                return UnsupportedIndexed(t);
            default:
                return t.Op.ToString();
        }
    }

    private void EmitTensor(CodeWriter w, TensorKernel t)
    {
        w.Line($"//   {string.Join(", ", t.Inputs.Select(i => i.Shape))} → {t.Output.Shape}");
        string count = Count(t.Output);
        switch (t.Op)
        {
            case OpKind.Reshape:
                Launch(w, Copy(), count, t.Inputs[0], t.Output);
                break;
            case OpKind.Slice:
            {
                var source = t.Inputs[0].Shape;
                var unit = Unit(t.Output.Shape, t.Axis);
                IlgpuSize width = IlgpuSize.Of(t.Output.Shape.Dims[t.Axis]) * unit, stride = IlgpuSize.Of(source.Dims[t.Axis]) * unit, offset = new IlgpuSize(t.Offset, 0) * unit;
                Launch(w, Kernel(t.Layer, "Slice", IlgpuGrid.Values,
                    $"{t.Layer}: y = x[{t.Offset}..{t.Offset}+{Rows(t.Output.Shape.Dims[t.Axis])}] along axis {t.Axis}, runs of {width} of every {stride} values of x; a thread per value of y {t.Output.Shape}.",
                    new[] { (View("float"), "x"), (View("float"), "y") },
                    $"y[i] = x[{Strided(width, stride, offset)}];"), count, t.Inputs[0], t.Output);
                break;
            }
            case OpKind.Concat:
            {
                var unit = Unit(t.Output.Shape, t.Axis);
                IlgpuSize stride = IlgpuSize.Of(t.Output.Shape.Dims[t.Axis]) * unit, offset = new(0, 0);
                foreach (var input in t.Inputs)
                {
                    var width = IlgpuSize.Of(input.Shape.Dims[t.Axis]) * unit;
                    Launch(w, Kernel(t.Layer, "Concat", IlgpuGrid.Values,
                        $"{t.Layer}: x into y's values {offset}..{Plus(offset, width)} of every {stride} (concat along axis {t.Axis}); a thread per value of x {input.Shape}.",
                        new[] { (View("float"), "x"), (View("float"), "y") },
                        $"y[{Strided(width, stride, offset)}] = x[i];"), Count(input), input, t.Output);
                    offset = Plus(offset, width);
                }
                break;
            }
            case OpKind.Sum or OpKind.Mean or OpKind.Max:
                EmitReduction(w, t, count);
                break;
            case OpKind.ExpandSum or OpKind.ExpandMean:
                EmitExpansion(w, t, count);
                break;
            case OpKind.SumTo:
                EmitSumTo(w, t, count);
                break;
            case OpKind.Transpose:
                EmitTranspose(w, t, count);
                break;
            case OpKind.SoftmaxGrad:
                EmitSoftmaxGrad(w, t);
                break;
            case OpKind.Conv2D or OpKind.Conv2DBackpropInput or OpKind.Conv2DBackpropFilter or OpKind.MaxPool2D or OpKind.MaxPool2DGrad:
                EmitImage(w, t, count);
                break;
            default:
                if (Broadcasts(t)) EmitBroadcast(w, t, count);
                else EmitElementwise(w, t, count);
                break;
        }
    }

    /// <summary>
    /// A unary or binary op, each input read at i (of the output's shape), at 0 (one value) or as a float argument (a
    /// constant): a kernel of no layer, as it bakes in no size, named after the op and the inputs it does not read at i.
    /// </summary>
    private void EmitElementwise(CodeWriter w, TensorKernel t, string count)
    {
        string[] names = t.Inputs.Count == 1 ? new[] { "x" } : new[] { "a", "b" };
        var parameters = new List<(string, string)>();
        var reads = new List<string>();
        string suffix = "", forms = "";
        for (int k = 0; k < t.Inputs.Count; k++)
        {
            var input = t.Inputs[k];
            bool constant = input.Kind == OperandKind.Constant, full = input.Shape.Equals(t.Output.Shape);
            parameters.Add((constant ? "float" : View("float"), names[k]));
            reads.Add(constant ? names[k] : full ? $"{names[k]}[i]" : $"{names[k]}[0]");
            if (constant || !full)
            {
                suffix += char.ToUpperInvariant(names[k][0]) + (constant ? "Constant" : "Scalar");
                forms += $", {names[k]} {(constant ? "a constant" : "one value")}";
            }
        }
        parameters.Add((View("float"), "y"));
        var (what, statement, formula) = Elementwise(t.Op, reads);
        var arguments = t.Inputs.Select(i => i.Kind == OperandKind.Constant ? (object)CSharpNames.FloatLiteral(i.Number) : i).Append(t.Output).ToArray();
        Launch(w, Kernel(null, what + suffix, IlgpuGrid.Values, $"y = {formula}{forms}; a thread per value.", parameters.ToArray(), statement), count, arguments);
    }

    /// <summary>The kernel's name part, its statement over the inputs' reads, and the formula for its summary.</summary>
    private static (string What, string Statement, string Formula) Elementwise(OpKind op, List<string> r)
    {
        string x = r[0], y = r.Count > 1 ? r[1] : "";
        return op switch
        {
            OpKind.Add => ("Add", $"y[i] = {x} + {y};", "a + b"),
            OpKind.Subtract => ("Subtract", $"y[i] = {x} - {y};", "a − b"),
            OpKind.Multiply => ("Multiply", $"y[i] = {x} * {y};", "a ⊙ b"),
            OpKind.Divide => ("Divide", $"y[i] = {x} / {y};", "a / b"),
            OpKind.Maximum => ("Maximum", $"y[i] = {Order}MaximumOf({x}, {y});", "max(a, b)"),
            OpKind.Minimum => ("Minimum", $"y[i] = {Order}MinimumOf({x}, {y});", "min(a, b)"),
            OpKind.GreaterEqual => ("GreaterEqual", $"y[i] = {x} >= {y} ? 1f : 0f;", "[a ≥ b], 1 or 0"),
            OpKind.Equal => ("Equal", $"y[i] = {x} == {y} ? 1f : 0f;", "[a == b], 1 or 0"),
            OpKind.Negate => ("Negate", $"y[i] = -{x};", "−x"),
            OpKind.Exp => ("Exp", $"y[i] = {MathF}Exp({x});", "e^x"),
            OpKind.Log => ("Log", $"y[i] = {MathF}Log({x});", "ln x"),
            OpKind.Sqrt => ("Sqrt", $"y[i] = {MathF}Sqrt({x});", "√x"),
            OpKind.Square => ("Square", $"y[i] = {x} * {x};", "x²"),
            OpKind.Abs => ("Abs", $"y[i] = {MathF}Abs({x});", "|x|"),
            // −1, +1, or +0 for either zero; NaN stays NaN (as GraphGen.Cpu.TensorKernels.Sign).
            _ => ("Sign", $"y[i] = {x} > 0f ? 1f : {x} < 0f ? -1f : {x} == 0f ? 0f : {x};", "sign(x): −1, 0 or 1"),
        };
    }

    /// <summary>Whether an input of <paramref name="t"/> has neither the output's shape nor one value.</summary>
    private static bool Broadcasts(TensorKernel t) => !t.Inputs.All(i => i.Shape.Equals(t.Output.Shape) || KernelEmitter.IsOneValue(i.Shape));

    /// <summary>Where value i of runs of <paramref name="width"/> lies in runs of <paramref name="stride"/>, from <paramref name="offset"/> on.</summary>
    private static string Strided(IlgpuSize width, IlgpuSize stride, IlgpuSize offset)
        => $"i / {width.Factor} * {stride.Factor}{(offset.Fixed == 0 ? "" : $" + {offset}")} + i % {width.Factor}";

    /// <summary>Values per step along <paramref name="axis"/>: the product of the dimensions after it.</summary>
    private static IlgpuSize Unit(Shape shape, int axis) => IlgpuSize.Of(shape.Dims.Skip(axis + 1));

    /// <summary>
    /// The next piece's offset in a concat, the widths before it summed: the pieces differ only along the axis, which
    /// is never B (<see cref="Unsupported"/>), so every width is a constant times the same power of B, the unit's.
    /// </summary>
    private static IlgpuSize Plus(IlgpuSize offset, IlgpuSize width) => new(offset.Fixed + width.Fixed, width.Batches);
}
