using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>Where a kernel's operand lives at run time.</summary>
internal enum OperandKind { Input, Targets, Buffer, ParameterValue, ParameterGradient, Constant }

/// <summary>A kernel operand: its storage, the field or parameter holding it (a C# float literal for a constant), and its shape.</summary>
internal sealed record Operand(OperandKind Kind, string Name, Shape Shape);

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
internal abstract record Kernel(string Layer, string Math);

/// <summary>
/// C = epilogue(op(A)·op(B)); M, N or K is B for a product over batch rows (K = B for hᵀ·h). With <see cref="UpdatesParameter"/>, C is a
/// weight's gradient that nothing after this GEMM reads, so a training step applies the optimizer's update of that
/// weight as C is stored.
/// </summary>
internal sealed record GemmKernel(string Layer, string Math, bool TransposeA, bool TransposeB, int M, int N, int K,
    Operand A, Operand B, Operand C, GemmEpilogue Epilogue) : Kernel(Layer, Math)
{
    public bool UpdatesParameter { get; init; }
}

/// <summary>Probabilities, loss and d loss / d logits from the logits in one pass (integer labels or target rows).</summary>
internal sealed record SoftmaxCrossEntropyKernel(string Layer, string Math, Operand Logits, Operand Targets, Operand Probabilities,
    Operand LogitGradient, int Classes, bool SparseLabels) : Kernel(Layer, Math);

/// <summary>Sigmoid probabilities, binary cross-entropy and d loss / d logits from the logits in one pass.</summary>
internal sealed record SigmoidCrossEntropyKernel(string Layer, string Math, Operand Logits, Operand Targets, Operand Probabilities,
    Operand LogitGradient, int Columns) : Kernel(Layer, Math);

internal sealed record SoftmaxKernel(string Layer, string Math, Operand Logits, Operand Probabilities, int Classes) : Kernel(Layer, Math);

/// <summary>Loss and d loss / d output of the mean squared (or absolute) error in one pass.</summary>
internal sealed record RegressionLossKernel(string Layer, string Math, bool Squared, Operand Output, Operand Targets, Operand OutputGradient, int Columns)
    : Kernel(Layer, Math);

internal sealed record ColumnSumKernel(string Layer, string Math, Operand Source, Operand Destination, int Columns) : Kernel(Layer, Math);

internal sealed record ActivateKernel(string Layer, string Math, ActivationKind Activation, Operand Source, Operand Destination) : Kernel(Layer, Math);

internal sealed record ActivationBackwardKernel(string Layer, string Math, ActivationKind Activation, Operand OutputGradient, Operand Output,
    Operand InputGradient) : Kernel(Layer, Math);

/// <summary>
/// One general tensor op of a [Forward] or [Differentiable] body (or of their gradients): element-wise with
/// broadcasting, transpose, reshape, concat and slice, reductions and their gradients. <paramref name="Op"/> says
/// which; <paramref name="Axis"/> and <paramref name="Offset"/> are its arguments.
/// </summary>
internal sealed record TensorKernel(string Layer, string Math, OpKind Op, EquatableArray<Operand> Inputs, Operand Output, int Axis, int Offset)
    : Kernel(Layer, Math);

/// <summary>A planned activation buffer: (B, …) rows, allocated once for the largest batch seen.</summary>
internal sealed record BufferInfo(string Field, Shape Shape, string Holds);

/// <summary>
/// The Fusion stage's output: buffers, the inference kernels (Predict; none for a function), the training kernels
/// (loss and every parameter gradient), and the parameters whose gradient is identically zero.
/// </summary>
internal sealed record KernelPlan(
    GraphOwner Owner,
    EquatableArray<ParameterInfo> Parameters,
    EquatableArray<BufferInfo> Buffers,
    EquatableArray<Kernel> Inference,
    Operand InferenceOutput,
    EquatableArray<Kernel> Training,
    EquatableArray<string> UnusedParameters);

/// <summary>Every operand a kernel reads or writes, in the order its CUDA kernel takes them (a GEMM: A, B, C, then its epilogue's).</summary>
internal static class KernelOperands
{
    public static Operand[] Of(Kernel kernel) => kernel switch
    {
        GemmKernel g => g.Epilogue.Auxiliary is { } aux ? new[] { g.A, g.B, g.C, aux } : new[] { g.A, g.B, g.C },
        SoftmaxCrossEntropyKernel s => new[] { s.Logits, s.Targets, s.Probabilities, s.LogitGradient },
        SigmoidCrossEntropyKernel s => new[] { s.Logits, s.Targets, s.Probabilities, s.LogitGradient },
        SoftmaxKernel s => new[] { s.Logits, s.Probabilities },
        RegressionLossKernel r => new[] { r.Output, r.Targets, r.OutputGradient },
        ColumnSumKernel c => new[] { c.Source, c.Destination },
        ActivateKernel a => new[] { a.Source, a.Destination },
        ActivationBackwardKernel b => new[] { b.OutputGradient, b.Output, b.InputGradient },
        TensorKernel t => t.Inputs.Append(t.Output).ToArray(),
        _ => throw new System.NotSupportedException($"No operand list for {kernel.GetType().Name}."),
    };
}
