using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Emit;

/// <summary>
/// Writes one fused kernel as C#: a comment with its layer and math, a comment with its shapes, and the call into
/// the CPU runtime. Models and [Differentiable] functions share it.
/// </summary>
internal sealed class KernelEmitter(CSharpNames names)
{
    private const string Cpu = "global::GraphGen.Cpu.";
    private const string Primitives = "global::System.Numerics.Tensors.TensorPrimitives.";

    public void Emit(CodeWriter w, Kernel kernel)
    {
        w.Line($"// {kernel.Layer}: {kernel.Math}");
        switch (kernel)
        {
            case GemmKernel g:
                EmitGemm(w, g);
                break;
            case SoftmaxCrossEntropyKernel s:
                w.Line($"//   {s.Logits.Shape} → loss, {s.Probabilities.Shape}, {s.LogitGradient.Shape}")
                 .Line($"loss = {Cpu}LossKernels.SoftmaxCrossEntropy({Expression(s.Logits)}, {Expression(s.Targets)}, {Expression(s.Probabilities)}, {Expression(s.LogitGradient)}, batch, {Dim(s.Classes)});");
                break;
            case SigmoidCrossEntropyKernel s:
                w.Line($"//   {s.Logits.Shape} → loss, {s.Probabilities.Shape}, {s.LogitGradient.Shape}")
                 .Line($"loss = {Cpu}LossKernels.SigmoidCrossEntropy({Expression(s.Logits)}, {Expression(s.Targets)}, {Expression(s.Probabilities)}, {Expression(s.LogitGradient)}, batch, {Dim(s.Columns)});");
                break;
            case SoftmaxKernel s:
                w.Line($"//   {s.Logits.Shape} → {s.Probabilities.Shape}")
                 .Line($"{Cpu}Kernels.Softmax({Expression(s.Logits)}, {Expression(s.Probabilities)}, {Rows(s.Logits.Shape)}, {Dim(s.Classes)});");
                break;
            case RegressionLossKernel m:
                w.Line($"//   {m.Output.Shape} → loss, {m.OutputGradient.Shape}")
                 .Line($"loss = {Cpu}LossKernels.{(m.Squared ? "MeanSquaredError" : "MeanAbsoluteError")}({Expression(m.Output)}, {Expression(m.Targets)}, {Expression(m.OutputGradient)}, batch, {Dim(m.Columns)});");
                break;
            case ColumnSumKernel c:
                w.Line($"//   {c.Source.Shape} → {c.Destination.Shape}")
                 .Line($"{Cpu}Kernels.ColumnSums({Expression(c.Source)}, {Expression(c.Destination)}, {Rows(c.Source.Shape)}, {Dim(c.Columns)});");
                break;
            case ActivateKernel a:
                w.Line($"//   {a.Source.Shape}")
                 .Line($"{Cpu}Kernels.Activate<{Activation(a.Activation)}>({Expression(a.Source)}, {Expression(a.Destination)}, {Count(a.Destination.Shape, "batch")});");
                break;
            case ActivationBackwardKernel b:
                w.Line($"//   {b.InputGradient.Shape}")
                 .Line($"{Cpu}Kernels.ActivationBackward<{Activation(b.Activation)}>({Expression(b.OutputGradient)}, {Expression(b.Output)}, {Expression(b.InputGradient)}, {Count(b.InputGradient.Shape, "batch")});");
                break;
            case TensorKernel t:
                w.Line($"//   {string.Join(", ", t.Inputs.Select(i => i.Shape))} → {t.Output.Shape}");
                foreach (string line in TensorCall(t)) w.Line(line);
                break;
            default:
                throw new NotSupportedException($"No C# emitter for {kernel.GetType().Name}.");
        }
    }

    /// <summary>
    /// A GEMM as one call with its sizes and operands named (m, n, k; a, b, c), its epilogue on a line of its own. A
    /// weight gradient the "optimizer-update-into-gemm" pass chose goes through MultiplyGradient, which applies the
    /// optimizer's update of that weight as each gradient value is stored.
    /// </summary>
    private void EmitGemm(CodeWriter w, GemmKernel g)
    {
        string layout = g.TransposeA ? "TN" : g.TransposeB ? "NT" : "NN";
        w.Line($"//   {Operated(g.A.Shape, g.TransposeA)}·{Operated(g.B.Shape, g.TransposeB)} → {g.C.Shape}");
        string sizes = $"{Cpu}GemmLayout.{layout}, m: {Dim(g.M)}, n: {Dim(g.N)}, k: {Dim(g.K)}";
        if (g.UpdatesParameter)
        {
            string weight = names.ParameterObject(g.C.Id);
            w.Line($"//   the optimizer updates {names.ParameterName(g.C.Id)} here, as each value of its gradient is stored (TrainStep, Fit)")
             .Line($"MultiplyGradient({sizes},")
             .Line($"    a: {Expression(g.A)}, b: {Expression(g.B)}, parameter: {weight});");
            return;
        }
        string operands = $"    a: {Expression(g.A)}, b: {Expression(g.B)}, c: {Expression(g.C)}";
        string? epilogue = g.Epilogue.Kind switch
        {
            EpilogueKind.BiasActivation => $"new {Cpu}BiasActivation<{Activation(g.Epilogue.Activation)}>({Expression(g.Epilogue.Auxiliary!)})",
            EpilogueKind.ActivationGradient => $"new {Cpu}ActivationGradient<{Activation(g.Epilogue.Activation)}>({Expression(g.Epilogue.Auxiliary!)}, {Dim(g.N)})",
            _ => null,
        };
        w.Line($"{Cpu}Gemm.Multiply({sizes},");
        if (epilogue is null) w.Line(operands + ");");
        else w.Line(operands + ",").Line($"    epilogue: {epilogue});");
    }

    /// <summary>The calls of a general tensor kernel: TensorPrimitives where the shapes line up, the runtime's broadcasting kernels elsewhere.</summary>
    private IEnumerable<string> TensorCall(TensorKernel t)
    {
        var c = t.Output;
        string n = Count(c.Shape, "batch");
        string In(int i) => Slice(t.Inputs[i], Count(t.Inputs[i].Shape, "batch"));
        switch (t.Op)
        {
            case OpKind.Add or OpKind.Subtract or OpKind.Multiply or OpKind.Divide:
            {
                Operand a = t.Inputs[0], b = t.Inputs[1];
                string name = t.Op.ToString();
                bool commutes = t.Op is OpKind.Add or OpKind.Multiply;
                if (a.Shape.Equals(c.Shape) && b.Shape.Equals(c.Shape))
                    yield return $"{Primitives}{name}<float>({In(0)}, {In(1)}, {Slice(c, n)});";
                else if (a.Shape.Equals(c.Shape) && IsOneValue(b.Shape))
                    yield return $"{Primitives}{name}<float>({In(0)}, {Scalar(b)}, {Slice(c, n)});";
                else if (b.Shape.Equals(c.Shape) && IsOneValue(a.Shape))
                    yield return commutes ? $"{Primitives}{name}<float>({In(1)}, {Scalar(a)}, {Slice(c, n)});" : $"{Primitives}{name}<float>({Scalar(a)}, {In(1)}, {Slice(c, n)});";
                else
                    yield return $"{Cpu}TensorKernels.{name}({In(0)}, {DimList(a.Shape)}, {In(1)}, {DimList(b.Shape)}, {Slice(c, n)}, {DimList(c.Shape)});";
                break;
            }
            case OpKind.Negate or OpKind.Exp or OpKind.Log or OpKind.Sqrt:
                yield return $"{Primitives}{t.Op}<float>({In(0)}, {Slice(c, n)});";
                break;
            case OpKind.Square:
                yield return $"{Primitives}Multiply<float>({In(0)}, {In(0)}, {Slice(c, n)});";
                break;
            case OpKind.Transpose:
                yield return $"{Cpu}TensorKernels.Transpose({In(0)}, {Slice(c, n)}, {Dim(t.Inputs[0].Shape.Dims[0])}, {Dim(t.Inputs[0].Shape.Dims[1])});";
                break;
            case OpKind.Reshape:
                yield return $"{In(0)}.CopyTo({Slice(c, n)});";
                break;
            case OpKind.Concat:
            {
                string outer = Product(c.Shape.Dims.Take(t.Axis)), unit = Product(c.Shape.Dims.Skip(t.Axis + 1));
                int offset = 0;
                for (int i = 0; i < t.Inputs.Count; i++)
                {
                    int width = t.Inputs[i].Shape.Dims[t.Axis];
                    yield return $"{Cpu}TensorKernels.CopyBlock({In(i)}, {Times(width, unit)}, 0, {Slice(c, n)}, {Times(c.Shape.Dims[t.Axis], unit)}, {Times(offset, unit)}, {outer}, {Times(width, unit)});";
                    offset += width;
                }
                break;
            }
            case OpKind.Slice:
            {
                var source = t.Inputs[0].Shape;
                string outer = Product(source.Dims.Take(t.Axis)), unit = Product(source.Dims.Skip(t.Axis + 1));
                int width = c.Shape.Dims[t.Axis];
                yield return $"{Cpu}TensorKernels.CopyBlock({In(0)}, {Times(source.Dims[t.Axis], unit)}, {Times(t.Offset, unit)}, {Slice(c, n)}, {Times(width, unit)}, 0, {outer}, {Times(width, unit)});";
                break;
            }
            case OpKind.Sum or OpKind.Mean:
            {
                var (outer, count, inner) = Around(t.Inputs[0].Shape, t.Axis);
                yield return $"{Cpu}TensorKernels.Sum({In(0)}, {Slice(c, n)}, {outer}, {count}, {inner}, {(t.Op == OpKind.Mean ? $"1f / ({count})" : "1f")});";
                break;
            }
            case OpKind.ExpandSum or OpKind.ExpandMean:
            {
                var (outer, count, inner) = Around(c.Shape, t.Axis);
                yield return $"{Cpu}TensorKernels.Expand({In(0)}, {Slice(c, n)}, {outer}, {count}, {inner}, {(t.Op == OpKind.ExpandMean ? $"1f / ({count})" : "1f")});";
                break;
            }
            case OpKind.SumTo:
                yield return $"{Cpu}TensorKernels.SumTo({In(0)}, {DimList(t.Inputs[0].Shape)}, {Slice(c, n)}, {DimList(c.Shape)});";
                break;
            case OpKind.SoftmaxGrad:
                yield return $"{Cpu}Kernels.SoftmaxBackward({In(0)}, {In(1)}, {Slice(c, n)}, {Rows(c.Shape)}, {Dim(c.Shape.Last)});";
                break;
            default:
                throw new NotSupportedException($"No C# emitter for {t.Op}.");
        }
    }

    /// <summary>The element counts before, along and after an axis (all of them along it for a reduction over every axis).</summary>
    private static (string Outer, string Count, string Inner) Around(Shape shape, int axis)
        => axis == Node.AllAxes ? ("1", Count(shape, "batch"), "1")
            : (Product(shape.Dims.Take(axis)), Dim(shape.Dims[axis]), Product(shape.Dims.Skip(axis + 1)));

    private static bool IsOneValue(Shape shape) => !shape.HasBatch && shape.ElementsPerBatch == 1;

    /// <summary>A one-value operand as a float: the literal of a constant, else its first element.</summary>
    private string Scalar(Operand operand) => operand.Kind == OperandKind.Constant ? names.Of(operand) : Expression(operand) + "[0]";

    /// <summary>The dimensions as a collection expression (a stack-allocated span in the generated code).</summary>
    private static string DimList(Shape shape) => "[" + string.Join(", ", shape.Dims.Select(Dim)) + "]";

    private static string Product(IEnumerable<int> dims)
    {
        var list = dims.ToList();
        long fixedPart = list.Where(d => d != Shape.Batch).Aggregate(1L, (p, d) => p * d);
        int batches = list.Count(d => d == Shape.Batch);
        if (batches == 0) return fixedPart.ToString(CultureInfo.InvariantCulture);
        string rows = string.Join(" * ", Enumerable.Repeat("batch", batches));
        return fixedPart == 1 ? rows : $"{rows} * {fixedPart}";
    }

    private static string Times(int count, string unit) => unit == "1" ? Dim(count) : count == 1 ? unit : $"{Dim(count)} * {unit}";

    /// <summary>Rows of a shape read as (rows, last): every dimension but the last.</summary>
    private static string Rows(Shape shape) => Product(shape.Dims.Take(shape.Rank - 1));

    private string Expression(Operand operand) => operand.Kind == OperandKind.Constant ? $"[{names.Of(operand)}]" : names.Of(operand);

    internal string Slice(Operand operand, string count) => operand.Kind switch
    {
        OperandKind.Input or OperandKind.Targets => $"{Expression(operand)}[..({count})]",
        OperandKind.Constant => Expression(operand),
        _ => $"global::System.MemoryExtensions.AsSpan({Expression(operand)}, 0, {count})",
    };

    /// <summary>
    /// One dimension as a C# expression: B is the <c>batch</c> argument wherever it stands (rows, columns, the K of a
    /// product over the batch), never its placeholder number. Every size the emitter writes goes through here or
    /// <see cref="Count"/>.
    /// </summary>
    internal static string Dim(int dim) => dim == Shape.Batch ? "batch" : dim.ToString(CultureInfo.InvariantCulture);

    /// <summary>The element count of a shape as a C# expression, B standing for <paramref name="rows"/>.</summary>
    internal static string Count(Shape shape, string rows)
    {
        long fixedPart = shape.ElementsPerBatch;
        int batches = shape.Dims.Count(d => d == Shape.Batch);
        if (batches == 0) return fixedPart.ToString(CultureInfo.InvariantCulture);
        string product = string.Join(" * ", Enumerable.Repeat(rows, batches));
        return fixedPart == 1 ? product : $"{product} * {fixedPart}";
    }

    private static string Operated(Shape shape, bool transposed) => transposed ? shape + "ᵀ" : shape.ToString();

    private static string Activation(ActivationKind kind) => kind == ActivationKind.Softmax
        ? throw new NotSupportedException("softmax is not an element-wise activation.")
        : Cpu + kind;

}
