using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// Reads the body of a [Forward] or [Differentiable] method — never runs it — into single-assignment
/// instructions: locals and their reassignments, <c>return</c>, + − * /, unary minus, numbers (anything the C#
/// compiler folds to a constant) and the <c>GraphGen.Op</c> methods. Anything else is GG0101 at the syntax at
/// fault. Code the C# compiler cannot bind is left to its own errors.
/// </summary>
internal sealed class ProgramParser
{
    private const string OpTypeName = "GraphGen.Op";

    private readonly SemanticModel _model;
    private readonly string _context;
    private readonly IReadOnlyList<IPropertySymbol> _parameters;
    private readonly SiteTable _sites;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly List<Instruction> _instructions = new();
    private readonly Dictionary<ISymbol, int> _locals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<int, int> _parameterInstructions = new();
    private readonly IMethodSymbol _method;
    private string _statement = "result";
    private bool _unbound;

    private ProgramParser(IMethodSymbol method, SemanticModel model, IReadOnlyList<IPropertySymbol> parameters, string context,
        SiteTable sites, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _sites = sites;
        _method = method;
        _model = model;
        _parameters = parameters;
        _context = context;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The body as instructions, or null when it has a problem (reported) or C# errors (the compiler's to report).</summary>
    public static ProgramSpec? Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, EquatableArray<ArgumentSpec> arguments,
        IReadOnlyList<IPropertySymbol> parameters, string context, SiteTable sites, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var parser = new ProgramParser(method, model, parameters, context, sites, diagnostics, cancellationToken);
        int errors = diagnostics.Count;
        for (int i = 0; i < arguments.Count; i++)
            parser.Add(OpKind.Input, Array.Empty<int>(), new[] { i }, 0, ActivationKind.Linear, arguments[i].Name, arguments[i].Name, null);
        var (result, site) = parser.Body(syntax);
        if (result < 0 || parser._unbound || diagnostics.Count > errors) return null;
        return new ProgramSpec(arguments, EquatableArray.From(parser._instructions), result, site);
    }

    private (int Result, Site? Site) Body(MethodDeclarationSyntax syntax)
    {
        if (syntax.ExpressionBody is { } arrow) return (Expression(arrow.Expression, null), _sites.At(arrow.Expression));
        if (syntax.Body is null) return (-1, null);
        var statements = syntax.Body.Statements;
        for (int i = 0; i < statements.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            switch (statements[i])
            {
                case LocalDeclarationStatementSyntax local when !local.IsConst:
                    foreach (var variable in local.Declaration.Variables)
                    {
                        if (variable.Initializer is null)
                        {
                            Unsupported(variable, "a local declared without a value");
                            continue;
                        }
                        _statement = variable.Identifier.ValueText;
                        int value = Expression(variable.Initializer.Value, _statement);
                        if (_model.GetDeclaredSymbol(variable, _cancellationToken) is { } symbol && value >= 0) _locals[symbol] = value;
                    }
                    break;
                case LocalDeclarationStatementSyntax:
                    break; // a const local: its uses fold to constants
                case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                    Assign(assignment);
                    break;
                case ReturnStatementSyntax { Expression: { } returned } when i == statements.Count - 1:
                    _statement = "result";
                    return (Expression(returned, null), _sites.At(returned));
                case ReturnStatementSyntax returned:
                    Unsupported(returned, "a return before the end of the method");
                    return (-1, null);
                case var other:
                    Unsupported(other, null);
                    break;
            }
        }
        return (-1, null); // no return: the C# compiler reports it
    }

    private void Assign(AssignmentExpressionSyntax assignment)
    {
        var symbol = _model.GetSymbolInfo(assignment.Left, _cancellationToken).Symbol;
        if (symbol is not ILocalSymbol local || !_locals.TryGetValue(local, out int current))
        {
            if (symbol is null) _unbound = true;
            else Unsupported(assignment, "an assignment to something other than a local of this method");
            return;
        }
        _statement = local.Name;
        var op = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => (OpKind?)null,
            SyntaxKind.AddAssignmentExpression => OpKind.Add,
            SyntaxKind.SubtractAssignmentExpression => OpKind.Subtract,
            SyntaxKind.MultiplyAssignmentExpression => OpKind.Multiply,
            SyntaxKind.DivideAssignmentExpression => OpKind.Divide,
            _ => OpKind.Input,
        };
        if (op == OpKind.Input)
        {
            Unsupported(assignment, null);
            return;
        }
        int value = op is null ? Expression(assignment.Right, local.Name)
            : Combine(op.Value, current, Expression(assignment.Right, null), local.Name, assignment);
        if (value >= 0) _locals[local] = value;
    }

    /// <summary>The instruction computing <paramref name="e"/>, or −1 (reported, or left to the C# compiler).</summary>
    private int Expression(ExpressionSyntax e, string? name)
    {
        var constant = _model.GetConstantValue(e, _cancellationToken);
        if (constant.HasValue)
        {
            if (constant.Value is int or long or short or sbyte or byte or ushort or uint or ulong or float or double or decimal)
                return Add(OpKind.Constant, Array.Empty<int>(), Array.Empty<int>(), Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture),
                    ActivationKind.Linear, name ?? _statement + "_constant", e.ToString(), _sites.At(e));
            return Unsupported(e, $"the constant {e} (only numbers are)");
        }
        switch (e)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Expression(parenthesized.Expression, name);
            case CastExpressionSyntax cast:
                return Expression(cast.Expression, name); // a Parameter seen as a Tensor, a float as a float
            case BinaryExpressionSyntax binary:
            {
                OpKind? op = binary.Kind() switch
                {
                    SyntaxKind.AddExpression => OpKind.Add,
                    SyntaxKind.SubtractExpression => OpKind.Subtract,
                    SyntaxKind.MultiplyExpression => OpKind.Multiply,
                    SyntaxKind.DivideExpression => OpKind.Divide,
                    _ => null,
                };
                if (op is null) return Unsupported(binary.OperatorToken, $"operator {binary.OperatorToken.Text}");
                return Combine(op.Value, Expression(binary.Left, null), Expression(binary.Right, null), name, binary);
            }
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return Expression(unary.Operand, name);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
            {
                int operand = Expression(unary.Operand, null);
                return operand < 0 ? -1 : Add(OpKind.Negate, new[] { operand }, Array.Empty<int>(), 0, ActivationKind.Linear, name ?? _statement + "_neg", unary.ToString(), _sites.At(unary));
            }
            case IdentifierNameSyntax or MemberAccessExpressionSyntax:
                return Name(e);
            case InvocationExpressionSyntax invocation:
                return Call(invocation, name);
            default:
                return Unsupported(e, null);
        }
    }

    private int Combine(OpKind op, int left, int right, string? name, SyntaxNode at)
    {
        if (left < 0 || right < 0) return -1;
        string suffix = op switch { OpKind.Add => "_sum", OpKind.Subtract => "_diff", OpKind.Multiply => "_product", _ => "_quotient" };
        return Add(op, new[] { left, right }, Array.Empty<int>(), 0, ActivationKind.Linear, name ?? _statement + suffix, at.ToString(), _sites.At(at));
    }

    /// <summary>An argument, a local or a [Parameter] property.</summary>
    private int Name(ExpressionSyntax e)
    {
        var symbol = _model.GetSymbolInfo(e, _cancellationToken).Symbol;
        switch (symbol)
        {
            case null:
                _unbound = true;
                return -1;
            case IParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _method):
                return parameter.Ordinal;
            case ILocalSymbol local when _locals.TryGetValue(local, out int value):
                return value;
            case ILocalSymbol:
                _unbound = true; // assigned by a statement already reported
                return -1;
            case IPropertySymbol property:
            {
                int index = _parameters.ToList().FindIndex(p => SymbolEqualityComparer.Default.Equals(p, property));
                if (index < 0 && ModelParser.HasAttribute(property, ForwardParser.ParameterAttributeName))
                {
                    _unbound = true; // a [Parameter] property already reported as malformed
                    return -1;
                }
                if (index < 0) break;
                if (!_parameterInstructions.TryGetValue(index, out int instruction))
                    _parameterInstructions[index] = instruction = Add(OpKind.Parameter, Array.Empty<int>(), new[] { index }, 0, ActivationKind.Linear,
                        property.Name, e.ToString(), _sites.At(e));
                return instruction;
            }
        }
        _diagnostics.Add(DiagnosticInfo.Create(NotATensor, _sites.At(e), e.ToString(), _context));
        return -1;
    }

    /// <summary>A call to one of the GraphGen.Op methods.</summary>
    private int Call(InvocationExpressionSyntax invocation, string? name)
    {
        var method = _model.GetSymbolInfo(invocation, _cancellationToken).Symbol as IMethodSymbol;
        if (method is null)
        {
            _unbound = true;
            return -1;
        }
        if (method.ContainingType?.ToDisplayString() != OpTypeName)
            return Unsupported(invocation, $"a call to '{method.ContainingType?.Name}.{method.Name}' (only GraphGen.Op methods are)");
        if (_model.GetOperation(invocation, _cancellationToken) is not IInvocationOperation operation) return Unsupported(invocation, null);

        var tensors = new List<int>();
        var integers = new List<(int? Value, SyntaxNode Syntax, string Parameter)>();
        var numberArguments = OpTable.TryBySpelling(method.Name, out var known) ? known.Numbers : Array.Empty<NumberArgument>();
        var numbers = new double[numberArguments.Count];
        bool numbersFine = true;
        foreach (var argument in operation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
        {
            var type = argument.Parameter?.Type;
            int number = numberArguments.ToList().FindIndex(n => n.Name == argument.Parameter?.Name);
            if (number >= 0)
            {
                numbersFine &= Number(argument, numberArguments[number], method.Name, out numbers[number]);
                continue;
            }
            // An enum argument (Conv2D's Padding) travels as its number, as an int does.
            bool integer = type?.SpecialType == SpecialType.System_Int32 || type?.TypeKind == TypeKind.Enum
                || (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Int32 });
            foreach (var element in Elements(argument.Value))
            {
                if (integer)
                {
                    // The operation's constant also covers an omitted optional argument (its default value).
                    var constant = element.ConstantValue;
                    integers.Add((constant.HasValue && constant.Value is int v ? v : null, element.Syntax, argument.Parameter!.Name));
                }
                else if (element.Syntax is ExpressionSyntax syntax) tensors.Add(Expression(syntax, null));
                else return Unsupported(invocation, null);
            }
        }
        foreach (var (value, syntax, parameter) in integers)
            if (value is null)
            {
                _diagnostics.Add(DiagnosticInfo.Create(NonConstantArgument, _sites.At(syntax), parameter, method.Name));
                return -1;
            }
        if (tensors.Any(t => t < 0) || !numbersFine) return -1;

        var ints = integers.Select(i => i.Value!.Value).ToArray();
        string valueName = name ?? _statement + "_" + method.Name.ToLowerInvariant();
        var site = _sites.At(invocation);
        string text = invocation.ToString();
        // The op table says which Op methods the compiler knows; their float overloads are for eager code, not bodies.
        if (Activations.TryBySpelling(method.Name, out var activation))
            return Add(OpKind.Activation, tensors.ToArray(), ints, 0, activation.Kind, valueName, text, site);
        if (OpTable.TryBySpelling(method.Name, out var op))
            return Add(op.Kind, tensors.ToArray(), ints, 0, ActivationKind.Linear, valueName, text, site, numbers);
        return Unsupported(invocation, $"Op.{method.Name}");
    }

    /// <summary>
    /// A number argument the op table names (a dropout rate): a compile-time constant (an omitted optional one is its
    /// default) that passes the entry's check, else a diagnostic at the argument.
    /// </summary>
    private bool Number(IArgumentOperation argument, NumberArgument expected, string method, out double value)
    {
        value = 0;
        var constant = argument.Value.ConstantValue;
        var at = _sites.At(argument.Value.Syntax);
        if (!constant.HasValue || constant.Value is not (int or long or float or double or decimal))
        {
            _diagnostics.Add(DiagnosticInfo.Create(NonConstantArgument, at, expected.Name, method));
            return false;
        }
        value = Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture);
        if (expected.Problem(value) is not { } problem) return true;
        _diagnostics.Add(DiagnosticInfo.Create(ArgumentOutOfRange, at, expected.Name, "Op." + method,
            value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), problem));
        return false;
    }

    /// <summary>The values an argument passes: one, or each element of a params array or a collection expression.</summary>
    private static IEnumerable<IOperation> Elements(IOperation value)
    {
        while (value is IConversionOperation { IsImplicit: true } conversion && conversion.Operand is IArrayCreationOperation or ICollectionExpressionOperation)
            value = conversion.Operand;
        return value switch
        {
            IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            _ => new[] { value },
        };
    }

    private int Unsupported(SyntaxNode node, string? what) => Unsupported(node.GetLocation(), what ?? Describe(node));

    private int Unsupported(SyntaxToken token, string what) => Unsupported(token.GetLocation(), what);

    private int Unsupported(Location location, string what)
    {
        _diagnostics.Add(DiagnosticInfo.Create(UnsupportedSyntax, _sites.At(location), what, _context));
        return -1;
    }

    /// <summary>"'if (x) …'": the syntax at fault, cut to one short line.</summary>
    private static string Describe(SyntaxNode node)
    {
        string text = string.Join(" ", node.ToString().Split(new[] { '\r', '\n', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries));
        return "'" + (text.Length > 40 ? text.Substring(0, 40) + " …" : text) + "'";
    }

    private int Add(OpKind op, int[] operands, int[] arguments, double constant, ActivationKind activation, string name, string text, Site? site,
        double[]? numbers = null)
    {
        _instructions.Add(new Instruction(op, EquatableArray.Of(operands), EquatableArray.Of(arguments), constant, activation, name, _statement, text, site)
        {
            Numbers = numbers is null ? EquatableArray<double>.Empty : EquatableArray.From(numbers),
        });
        return _instructions.Count - 1;
    }
}
