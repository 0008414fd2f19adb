using System.Globalization;
using System.Linq;
using GraphGen.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace GraphGen.Generators.Emit;

/// <summary>
/// The generated files' hint names: short, made of what the declaration itself names (so its place among other
/// declarations, or an edit elsewhere, renames nothing), of letters, digits, '_', '.' and '-' only. A '-' marks
/// what the generator adds to tell names apart, as no C# identifier holds one.
/// </summary>
internal static class HintNames
{
    /// <summary>"Demo.Outer.Net": namespace, enclosing types and the type; a generic one as "Net-1" (its arity).</summary>
    public static string Type(INamedTypeSymbol type)
    {
        string name = type.Name + (type.Arity > 0 ? "-" + type.Arity.ToString(CultureInfo.InvariantCulture) : "");
        if (type.ContainingType is { } container) return Type(container) + "." + name;
        return type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + name : name;
    }

    /// <summary>"Demo.MnistClassifier.g.cs".</summary>
    public static string Model(INamedTypeSymbol type) => Type(type) + ".g.cs";

    /// <summary>
    /// "Demo.Tape.Affine.Gradient.g.cs". Where several [Differentiable] methods of the type share the name, each
    /// also names its arguments, which C# overloads differ in: "Demo.Tape.Affine-2x2-2x2-2.Gradient.g.cs" (a
    /// [Shape] tensor by its dimensions, a float as "float", anything else by a short hash of its type).
    /// </summary>
    public static string Gradient(IMethodSymbol method)
    {
        bool overloaded = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>()
            .Count(m => ModelParser.HasAttribute(m, FunctionParser.DifferentiableAttributeName)) > 1;
        string name = method.Name + (method.Arity > 0 ? "-" + method.Arity.ToString(CultureInfo.InvariantCulture) : "");
        if (overloaded) name += string.Concat(method.Parameters.Select(p => "-" + Tag(p)));
        return Type(method.ContainingType) + "." + name + ".Gradient.g.cs";
    }

    private static string Tag(IParameterSymbol parameter)
    {
        if (parameter.RefKind == RefKind.None && !parameter.IsParams)
        {
            if (parameter.Type.SpecialType == SpecialType.System_Single) return "float";
            var shape = parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "GraphGen.ShapeAttribute");
            if (parameter.Type.ToDisplayString() == SignatureReader.TensorTypeName && shape is not null
                && SignatureReader.Dimensions(shape) is { } dims && SignatureReader.ShapeProblem(dims) is null)
                return string.Join("x", dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        }
        return "h" + Hash(parameter.RefKind + " " + parameter.IsParams + " " + parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
    }

    /// <summary>FNV-1a, 32 bits, as 8 hex digits: the same on every machine and run (string.GetHashCode is not).</summary>
    private static string Hash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text) hash = unchecked((hash ^ c) * 16777619);
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
