using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// Parsing stage for [Differentiable] methods: a static method of floats and [Shape] tensors in a partial type,
/// returning a float or a Tensor; its body goes through <see cref="ProgramParser"/>.
/// </summary>
internal static class FunctionParser
{
    public const string DifferentiableAttributeName = "GraphGen.DifferentiableAttribute";

    public static Parsed<FunctionSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var sites = new SiteTable();
        var site = sites.At(syntax.Identifier);
        string key = SiteTable.Key(method);
        var result = Stage.Run("parsing", method.Name, site, Enumerable.Empty<DiagnosticInfo>(), diagnostics =>
            ParseFunction(method, syntax, context.SemanticModel, sites, site, diagnostics, cancellationToken))
            with { Key = key, Fallback = FallbackParser.ForFunction(method, syntax, cancellationToken) };
        return new(result, sites.ToTable(key));
    }

    private static FunctionSpec? ParseFunction(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, SiteTable sites, Site? site,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var type = method.ContainingType;
        var typeSyntax = syntax.Parent as TypeDeclarationSyntax;
        string returnType = method.ReturnType.ToDisplayString();
        var (containers, notPartial) = ModelParser.Containers(type, cancellationToken);
        string? problem = !method.IsStatic ? "it is not static; a gradient is taken of a function of its arguments alone"
            : method.IsGenericMethod || type.IsGenericType ? "it or its type is generic; shapes must be known when it compiles"
            : returnType is not ("float" or SignatureReader.TensorTypeName) ? $"it returns {returnType}; it must return float or GraphGen.Tensor"
            : method.Parameters.Length == 0 ? "it has no arguments to differentiate with respect to"
            : syntax.Body is null && syntax.ExpressionBody is null ? "it has no body to compile"
            : typeSyntax is null || !ModelParser.IsPartial(typeSyntax) ? $"its type '{type.Name}' must be partial, so GraphGen can add {method.Name}Gradient"
            : notPartial.Count > 0 ? $"its enclosing type '{notPartial[0].Name}' must be partial"
            : type.GetMembers(method.Name + "Gradient").Any() ? $"'{method.Name}Gradient' is already a member of '{type.Name}'"
            : null;
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(InvalidDifferentiable, site, method.Name, problem));
            return null;
        }
        var (arguments, argumentProblem, argumentAt) = SignatureReader.Arguments(method, allowScalars: true);
        if (argumentProblem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(InvalidDifferentiable, sites.At(argumentAt) ?? site, method.Name, argumentProblem));
            return null;
        }
        if (arguments.Count == 0) return null;

        var program = ProgramParser.Parse(method, syntax, model, arguments, Array.Empty<IPropertySymbol>(), $"[Differentiable] method '{method.Name}'",
            sites, diagnostics, cancellationToken);
        if (program is null) return null;
        foreach (int unread in UnreadArguments(program))
            diagnostics.Add(DiagnosticInfo.Create(UnusedArgument, sites.At(method.Parameters[unread].Locations.FirstOrDefault()) ?? site,
                method.Name, arguments[unread].Name));

        var identity = new TypeIdentity(type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null, containers, type.Name);
        string modifiers = string.Join(" ", syntax.Modifiers.Where(m => m.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword
            or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword).Select(m => m.Text));
        return new FunctionSpec(identity, ModelParser.Keyword(typeSyntax!), method.Name, modifiers, returnType == "float", program, site,
            HintNames.Gradient(method));
    }

    /// <summary>The arguments the result does not depend on (read by nothing, or only by values it does not use).</summary>
    private static IEnumerable<int> UnreadArguments(ProgramSpec program)
    {
        var reached = new HashSet<int>();
        var pending = new Stack<int>(new[] { program.Result });
        while (pending.Count > 0)
            if (reached.Add(pending.Peek()))
                foreach (int operand in program.Instructions[pending.Pop()].Operands) pending.Push(operand);
            else
                pending.Pop();
        return program.Instructions.Select((instruction, index) => (instruction, index))
            .Where(i => i.instruction.Op == Graph.OpKind.Input && !reached.Contains(i.index))
            .Select(i => i.instruction.Arguments[0]);
    }
}
