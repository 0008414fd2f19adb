using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Emit;

/// <summary>
/// The general tensor ops whose threads work out where to read from their output's index: element-wise ops that
/// broadcast (NumPy's rules, the dims baked in), reductions over an axis or every axis and their expansions back,
/// the sum over broadcast axes (SumTo), the 2-D transpose and the softmax's backward pass. B may stand on any axis:
/// a stride or a size that holds it is spelled over the kernel's <c>batch</c> argument (<see cref="IlgpuSize"/>), a
/// loop that runs along it takes its count as an int argument.
/// </summary>
internal sealed partial class IlgpuKernels
{
    /// <summary>Why the general tensor op <paramref name="t"/> (not element-wise over one shape) has no kernel, or null.</summary>
    private static string? UnsupportedIndexed(TensorKernel t)
    {
        return t.Op switch
        {
            OpKind.Sum or OpKind.Mean or OpKind.Max or OpKind.ExpandSum or OpKind.ExpandMean
                => t.Axis == Node.AllAxes || (t.Axis >= 0 && t.Axis < (t.Op is OpKind.ExpandSum or OpKind.ExpandMean ? t.Output : t.Inputs[0]).Shape.Rank) ? null : $"{t.Op} along axis {t.Axis}",
            OpKind.SumTo => null,
            OpKind.Transpose => t.Inputs[0].Shape.Rank == 2 ? null : "Transpose of rank other than 2",
            OpKind.SoftmaxGrad => t.Output.Shape.Rank >= 1 && t.Inputs.All(i => i.Shape.Equals(t.Output.Shape)) ? null : "SoftmaxGrad",
            _ => null,
        };
    }

    /// <summary>Strides of <paramref name="operand"/> over <paramref name="full"/>'s axes, right-aligned, null where it is broadcast.</summary>
    private static IlgpuSize?[] AlignedStrides(Shape operand, Shape full)
    {
        var strides = new IlgpuSize?[full.Rank];
        var stride = IlgpuSize.One;
        for (int i = 1; i <= full.Rank; i++)
        {
            int dim = i <= operand.Rank ? operand.Dims[operand.Rank - i] : 1;
            strides[full.Rank - i] = dim == 1 ? null : stride;
            stride *= IlgpuSize.Of(dim);
        }
        return strides;
    }

    /// <summary>
    /// Lines splitting <paramref name="index"/> into coordinates k{d} along <paramref name="axes"/> of
    /// <paramref name="shape"/> (the last fastest; the first takes what is left).
    /// </summary>
    private static IEnumerable<string> Coordinates(string index, Shape shape, IReadOnlyList<int> axes, string prefix)
    {
        if (axes.Count == 0) yield break;
        yield return $"int {prefix}rest = {index};";
        for (int j = axes.Count - 1; j > 0; j--)
        {
            int d = axes[j];
            string dim = IlgpuSize.Of(shape.Dims[d]).ToString();
            yield return $"int {prefix}{d} = {prefix}rest % {dim}; {prefix}rest /= {dim};";
        }
        yield return $"int {prefix}{axes[0]} = {prefix}rest;";
    }

    private static string Offset(IlgpuSize?[] strides, IEnumerable<int> axes, string prefix)
    {
        var terms = axes.Where(d => strides[d] is not null).Select(d => strides[d]!.Value.IsOne ? $"{prefix}{d}" : $"{prefix}{d} * {strides[d]}").ToList();
        return terms.Count == 0 ? "0" : string.Join(" + ", terms);
    }

    /// <summary>A broadcasting binary op: each input read at its index worked out from the output's.</summary>
    private void EmitBroadcast(CodeWriter w, TensorKernel t, string count)
    {
        string[] names = { "a", "b" };
        var shape = t.Output.Shape;
        var axes = Enumerable.Range(0, shape.Rank).ToList();
        var body = new List<string>(Coordinates("i", shape, axes, "k"));
        var parameters = new List<(string, string)>();
        var reads = new List<string>();
        for (int k = 0; k < 2; k++)
        {
            var input = t.Inputs[k];
            bool constant = input.Kind == OperandKind.Constant;
            parameters.Add((constant ? "float" : View("float"), names[k]));
            if (constant) reads.Add(names[k]);
            else if (input.Shape.Equals(shape)) reads.Add($"{names[k]}[i]");
            else if (KernelEmitter.IsOneValue(input.Shape)) reads.Add($"{names[k]}[0]");
            else reads.Add($"{names[k]}[{Offset(AlignedStrides(input.Shape, shape), axes, "k")}]");
        }
        parameters.Add((View("float"), "y"));
        var (what, statement, formula) = Elementwise(t.Op, reads);
        body.Add(statement);
        var arguments = t.Inputs.Select(i => i.Kind == OperandKind.Constant ? (object)CSharpNames.FloatLiteral(i.Number) : i).Append(t.Output).ToArray();
        Launch(w, Kernel(t.Layer, what + "Broadcast", IlgpuGrid.Values,
            $"{t.Layer}: y = {formula} broadcast from {t.Inputs[0].Shape} and {t.Inputs[1].Shape} to {shape}; a thread per value of y.",
            parameters.ToArray(), body.ToArray()), count, arguments);
    }

    /// <summary>Σ, mean or max along an axis (or every axis): a thread per output value, looping along the axis.</summary>
    private void EmitReduction(CodeWriter w, TensorKernel t, string count)
    {
        var (along, inner) = Around(t.Inputs[0].Shape, t.Axis);
        var body = new List<string> { inner.IsOne ? "int start = i * n;" : $"int start = i / {inner.Factor} * n * {inner.Factor} + i % {inner.Factor};" };
        if (t.Op == OpKind.Max)
        {
            body.Add("float max = x[start];");
            body.Add($"for (int k = 1; k < n; k++) max = {Order}MaximumOf(max, x[start + {Step("k", inner)}]);");
            body.Add("y[i] = max;");
        }
        else
        {
            body.Add("float sum = 0f;");
            body.Add($"for (int k = 0; k < n; k++) sum += x[start + {Step("k", inner)}];");
            body.Add(t.Op == OpKind.Mean ? "y[i] = 1f / n * sum;" : "y[i] = sum;");
        }
        string name = t.Op == OpKind.Max ? "Max" : t.Op == OpKind.Mean ? "Mean" : "Sum";
        Launch(w, Kernel(t.Layer, name, IlgpuGrid.Values,
            $"{t.Layer}: y = {name.ToLowerInvariant()} of x {t.Inputs[0].Shape} over {AxisText(t.Axis)}, n values {inner} apart; a thread per value of y {t.Output.Shape}.",
            new[] { (View("float"), "x"), (View("float"), "y"), ("int", "n") }, body.ToArray()), count, t.Inputs[0], t.Output, along);
    }

    /// <summary>The gradient of Σ or mean: each output value the input's value at its place with the axis removed (/ n for the mean).</summary>
    private void EmitExpansion(CodeWriter w, TensorKernel t, string count)
    {
        var (along, inner) = Around(t.Output.Shape, t.Axis);
        string read = inner.IsOne ? "x[i / n]" : $"x[i / (n * {inner}) * {inner} + i % {inner.Factor}]";
        bool mean = t.Op == OpKind.ExpandMean;
        Launch(w, Kernel(t.Layer, mean ? "ExpandMean" : "ExpandSum", IlgpuGrid.Values,
            $"{t.Layer}: y = x{(mean ? " / n" : "")} repeated n times over {AxisText(t.Axis)} into {t.Output.Shape}; a thread per value of y.",
            new[] { (View("float"), "x"), (View("float"), "y"), ("int", "n") },
            mean ? $"y[i] = {read} * (1f / n);" : $"y[i] = {read};"), count, t.Inputs[0], t.Output, along);
    }

    /// <summary>Σ of x over the axes a broadcast added or stretched: a thread per output value, looping over those axes' n positions.</summary>
    private void EmitSumTo(CodeWriter w, TensorKernel t, string count)
    {
        Shape source = t.Inputs[0].Shape, destination = t.Output.Shape;
        var strides = AlignedStrides(source, source);
        var aligned = AlignedStrides(destination, source);
        var reduced = Enumerable.Range(0, source.Rank).Where(d => aligned[d] is null && source.Dims[d] != 1).ToList();
        var kept = Enumerable.Range(0, source.Rank).Where(d => !reduced.Contains(d)).ToList();
        var body = new List<string>(Coordinates("i", source, kept, "k"));
        body.Add($"int start = {Offset(strides, kept, "k")};");
        body.Add("float sum = 0f;");
        body.Add("for (int t = 0; t < n; t++)");
        body.Add("{");
        body.AddRange(Coordinates("t", source, reduced, "r").Select(l => "    " + l));
        body.Add($"    sum += x[start + {Offset(strides, reduced, "r")}];");
        body.Add("}");
        body.Add("y[i] = sum;");
        string n = KernelEmitter.Product(reduced.Select(d => source.Dims[d]));
        Launch(w, Kernel(t.Layer, "SumTo", IlgpuGrid.Values,
            $"{t.Layer}: y = Σ of x {source} over the axes broadcast to it from {destination}, n positions; a thread per value of y.",
            new[] { (View("float"), "x"), (View("float"), "y"), ("int", "n") }, body.ToArray()), count, t.Inputs[0], t.Output, n);
    }

    private void EmitTranspose(CodeWriter w, TensorKernel t, string count)
    {
        var dims = t.Inputs[0].Shape.Dims;
        Launch(w, Kernel(null, "Transpose", IlgpuGrid.Values, "y = xᵀ, x (rows, cols) into y (cols, rows); a thread per value of y.",
            new[] { (View("float"), "x"), (View("float"), "y"), ("int", "rows"), ("int", "cols") },
            "y[i] = x[i % rows * cols + i / rows];"), count, t.Inputs[0], t.Output, KernelEmitter.Dim(dims[0]), KernelEmitter.Dim(dims[1]));
    }

    private void EmitSoftmaxGrad(CodeWriter w, TensorKernel t)
    {
        var shape = t.Output.Shape;
        Launch(w, Kernel(null, "SoftmaxBackward", IlgpuGrid.Rows, "dx = y ⊙ (dy − Σ dy⊙y) over each row of cols values; a thread per row.",
            new[] { (View("float"), "dy"), (View("float"), "y"), (View("float"), "dx"), ("int", "cols") },
            "int row = r * cols;",
            "float dot = 0f;",
            "for (int k = 0; k < cols; k++) dot += dy[row + k] * y[row + k];",
            "for (int k = 0; k < cols; k++) dx[row + k] = (dy[row + k] - dot) * y[row + k];"),
            KernelEmitter.Rows(shape), t.Inputs[0], t.Inputs[1], t.Output, KernelEmitter.Dim(shape.Last));
    }

    /// <summary>The count along an axis (every value, for all axes), as the launch spells it, and the values after it, as the kernel does.</summary>
    private static (string Along, IlgpuSize Inner) Around(Shape shape, int axis)
        => axis == Node.AllAxes ? (KernelEmitter.Count(shape, "batch"), IlgpuSize.One)
            : (KernelEmitter.Dim(shape.Dims[axis]), IlgpuSize.Of(shape.Dims.Skip(axis + 1)));

    private static string Step(string k, IlgpuSize inner) => inner.IsOne ? k : $"{k} * {inner}";

    private static string AxisText(int axis) => axis == Node.AllAxes ? "every axis" : "axis " + axis;
}
