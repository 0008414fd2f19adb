using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// Parsing stage: reads a <c>[Model]</c> class, its [Input] and its layer properties (<see cref="LayerParser"/>) into a <see cref="ModelSpec"/>
/// made of plain values. Everything a user can get wrong in the declaration itself is reported here, at the
/// attribute argument or member at fault; shape problems are the Graph stage's.
/// </summary>
internal static class ModelParser
{
    public const string ModelAttributeName = "GraphGen.ModelAttribute";
    private const string InputAttributeName = "GraphGen.InputAttribute";

    public static Parsed<ModelSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var declaration = (TypeDeclarationSyntax)context.TargetNode;
        var sites = new SiteTable();
        var classSite = sites.At(declaration.Identifier);
        string key = SiteTable.Key(type);
        var modelAttribute = context.Attributes.FirstOrDefault();
        // Two parts of one type that both carry [Model] are C#'s error (CS0579); the type is compiled once, from the first.
        if (!FirstModelDeclaration(type, declaration))
            return new(new StageResult<ModelSpec>(null, EquatableArray<DiagnosticInfo>.Empty, type.Name, classSite) { Key = key }, sites.ToTable(key));
        var result = Stage.Run("parsing", type.Name, classSite, Enumerable.Empty<DiagnosticInfo>(), diagnostics =>
            ParseModel(type, declaration, modelAttribute, context.SemanticModel.Compilation, sites, classSite, diagnostics, cancellationToken))
            with { Key = key, Fallback = FallbackParser.ForModel(type, declaration, modelAttribute, cancellationToken) };
        return new(result, sites.ToTable(key));
    }

    private static ModelSpec? ParseModel(INamedTypeSymbol type, TypeDeclarationSyntax declaration, AttributeData? modelAttribute,
        Compilation compilation, SiteTable sites, Site? classSite, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        if (declaration is not ClassDeclarationSyntax || type.IsStatic || type.IsAbstract || type.IsRecord)
        {
            diagnostics.Add(DiagnosticInfo.Create(ModelMustBeClass, classSite, type.Name));
            return null;
        }
        if (!IsPartial(declaration)) diagnostics.Add(DiagnosticInfo.Create(ModelNotPartial, classSite, type.Name));
        if (type.IsGenericType || ContainingTypes(type).Any(t => t.IsGenericType))
            diagnostics.Add(DiagnosticInfo.Create(GenericModel, classSite, type.Name));
        if (type.BaseType is { SpecialType: not SpecialType.System_Object } baseType && baseType.TypeKind != TypeKind.Error)
        {
            var baseSyntax = declaration.BaseList?.Types.FirstOrDefault();
            diagnostics.Add(DiagnosticInfo.Create(ModelHasBaseClass, sites.At(baseSyntax) ?? classSite, type.Name, baseType.ToDisplayString()));
        }

        var (containers, notPartial) = Containers(type, cancellationToken);
        foreach (var container in notPartial)
            diagnostics.Add(DiagnosticInfo.Create(ContainingTypeNotPartial, classSite, type.Name, container.Name));

        var loss = LossKind.SparseCategoricalCrossentropy;
        bool fromLogits = false;
        var modelAttributeSyntax = modelAttribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var lossSite = sites.At(modelAttributeSyntax);
        Site? fromLogitsSite = null;
        foreach (var named in modelAttribute?.NamedArguments ?? ImmutableArray<KeyValuePair<string, TypedConstant>>.Empty)
        {
            if (named.Key == "FromLogits" && named.Value.Value is bool logits)
            {
                fromLogits = logits;
                fromLogitsSite = sites.At(NamedArgument(modelAttributeSyntax, "FromLogits")) ?? lossSite;
                continue;
            }
            if (named.Key != "Loss" || named.Value.Value is not int value) continue;
            lossSite = sites.At(NamedArgument(modelAttributeSyntax, "Loss")) ?? lossSite;
            if (Enum.IsDefined(typeof(LossKind), value)) loss = (LossKind)value;
            else diagnostics.Add(DiagnosticInfo.Create(UndefinedEnumValue, lossSite, "Loss", value.ToString(), string.Join(", ", Enum.GetNames(typeof(LossKind)))));
        }

        var layers = LayerParser.Parse(type, sites, diagnostics, cancellationToken);
        var forwardMethods = type.GetMembers().OfType<IMethodSymbol>().Where(m => HasAttribute(m, ForwardParser.ForwardAttributeName)).ToList();
        var input = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == InputAttributeName);
        ForwardSpec? forward = null;
        var inputShape = EquatableArray<int>.Empty;
        Site? inputSite = null;
        if (forwardMethods.Count > 0)
        {
            if (layers.Count > 0) diagnostics.Add(DiagnosticInfo.Create(DenseAndForward, classSite, type.Name));
            if (input is not null)
                diagnostics.Add(DiagnosticInfo.Create(InvalidForwardMethod, sites.At(input.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? classSite,
                    forwardMethods[0].Name, "the model also declares [Input]; a [Forward] model's inputs are the method's [Shape] arguments"));
            forward = ForwardParser.Parse(type, forwardMethods, compilation, sites, diagnostics, cancellationToken);
            // No program: its problem is reported, or is C# the compiler reports. Either way there is no graph to build.
            if (forward is null) return null;
        }
        else
        {
            ForwardParser.ReportParametersWithoutForward(type, sites, diagnostics, cancellationToken);
            if (input is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(MissingInput, classSite, type.Name));
            }
            else if (input.ConstructorArguments.Length is 1 or 3 && input.ConstructorArguments.All(a => a.Value is int))
            {
                var inputSyntax = input.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                inputSite = sites.At(inputSyntax) ?? classSite;
                var dims = input.ConstructorArguments.Select(a => (int)a.Value!).ToArray();
                string[] parameters = dims.Length == 1 ? new[] { "width" } : new[] { "height", "width", "channels" };
                for (int d = 0; d < dims.Length; d++)
                    if (dims[d] <= 0)
                        diagnostics.Add(DiagnosticInfo.Create(NonPositiveInputWidth, sites.At(Argument(inputSyntax, d, parameters[d])) ?? inputSite, type.Name, dims[d].ToString()));
                if (dims.All(d => d > 0) && dims.Aggregate(1L, (p, d) => p * d) > int.MaxValue)
                    diagnostics.Add(DiagnosticInfo.Create(InputTooLarge, inputSite, type.Name, "(" + string.Join(", ", dims) + ")"));
                inputShape = EquatableArray.From(dims);
            }
            if (layers.Count == 0 && !diagnostics.Any(d => d.Id == InvalidLayerProperty.Id))
                diagnostics.Add(DiagnosticInfo.Create(NoLayers, classSite, type.Name));
        }
        ReportDuplicateNames(layers, diagnostics);

        var identity = new TypeIdentity(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            containers, type.Name);
        return new ModelSpec(identity, inputShape, loss, EquatableArray.From(layers), classSite, lossSite, fromLogits, fromLogitsSite, forward, inputSite);
    }

    private static bool FirstModelDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration)
    {
        var first = type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == ModelAttributeName)
            .Select(a => a.ApplicationSyntaxReference).OfType<SyntaxReference>()
            .OrderBy(r => r.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(r => r.Span.Start).FirstOrDefault();
        return first is null || (first.SyntaxTree == declaration.SyntaxTree && declaration.Span.Contains(first.Span));
    }

    private static void ReportDuplicateNames(List<LayerSpec> layers, List<DiagnosticInfo> diagnostics)
    {
        var seen = new Dictionary<string, LayerSpec>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            if (seen.TryGetValue(layer.LayerName, out var first))
                diagnostics.Add(DiagnosticInfo.Create(DuplicateLayerName, layer.Site, layer.LayerName, first.PropertyName, layer.PropertyName));
            else
                seen.Add(layer.LayerName, layer);
        }
    }

    /// <summary>
    /// The types enclosing <paramref name="type"/>, outermost first, as the generated part repeats them, and those
    /// of them declared without partial (which the generated part cannot reopen).
    /// </summary>
    internal static (EquatableArray<ContainingType> Containers, List<INamedTypeSymbol> NotPartial) Containers(INamedTypeSymbol type,
        CancellationToken cancellationToken)
    {
        var containers = new List<ContainingType>();
        var notPartial = new List<INamedTypeSymbol>();
        foreach (var container in ContainingTypes(type))
        {
            var syntax = container.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().FirstOrDefault(IsPartial);
            if (syntax is null) notPartial.Add(container);
            else containers.Insert(0, new ContainingType(Keyword(syntax), container.Name));
        }
        return (EquatableArray.From(containers), notPartial);
    }

    internal static IEnumerable<INamedTypeSymbol> ContainingTypes(INamedTypeSymbol type)
    {
        for (var t = type.ContainingType; t is not null; t = t.ContainingType) yield return t;
    }

    /// <summary>The type's properties in source order (declaration order is graph order), not symbol-table order.</summary>
    internal static IEnumerable<(IPropertySymbol Property, PropertyDeclarationSyntax Syntax)> PropertiesInDeclarationOrder(INamedTypeSymbol type,
        CancellationToken cancellationToken)
        => type.GetMembers().OfType<IPropertySymbol>()
            .Select(p => (Property: p, Syntax: p.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as PropertyDeclarationSyntax))
            .Where(p => p.Syntax is not null)
            .OrderBy(p => p.Syntax!.SyntaxTree.FilePath, StringComparer.Ordinal)
            .ThenBy(p => p.Syntax!.SpanStart)
            .Select(p => (p.Property, p.Syntax!));

    /// <summary>Why a property the generator implements is not an instance, get-only partial declaration, or null.</summary>
    internal static string? PropertyFormProblem(IPropertySymbol property, PropertyDeclarationSyntax syntax)
        => property.IsStatic ? "it is static"
            : !syntax.Modifiers.Any(SyntaxKind.PartialKeyword) ? "it is not partial"
            : property.SetMethod is not null ? "it has a setter"
            : property.GetMethod is null ? "it has no getter"
            : !property.IsPartialDefinition ? "it already has a body"
            : null;

    /// <summary>The property's modifiers as the generated part repeats them (all but partial).</summary>
    internal static string ModifiersBesidesPartial(PropertyDeclarationSyntax syntax)
        => string.Join(" ", syntax.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword)).Select(m => m.Text));

    internal static bool HasAttribute(ISymbol symbol, string attributeName)
        => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attributeName);

    internal static bool IsPartial(TypeDeclarationSyntax syntax) => syntax.Modifiers.Any(SyntaxKind.PartialKeyword);

    internal static string Keyword(TypeDeclarationSyntax syntax) => syntax switch
    {
        RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        _ => syntax.Keyword.Text,
    };

    /// <summary>A positional argument by index, or the same argument written by parameter name.</summary>
    internal static SyntaxNode? Argument(AttributeSyntax? attribute, int position, string parameterName)
    {
        var arguments = attribute?.ArgumentList?.Arguments;
        if (arguments is null) return null;
        foreach (var argument in arguments)
            if (argument.NameColon?.Name.Identifier.ValueText == parameterName) return argument;
        int index = 0;
        foreach (var argument in arguments)
        {
            if (argument.NameColon is not null || argument.NameEquals is not null) continue;
            if (index++ == position) return argument;
        }
        return null;
    }

    internal static SyntaxNode? NamedArgument(AttributeSyntax? attribute, string propertyName)
        => attribute?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == propertyName);

    /// <summary>"OutputLayer" → "output_layer": the weight-file naming of Keras and PyTorch.</summary>
    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary && builder.Length > 0 && builder[builder.Length - 1] != '_') builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
