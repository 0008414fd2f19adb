using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>Where a kernel operand lives at run time. <see cref="Value"/> is a node's value before the buffer plan gives it a buffer.</summary>
internal enum OperandKind { Input, Targets, Value, Buffer, ParameterValue, ParameterGradient, Constant }

/// <summary>
/// A kernel operand, as an id: the input batch or the targets; a node's <see cref="OperandKind.Value"/> (Id = node) until
/// the buffer plan makes it a <see cref="OperandKind.Buffer"/> (Id = buffer); a parameter's value or gradient (Id = its
/// index in <see cref="KernelPlan.Parameters"/>); or a constant <paramref name="Number"/>. Each emitter spells it.
/// </summary>
internal sealed record Operand(OperandKind Kind, int Id, Shape Shape, double Number = 0)
{
    public bool IsParameter => Kind is OperandKind.ParameterValue or OperandKind.ParameterGradient;
}

internal enum EpilogueKind { None, BiasActivation, ActivationGradient }

/// <summary>What the GEMM does as it stores: add a bias and activate, or multiply by an activation's derivative.</summary>
internal sealed record GemmEpilogue(EpilogueKind Kind, ActivationKind Activation, Operand? Auxiliary)
{
    public static GemmEpilogue None { get; } = new(EpilogueKind.None, ActivationKind.Linear, null);
}

/// <summary>
/// One step of the generated code. <paramref name="Layer"/> and <paramref name="Math"/> become its comment. Every size
/// a kernel holds (M, N, K, classes, columns, shapes) uses <see cref="Shape.Batch"/> for B wherever B stands.
/// </summary>
internal abstract record Kernel(string Layer, string Math)
{
    /// <summary>Every operand (a GEMM: A, B, C, then its epilogue's).</summary>
    public abstract Operand[] Operands { get; }

    /// <summary>The operands the kernel writes; it reads the others.</summary>
    public abstract Operand[] Writes { get; }

    /// <summary>The same kernel over other operands (the buffer plan binds values to buffers with it).</summary>
    public abstract Kernel Map(Func<Operand, Operand> map);

    public IEnumerable<Operand> Reads => Operands.Where(o => !Writes.Contains(o));
}

/// <summary>
/// C = epilogue(op(A)·op(B)); M, N or K is B for a product over batch rows (K = B for hᵀ·h).
/// </summary>
internal sealed record GemmKernel(string Layer, string Math, bool TransposeA, bool TransposeB, int M, int N, int K,
    Operand A, Operand B, Operand C, GemmEpilogue Epilogue) : Kernel(Layer, Math)
{
    public override Operand[] Operands => Epilogue.Auxiliary is { } aux ? new[] { A, B, C, aux } : new[] { A, B, C };
    public override Operand[] Writes => new[] { C };
    public override Kernel Map(Func<Operand, Operand> map)
        => this with { A = map(A), B = map(B), C = map(C), Epilogue = Epilogue with { Auxiliary = Epilogue.Auxiliary is { } aux ? map(aux) : null } };
}

/// <summary>Probabilities, loss and d loss / d logits from the logits in one pass (integer labels or target rows).</summary>
internal sealed record SoftmaxCrossEntropyKernel(string Layer, string Math, Operand Logits, Operand Targets, Operand Probabilities,
    Operand LogitGradient, int Classes, bool SparseLabels) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Logits, Targets, Probabilities, LogitGradient };
    public override Operand[] Writes => new[] { Probabilities, LogitGradient };
    public override Kernel Map(Func<Operand, Operand> map)
        => this with { Logits = map(Logits), Targets = map(Targets), Probabilities = map(Probabilities), LogitGradient = map(LogitGradient) };
}

/// <summary>Sigmoid probabilities, binary cross-entropy and d loss / d logits from the logits in one pass.</summary>
internal sealed record SigmoidCrossEntropyKernel(string Layer, string Math, Operand Logits, Operand Targets, Operand Probabilities,
    Operand LogitGradient, int Columns) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Logits, Targets, Probabilities, LogitGradient };
    public override Operand[] Writes => new[] { Probabilities, LogitGradient };
    public override Kernel Map(Func<Operand, Operand> map)
        => this with { Logits = map(Logits), Targets = map(Targets), Probabilities = map(Probabilities), LogitGradient = map(LogitGradient) };
}

internal sealed record SoftmaxKernel(string Layer, string Math, Operand Logits, Operand Probabilities, int Classes) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Logits, Probabilities };
    public override Operand[] Writes => new[] { Probabilities };
    public override Kernel Map(Func<Operand, Operand> map) => this with { Logits = map(Logits), Probabilities = map(Probabilities) };
}

/// <summary>Loss and d loss / d output of the mean squared (or absolute) error in one pass.</summary>
internal sealed record RegressionLossKernel(string Layer, string Math, bool Squared, Operand Output, Operand Targets, Operand OutputGradient, int Columns)
    : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Output, Targets, OutputGradient };
    public override Operand[] Writes => new[] { OutputGradient };
    public override Kernel Map(Func<Operand, Operand> map) => this with { Output = map(Output), Targets = map(Targets), OutputGradient = map(OutputGradient) };
}

internal sealed record ColumnSumKernel(string Layer, string Math, Operand Source, Operand Destination, int Columns) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Source, Destination };
    public override Operand[] Writes => new[] { Destination };
    public override Kernel Map(Func<Operand, Operand> map) => this with { Source = map(Source), Destination = map(Destination) };
}

internal sealed record ActivateKernel(string Layer, string Math, ActivationKind Activation, Operand Source, Operand Destination) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Source, Destination };
    public override Operand[] Writes => new[] { Destination };
    public override Kernel Map(Func<Operand, Operand> map) => this with { Source = map(Source), Destination = map(Destination) };
}

internal sealed record ActivationBackwardKernel(string Layer, string Math, ActivationKind Activation, Operand OutputGradient, Operand Output,
    Operand InputGradient) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { OutputGradient, Output, InputGradient };
    public override Operand[] Writes => new[] { InputGradient };
    public override Kernel Map(Func<Operand, Operand> map)
        => this with { OutputGradient = map(OutputGradient), Output = map(Output), InputGradient = map(InputGradient) };
}

/// <summary>
/// One general tensor op of a [Forward] or [Differentiable] body (or of their gradients), lowered as its entry in the op table says: element-wise with broadcasting, transpose, reshape, concat and slice, reductions
/// and their gradients, the image ops. <paramref name="Op"/> says which; <paramref name="Axis"/>, <paramref name="Offset"/> and
/// <paramref name="Window"/> are its arguments. A convolution the "conv-bias-activation" pass fused reads its bias as a third
/// input and applies <paramref name="Activation"/> as it stores.
/// </summary>
internal sealed record TensorKernel(string Layer, string Math, OpKind Op, EquatableArray<Operand> Inputs, Operand Output, int Axis, int Offset,
    Window? Window = null, ActivationKind Activation = ActivationKind.Linear)
    : Kernel(Layer, Math)
{
    public override Operand[] Operands => Inputs.Append(Output).ToArray();
    public override Operand[] Writes => new[] { Output };
    public override Kernel Map(Func<Operand, Operand> map) => this with { Inputs = EquatableArray.From(Inputs.Select(map)), Output = map(Output) };
}
