using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// Reads, beside the Parsing stage, what a declaration needs if a stage rejects it (<see cref="FallbackSpec"/>):
/// from the symbols alone, whatever else is wrong, so a half-parsed declaration still gets its members. Where no
/// partial part can be added (the type, or a type enclosing it, is not partial) there is none.
/// </summary>
internal static class FallbackParser
{
    private const string Generated = "[global::System.CodeDom.Compiler.GeneratedCode(\"GraphGen\", \"" + CSharpEmitter.Version + "\")]";
    private const string Initializer = "global::GraphGen.Training.Initializer";
    private const string Span = "global::System.ReadOnlySpan";

    private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>
    /// A [Model] class: the partial properties the generator implements (those with [Dense] or [Parameter], or of
    /// a layer type or Parameter); for a class without a base class of its own, also CompiledModel's base class,
    /// the constructor and the overrides, so code that calls <c>new Net(seed: 1)</c> or <c>Fit</c> compiles too.
    /// </summary>
    public static FallbackSpec? ForModel(INamedTypeSymbol type, TypeDeclarationSyntax declaration, AttributeData? modelAttribute,
        CancellationToken cancellationToken)
    {
        try
        {
            return Model(type, declaration, modelAttribute, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null; // the stages report what is wrong; a fallback is only a courtesy
        }
    }

    /// <summary>A [Differentiable] method: <c>{Name}Gradient</c> with the signature it would have had.</summary>
    public static FallbackSpec? ForFunction(IMethodSymbol method, MethodDeclarationSyntax syntax, CancellationToken cancellationToken)
    {
        try
        {
            return Function(method, syntax, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private static FallbackSpec? Model(INamedTypeSymbol type, TypeDeclarationSyntax declaration, AttributeData? modelAttribute, CancellationToken cancellationToken)
    {
        if (declaration is InterfaceDeclarationSyntax || Scopes(type, cancellationToken) is not { } scopes) return null;
        var members = new List<string>();
        foreach (var (property, syntax) in ModelParser.PropertiesInDeclarationOrder(type, cancellationToken))
            if (Implemented(property) && PropertyStub(property, syntax) is { } stub) members.Add(stub);

        bool plainClass = declaration is ClassDeclarationSyntax && !type.IsStatic && type.BaseType is { SpecialType: SpecialType.System_Object };
        string header = $"partial {ModelParser.Keyword(declaration)} {Identifier(type.Name)}{TypeParameters(type.TypeParameters)}";
        if (plainClass)
        {
            var loss = LossKind.SparseCategoricalCrossentropy;
            foreach (var named in modelAttribute?.NamedArguments ?? ImmutableArray<KeyValuePair<string, TypedConstant>>.Empty)
                if (named.Key == "Loss" && named.Value.Value is int value && Enum.IsDefined(typeof(LossKind), value)) loss = (LossKind)value;
            string targets = loss == LossKind.SparseCategoricalCrossentropy ? "int" : "float";
            header += $" : global::GraphGen.Training.CompiledModel<{targets}>";
            members.Add($"public {Identifier(type.Name)}(int seed = 0, {Initializer}? weightInitializer = null, {Initializer}? biasInitializer = null)\n"
                + $"    : base(inputWidth: 1, outputWidth: 1, loss: global::GraphGen.Training.Losses.{loss}()) => {FallbackSpec.Throw};");
            members.Add($"protected override void AllocateBuffers(int rows) => {FallbackSpec.Throw};");
            members.Add($"protected override {Span}<float> Forward({Span}<float> x, int batch) => {FallbackSpec.Throw};");
            members.Add($"protected override {Span}<float> TrainingOutput(int batch) => {FallbackSpec.Throw};");
            members.Add($"protected override float ForwardBackward({Span}<float> x, {Span}<{targets}> targets, int batch) => {FallbackSpec.Throw};");
        }
        scopes.Add(Generated + "\n" + header);
        return new FallbackSpec(HintNames.Model(type), "the [Model] declaration of", type.ToDisplayString(),
            EquatableArray.From(scopes), EquatableArray.From(members));
    }

    private static FallbackSpec? Function(IMethodSymbol method, MethodDeclarationSyntax syntax, CancellationToken cancellationToken)
    {
        var type = method.ContainingType;
        if (method.Parameters.Length == 0 || type.GetMembers(method.Name + "Gradient").Any()
            || method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Error) || Scopes(type, cancellationToken) is not { } scopes)
            return null;
        var typeSyntax = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().First();
        scopes.Add($"partial {ModelParser.Keyword(typeSyntax)} {Identifier(type.Name)}{TypeParameters(type.TypeParameters)}");

        string value = method.ReturnsVoid || method.ReturnType.TypeKind == TypeKind.Error || !Storable(method.ReturnType) ? "float" : Display(method.ReturnType);
        var elements = new[] { value + " Value" }.Concat(method.Parameters.Select(p => $"{(Storable(p.Type) ? Display(p.Type) : "float")} d{p.Name}"));
        var parameters = method.Parameters.Select(p => RefKind(p) + (p.IsParams ? "params " : "") + Display(p.Type) + " " + Identifier(p.Name));
        var modifiers = syntax.Modifiers.Where(m => m.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword
            or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword).Select(m => m.Text).ToList();
        if (method.IsStatic) modifiers.Add("static");
        string member = Generated + "\n" + string.Join(" ", modifiers.Append($"({string.Join(", ", elements)})"))
            + $" {Identifier(method.Name)}Gradient{TypeParameters(method.TypeParameters)}({string.Join(", ", parameters)}) => {FallbackSpec.Throw};";
        return new FallbackSpec(HintNames.Gradient(method), "the [Differentiable] method", type.ToDisplayString() + "." + method.Name,
            EquatableArray.From(scopes), EquatableArray.Of(member));
    }

    /// <summary>Whether the generated part implements <paramref name="property"/> when the model compiles (or reports it when not).</summary>
    private static bool Implemented(IPropertySymbol property)
    {
        if (!property.IsPartialDefinition || property.PartialImplementationPart is not null || property.ReturnsByRef || property.ReturnsByRefReadonly
            || property.Type.TypeKind == TypeKind.Error || !SyntaxFacts.IsValidIdentifier(property.Name))
            return false;
        string typeName = property.Type.ToDisplayString();
        return typeName == SignatureReader.ParameterTypeName || LayerParser.PropertyTypes.Contains(typeName)
            || property.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is { } attribute
                && (attribute == ForwardParser.ParameterAttributeName || LayerParser.Attributes.Contains(attribute)));
    }

    /// <summary>"public partial global::GraphGen.DenseLayer Out => {throw};", with the accessors as declared.</summary>
    private static string? PropertyStub(IPropertySymbol property, PropertyDeclarationSyntax syntax)
    {
        if (syntax.AccessorList is not { } list) return null;
        string head = $"{ModelEmitter.Prefix(ModelParser.ModifiersBesidesPartial(syntax))}partial {Display(property.Type)} {Identifier(property.Name)}";
        if (list.Accessors.Count == 1 && list.Accessors[0].IsKind(SyntaxKind.GetAccessorDeclaration) && list.Accessors[0].Modifiers.Count == 0)
            return $"{head} => {FallbackSpec.Throw};";
        var accessors = list.Accessors.Select(a => string.Join(" ", a.Modifiers.Select(m => m.Text).Append(a.Keyword.Text)) + $" => {FallbackSpec.Throw};");
        return $"{head} {{ {string.Join(" ", accessors)} }}";
    }

    /// <summary>"namespace Demo", then "partial class Outer" per enclosing type, outermost first; null if one is not partial.</summary>
    private static List<string>? Scopes(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (!AllPartial(type, cancellationToken)) return null;
        var scopes = new List<string>();
        for (var container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            if (!AllPartial(container, cancellationToken)) return null;
            var syntax = container.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().First();
            scopes.Insert(0, $"partial {ModelParser.Keyword(syntax)} {Identifier(container.Name)}{TypeParameters(container.TypeParameters)}");
        }
        if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
            scopes.Insert(0, "namespace " + ns.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Substring("global::".Length));
        return scopes;
    }

    private static bool AllPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var declarations = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).ToList();
        return declarations.Count > 0 && declarations.All(d => d is TypeDeclarationSyntax t && ModelParser.IsPartial(t));
    }

    private static string TypeParameters(IEnumerable<ITypeParameterSymbol> parameters)
    {
        var names = parameters.Select(p => Identifier(p.Name)).ToList();
        return names.Count == 0 ? "" : "<" + string.Join(", ", names) + ">";
    }

    private static string RefKind(IParameterSymbol parameter) => parameter.RefKind switch
    {
        Microsoft.CodeAnalysis.RefKind.Ref => "ref ",
        Microsoft.CodeAnalysis.RefKind.Out => "out ",
        Microsoft.CodeAnalysis.RefKind.In => "in ",
        Microsoft.CodeAnalysis.RefKind.RefReadOnlyParameter => "ref readonly ",
        _ => "",
    };

    /// <summary>Whether a tuple can hold a value of the type (not a pointer, a ref struct or void).</summary>
    private static bool Storable(ITypeSymbol type)
        => type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer) && !type.IsRefLikeType && type.SpecialType != SpecialType.System_Void;

    private static string Display(ITypeSymbol type) => type.ToDisplayString(s_typeFormat);

    /// <summary>The name as C# source (a keyword escaped); a name half-typed code left invalid gives up on the fallback.</summary>
    private static string Identifier(string name)
        => !SyntaxFacts.IsValidIdentifier(name) ? throw new InvalidOperationException($"'{name}' is not an identifier")
            : SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
