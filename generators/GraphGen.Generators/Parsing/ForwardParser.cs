using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// The [Forward] front end's part of parsing: the one [Forward] method of a model, its [Shape] arguments, the
/// model's [Parameter] properties, and the method body through <see cref="ProgramParser"/>.
/// </summary>
internal static class ForwardParser
{
    public const string ForwardAttributeName = "GraphGen.ForwardAttribute";
    public const string ParameterAttributeName = "GraphGen.ParameterAttribute";

    public static ForwardSpec? Parse(INamedTypeSymbol type, List<IMethodSymbol> methods, Compilation compilation, SiteTable sites, List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        var method = methods[0];
        foreach (var extra in methods.Skip(1))
            diagnostics.Add(DiagnosticInfo.Create(InvalidForwardMethod, sites.At(extra.Locations.FirstOrDefault()), extra.Name,
                $"a model has one [Forward] method, and '{method.Name}' is already one"));
        var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(m => m.Body is not null || m.ExpressionBody is not null);
        var at = sites.At(method.Locations.FirstOrDefault());
        string? problem = method.IsGenericMethod ? "it is generic; shapes must be known when the model compiles"
            : method.ReturnType.ToDisplayString() != SignatureReader.TensorTypeName ? $"it returns {method.ReturnType.ToDisplayString()}; a [Forward] method returns GraphGen.Tensor"
            : method.Parameters.Length == 0 ? "it takes no input: declare one [Shape(…)] Tensor argument per input"
            : syntax is null ? "it has no body to compile"
            : null;
        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(InvalidForwardMethod, at, method.Name, problem));
            return null;
        }
        var (arguments, argumentProblem, argumentAt) = SignatureReader.Arguments(method, allowScalars: false);
        if (argumentProblem is not null) diagnostics.Add(DiagnosticInfo.Create(InvalidForwardMethod, sites.At(argumentAt) ?? at, method.Name, argumentProblem));
        var (parameters, symbols) = ParseParameters(type, sites, diagnostics, cancellationToken);
        if (argumentProblem is not null || arguments.Count == 0) return null;

        var program = ProgramParser.Parse(method, syntax!, compilation.GetSemanticModel(syntax!.SyntaxTree), arguments, symbols,
            $"[Forward] method '{method.Name}'", sites, diagnostics, cancellationToken);
        return program is null ? null : new ForwardSpec(method.Name, EquatableArray.From(parameters), program, at);
    }

    /// <summary>[Parameter] properties belong to [Forward] models only.</summary>
    public static void ReportParametersWithoutForward(INamedTypeSymbol type, SiteTable sites, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        foreach (var property in type.GetMembers().OfType<IPropertySymbol>().Where(p => ModelParser.HasAttribute(p, ParameterAttributeName)))
            diagnostics.Add(DiagnosticInfo.Create(InvalidParameterProperty, sites.At(property.Locations.FirstOrDefault()), property.Name,
                "only a model with a [Forward] method reads [Parameter] properties"));
    }

    private static (List<ParameterSpec> Specs, List<IPropertySymbol> Symbols) ParseParameters(INamedTypeSymbol type, SiteTable sites, List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken)
    {
        var specs = new List<ParameterSpec>();
        var symbols = new List<IPropertySymbol>();
        foreach (var (property, syntax) in ModelParser.PropertiesInDeclarationOrder(type, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attribute = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ParameterAttributeName);
            if (attribute is null) continue;
            var site = sites.At(syntax.Identifier.GetLocation());
            string typeName = property.Type.ToDisplayString();
            string? problem = typeName is not (SignatureReader.ParameterTypeName or SignatureReader.TensorTypeName) ? $"its type is '{typeName}'"
                : ModelParser.PropertyFormProblem(property, syntax);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(InvalidParameterProperty, site, property.Name, problem));
                continue;
            }
            var dims = SignatureReader.Dimensions(attribute);
            if (dims is null) continue; // a C# error in the attribute
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            if (SignatureReader.ShapeProblem(dims) is { } shapeProblem)
            {
                diagnostics.Add(DiagnosticInfo.Create(InvalidShape, sites.At(attributeSyntax) ?? site, $"parameter '{property.Name}'", shapeProblem));
                continue;
            }
            string? initializer = null;
            if (attribute.NamedArguments.FirstOrDefault(a => a.Key == "Init").Value.Value is string text)
            {
                if (InitializerGrammar.Problem(text) is { } initProblem)
                {
                    var at = sites.At(ModelParser.NamedArgument(attributeSyntax, "Init")) ?? site;
                    diagnostics.Add(DiagnosticInfo.Create(InvalidInitializer, at, text, property.Name, initProblem));
                    continue;
                }
                initializer = text.Trim();
            }
            // Trainable = false: state the model keeps (a batch normalisation's moving statistics), which no gradient reaches and no optimizer updates.
            bool trainable = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Trainable").Value.Value is not false;
            specs.Add(new ParameterSpec(property.Name, ModelParser.ModifiersBesidesPartial(syntax), typeName.Substring("GraphGen.".Length), EquatableArray.From(dims), initializer, site)
            {
                Trainable = trainable,
            });
            symbols.Add(property);
        }
        return (specs, symbols);
    }
}
