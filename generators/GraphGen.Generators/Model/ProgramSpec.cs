namespace GraphGen.Generators.Model;

/// <summary>What one instruction of a <c>[Forward]</c> or <c>[Differentiable]</c> body computes, as written.</summary>
internal enum TensorOp
{
    Argument,   // the method's argument number Arguments[0]
    Parameter,  // the model's [Parameter] property number Arguments[0]
    Constant,   // a number
    Add, Subtract, Multiply, Divide, Negate,
    MatMul, Transpose,
    Reshape,    // Arguments: the target dimensions (per sample for batched values), one may be −1
    Concat,     // Arguments[0]: the axis; operands: the pieces
    Activation, // relu, tanh, sigmoid, … named by Instruction.Activation
    Softmax, Exp, Log, Sqrt, Square,
    Sum, Mean,  // Arguments: the axis, or none for every axis
}

/// <summary>
/// One operation of a method body in single-assignment form: operands are earlier instruction indices.
/// <paramref name="Name"/> is the value's name for the generated code (the local it is assigned to, or one derived
/// from it) and <paramref name="Statement"/> the local or return it belongs to (for comments); <paramref name="Text"/> and <paramref name="Site"/> are the sub-expression it came from, so a shape
/// problem is reported exactly there.
/// </summary>
internal sealed record Instruction(
    TensorOp Op,
    EquatableArray<int> Operands,
    EquatableArray<int> Arguments,
    double Constant,
    ActivationKind Activation,
    string Name,
    string Statement,
    string Text,
    Site? Site);

/// <summary>
/// A tensor (or float) argument of a <c>[Forward]</c> or <c>[Differentiable]</c> method with its declared shape:
/// per sample in a [Forward] method (the batch dimension B comes first), the whole shape in a [Differentiable] one.
/// A float argument has rank 0.
/// </summary>
internal sealed record ArgumentSpec(string Name, EquatableArray<int> Shape, bool IsScalar);

/// <summary>A method body compiled to instructions; <paramref name="Result"/> is the returned instruction.</summary>
internal sealed record ProgramSpec(
    EquatableArray<ArgumentSpec> Arguments,
    EquatableArray<Instruction> Instructions,
    int Result,
    Site? ResultSite);

/// <summary>A <c>[Parameter]</c> property of a [Forward] model: a trainable tensor of a fixed shape.</summary>
internal sealed record ParameterSpec(
    string PropertyName,
    string Modifiers,
    string TypeName,
    EquatableArray<int> Shape,
    string? Initializer,
    Site? Site);

/// <summary>The [Forward] front end's declaration: the method, its parameters and its body.</summary>
internal sealed record ForwardSpec(string MethodName, EquatableArray<ParameterSpec> Parameters, ProgramSpec Program, Site? MethodSite);

/// <summary>
/// A <c>[Differentiable]</c> static method: where its gradient goes, what it is called, its body, and the file the
/// gradient goes to (<see cref="Emit.HintNames.Gradient"/>).
/// </summary>
internal sealed record FunctionSpec(
    TypeIdentity Container,
    string ContainerKeyword,
    string Name,
    string Modifiers,
    bool ReturnsScalar,
    ProgramSpec Program,
    Site? Site,
    string HintName);
