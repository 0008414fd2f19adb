using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Model;

/// <summary>
/// One operation of a method body in single-assignment form: operands are earlier instruction indices. <paramref name="Op"/>
/// is the op table's kind, or a leaf: <see cref="OpKind.Input"/> for the method's argument number Arguments[0],
/// <see cref="OpKind.Parameter"/> for the model's [Parameter] property number Arguments[0], <see cref="OpKind.Constant"/>
/// for a number. Arguments are the op's integer arguments as written (Reshape's dimensions, an axis); an activation
/// is named by <paramref name="Activation"/>.
/// <paramref name="Name"/> is the value's name for the generated code (the local it is assigned to, or one derived
/// from it) and <paramref name="Statement"/> the local or return it belongs to (for comments); <paramref name="Text"/> and <paramref name="Site"/> are the sub-expression it came from, so a shape
/// problem is reported exactly there.
/// </summary>
internal sealed record Instruction(
    OpKind Op,
    EquatableArray<int> Operands,
    EquatableArray<int> Arguments,
    double Constant,
    ActivationKind Activation,
    string Name,
    string Statement,
    string Text,
    Site? Site)
{
    /// <summary>The op's number arguments as written (a dropout rate, a batch normalisation's momentum and epsilon), in the op table's order.</summary>
    public EquatableArray<double> Numbers { get; init; } = EquatableArray<double>.Empty;
}

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
    Site? Site)
{
    /// <summary>False for state the model keeps beside its weights (<c>[Parameter(…, Trainable = false)]</c>): no gradient, no optimizer.</summary>
    public bool Trainable { get; init; } = true;
}

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
