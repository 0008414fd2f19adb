using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;

namespace GraphGen.Generators.Emit;

/// <summary>
/// Writes one fused kernel as C#: a comment with its layer and math, a comment with its shapes, and the call into
/// the CPU runtime. Models and [Differentiable] functions share it.
/// </summary>
internal sealed class KernelEmitter(CSharpNames names)
{
    private const string Cpu = CpuSpelling.Cpu;

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
            case DropoutKernel or BatchNormStatisticsKernel or BatchNormalizeKernel or BatchNormBackwardKernel:
                EmitRegularisation(w, kernel);
                break;
            case TensorKernel t:
                w.Line($"//   {string.Join(", ", t.Inputs.Select(i => i.Shape))} → {t.Output.Shape}");
                var cpu = new CpuSpelling(t, this);
                foreach (string line in OpTable.Of(t.Op).Cpu?.Invoke(t, cpu) ?? throw new NotSupportedException($"{t.Op} has no CPU lowering in the op table."))
                    w.Line(line);
                break;
            default:
                throw new NotSupportedException($"No C# emitter for {kernel.GetType().Name}.");
        }
    }

    /// <summary>
    /// A GEMM as one call with its sizes and operands named (m, n, k; a, b, c), its epilogue on a line of its own.
    /// </summary>
    private void EmitGemm(CodeWriter w, GemmKernel g)
    {
        string layout = g.TransposeA ? "TN" : g.TransposeB ? "NT" : "NN";
        w.Line($"//   {Operated(g.A.Shape, g.TransposeA)}·{Operated(g.B.Shape, g.TransposeB)} → {g.C.Shape}");
        string sizes = $"{Cpu}GemmLayout.{layout}, m: {Dim(g.M)}, n: {Dim(g.N)}, k: {Dim(g.K)}";
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

    /// <summary>
    /// Dropout (the mask of the model's dropout seed, the step's number and the op's stream; a copy in Predict) and batch
    /// normalisation, a (rows, channels) view of every axis but the last against the channels.
    /// </summary>
    private void EmitRegularisation(CodeWriter w, Kernel kernel)
    {
        switch (kernel)
        {
            case DropoutKernel d when d.Mode == DropoutMode.Identity:
                w.Line($"//   {d.Source.Shape}")
                 .Line($"{Values(d.Source)}.CopyTo({Values(d.Destination)});");
                break;
            case DropoutKernel d:
                string count = Count(d.Destination.Shape, "batch");
                w.Line($"//   {d.Source.Shape}, dropout stream {d.Stream} of step DropoutStep")
                 .Line($"{Cpu}DropoutKernels.{(d.Mode == DropoutMode.Forward ? "Forward" : "Backward")}({Values(d.Source)}, {Values(d.Destination)}, {count}, {Float(d.Rate)}, DropoutSeed, DropoutStep, {d.Stream});");
                break;
            case BatchNormStatisticsKernel s when s.Training:
                w.Line($"//   {s.Input.Shape} → {s.Statistics.Shape}; the moving averages {s.MovingMean.Shape} updated in place")
                 .Line($"{Cpu}BatchNormKernels.TrainingStatistics({Values(s.Input)}, {Values(s.Statistics)}, {Values(s.MovingMean)}, {Values(s.MovingVariance)}, "
                     + $"{Rows(s.Input.Shape)}, {Dim(s.Input.Shape.Last)}, {Float(s.Momentum)}, {Float(s.Epsilon)});");
                break;
            case BatchNormStatisticsKernel s:
                w.Line($"//   {s.MovingMean.Shape}, {s.MovingVariance.Shape} → {s.Statistics.Shape}")
                 .Line($"{Cpu}BatchNormKernels.InferenceStatistics({Values(s.MovingMean)}, {Values(s.MovingVariance)}, {Values(s.Statistics)}, {Dim(s.Input.Shape.Last)}, {Float(s.Epsilon)});");
                break;
            case BatchNormalizeKernel n:
                w.Line($"//   {n.Input.Shape}, statistics {n.Statistics.Shape} → {n.Output.Shape}")
                 .Line($"{Cpu}BatchNormKernels.Normalize({Values(n.Input)}, {Values(n.Statistics)}, {Values(n.Gamma)}, {Values(n.Beta)}, {Values(n.Output)}, "
                     + $"{Rows(n.Input.Shape)}, {Dim(n.Input.Shape.Last)});");
                break;
            case BatchNormBackwardKernel b:
                string Optional(Operand? o) => o is { } operand ? Values(operand) : "default";
                w.Line($"//   {b.OutputGradient.Shape} → {string.Join(", ", b.Writes.Select(o => o.Shape))}")
                 .Line($"{Cpu}BatchNormKernels.Backward({Values(b.OutputGradient)}, {Values(b.Input)}, {Values(b.Statistics)}, {Values(b.Gamma)},")
                 .Line($"    {Optional(b.InputGradient)}, {Optional(b.GammaGradient)}, {Optional(b.BetaGradient)}, {Rows(b.Input.Shape)}, {Dim(b.Input.Shape.Last)});");
                break;
        }
    }

    /// <summary>An operand as a span of exactly its values.</summary>
    private string Values(Operand operand) => Slice(operand, Count(operand.Shape, "batch"));

    private static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    /// <summary>The element counts before, along and after an axis (all of them along it for a reduction over every axis).</summary>
    internal static (string Outer, string Count, string Inner) Around(Shape shape, int axis)
        => axis == Node.AllAxes ? ("1", Count(shape, "batch"), "1")
            : (Product(shape.Dims.Take(axis)), Dim(shape.Dims[axis]), Product(shape.Dims.Skip(axis + 1)));

    internal static bool IsOneValue(Shape shape) => !shape.HasBatch && shape.ElementsPerBatch == 1;

    /// <summary>A one-value operand as a float: the literal of a constant, else its first element.</summary>
    internal string Scalar(Operand operand) => operand.Kind == OperandKind.Constant ? names.Of(operand) : Expression(operand) + "[0]";

    /// <summary>The dimensions as a collection expression (a stack-allocated span in the generated code).</summary>
    internal static string DimList(Shape shape) => "[" + string.Join(", ", shape.Dims.Select(Dim)) + "]";

    internal static string Product(IEnumerable<int> dims)
    {
        var list = dims.ToList();
        long fixedPart = list.Where(d => d != Shape.Batch).Aggregate(1L, (p, d) => p * d);
        int batches = list.Count(d => d == Shape.Batch);
        if (batches == 0) return fixedPart.ToString(CultureInfo.InvariantCulture);
        string rows = string.Join(" * ", Enumerable.Repeat("batch", batches));
        return fixedPart == 1 ? rows : $"{rows} * {fixedPart}";
    }

    internal static string Times(int count, string unit) => unit == "1" ? Dim(count) : count == 1 ? unit : $"{Dim(count)} * {unit}";

    /// <summary>Rows of a shape read as (rows, last): every dimension but the last.</summary>
    internal static string Rows(Shape shape) => Product(shape.Dims.Take(shape.Rank - 1));

    internal string Expression(Operand operand) => operand.Kind == OperandKind.Constant ? $"[{names.Of(operand)}]" : names.Of(operand);

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

    private static string Activation(ActivationKind kind)
        => Cpu + (Activations.Of(kind).Cpu ?? throw new NotSupportedException($"{kind} is not an element-wise activation."));
}
