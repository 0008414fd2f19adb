using System;
using System.Collections.Generic;
using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Ops;

/// <summary>Builds an op's node from a body's instruction: picks the shape rule (an <see cref="IrBuilder"/> method, which infers and checks) and its arguments.</summary>
internal delegate int LowerRule(IrBuilder ir, int[] operands, Instruction instruction);

/// <summary>The op's math for the comment of its kernel, in the values' own names: <c>exp(x)</c>, <c>a + b</c>.</summary>
internal delegate string MathRule(Node node, Func<int, string> input);

/// <summary>The C# statements that run a general tensor kernel of the op on the CPU runtime, spelled through <see cref="CpuSpelling"/>.</summary>
internal delegate IEnumerable<string> CpuRule(TensorKernel kernel, CpuSpelling cpu);

/// <summary>
/// The op's ONNX form (opset 17), written through <see cref="OnnxSpelling"/>: the nodes that compute the op's output
/// from its inputs' values. An op without one cannot be exported; the ONNX table then says so, naming it and its layer.
/// </summary>
internal delegate void OnnxRule(Node node, OnnxSpelling onnx);

/// <summary>How a batch's rows travel through the op (<see cref="RowDependence"/>): which ops can make one sample's value read another's.</summary>
/// <see cref="StateInInference"/>: a value of the batch in training that Predict and Evaluate read from the model's state instead
/// (a batch normalisation's statistics), so inference does not mix rows there.
internal enum RowRule { Elementwise, Transpose, Softmax, Reduction, Layout, MatMul, Loss, StateInInference }

/// <summary>
/// A number argument of an <c>Op</c> method (a dropout rate): named as the method's parameter, a compile-time constant, and
/// checked here; <see cref="Problem"/> says what is wrong with a value (null when it is fine), reported at the argument.
/// </summary>
internal sealed record NumberArgument(string Name, Func<double, string?> Problem);

/// <summary>
/// One op of the compiler, whole: how a [Forward] or [Differentiable] body spells it (<see cref="Spelling"/>, a
/// <c>GraphGen.Op</c> method, or an operator), its shape rule (<see cref="Lower"/>), its gradient (<see cref="Gradient"/>;
/// null for an op that is only ever built by another op's rule and has none), how rows travel through it, the comment
/// text of its kernel (<see cref="Math"/>), its CPU lowering (<see cref="Cpu"/>, for the ops that run as a general
/// tensor kernel; the fused kernels of the Fusion passes lower the others) and its ONNX form (<see cref="Onnx"/>, for
/// the ops an inference graph can hold). The entries live in <see cref="OpTable"/>.
/// </summary>
internal sealed record OpDef(OpKind Kind)
{
    public string? Spelling { get; init; }
    public LowerRule? Lower { get; init; }
    public GradientRule? Gradient { get; init; }
    /// <summary>True for an op whose derivative is zero wherever it exists (sign, comparisons): nothing flows back through it.</summary>
    public bool NoGradient { get; init; }
    public RowRule Rows { get; init; }
    public MathRule? Math { get; init; }
    public CpuRule? Cpu { get; init; }
    public OnnxRule? Onnx { get; init; }
    /// <summary>The Op method's number arguments, in order (<see cref="Model.Instruction.Numbers"/>); the others are tensors or axes.</summary>
    public IReadOnlyList<NumberArgument> Numbers { get; init; } = Array.Empty<NumberArgument>();
}
