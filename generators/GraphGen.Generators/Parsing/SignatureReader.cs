using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace GraphGen.Generators.Parsing;

/// <summary>Reads the tensor arguments of [Forward] and [Differentiable] methods and the shapes declared on them.</summary>
internal static class SignatureReader
{
    public const string TensorTypeName = "GraphGen.Tensor";
    public const string ParameterTypeName = "GraphGen.Parameter";
    private const string ShapeAttributeName = "GraphGen.ShapeAttribute";
    /// <summary>
    /// The arguments with their shapes, or a problem: the first argument that is not a Tensor (or a float, where
    /// <paramref name="allowScalars"/>), lacks a [Shape], or declares one that is empty, non-positive or too large.
    /// </summary>
    public static (EquatableArray<ArgumentSpec> Arguments, string? Problem, Location? At) Arguments(IMethodSymbol method, bool allowScalars)
    {
        var arguments = new List<ArgumentSpec>();
        foreach (var parameter in method.Parameters)
        {
            var at = parameter.Locations.FirstOrDefault();
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
                return (default, $"argument '{parameter.Name}' is ref, out, in or params", at);
            if (allowScalars && parameter.Type.SpecialType == SpecialType.System_Single)
            {
                arguments.Add(new ArgumentSpec(parameter.Name, EquatableArray<int>.Empty, IsScalar: true));
                continue;
            }
            if (parameter.Type.ToDisplayString() != TensorTypeName)
                return (default, $"argument '{parameter.Name}' is a {parameter.Type.ToDisplayString()}; arguments are GraphGen.Tensor{(allowScalars ? " or float" : "")}", at);
            var shape = parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ShapeAttributeName);
            if (shape is null)
                return (default, $"tensor argument '{parameter.Name}' needs its shape: [Shape(…)] {parameter.Name}", at);
            var dims = Dimensions(shape);
            if (dims is null) return (default, null, null); // a C# error in the attribute
            var problem = ShapeProblem(dims);
            if (problem is not null)
                return (default, $"the [Shape] of '{parameter.Name}' {problem}", shape.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? at);
            arguments.Add(new ArgumentSpec(parameter.Name, EquatableArray.From(dims), IsScalar: false));
        }
        return (EquatableArray.From(arguments), null, null);
    }

    /// <summary>The integers of a params int[] attribute constructor, or null when C# could not bind them.</summary>
    public static int[]? Dimensions(AttributeData attribute)
    {
        if (attribute.ConstructorArguments.Length != 1) return null;
        var argument = attribute.ConstructorArguments[0];
        if (argument.Kind != TypedConstantKind.Array || argument.Values.IsDefault) return null;
        var dims = argument.Values.Select(v => v.Value is int d ? d : (int?)null).ToArray();
        return dims.Any(d => d is null) ? null : dims.Select(d => d!.Value).ToArray();
    }

    /// <summary>Why a declared shape cannot be used, or null.</summary>
    public static string? ShapeProblem(int[] dims)
    {
        if (dims.Length == 0) return "is empty; give at least one dimension";
        if (dims.Any(d => d <= 0)) return $"({string.Join(", ", dims)}) has a dimension below 1";
        long count = 1;
        foreach (int d in dims) count = count > Graph.Shape.MaxArrayLength ? count : count * d; // stops growing once too large
        if (count > Graph.Shape.MaxArrayLength) return $"({string.Join(", ", dims)}) holds more values than one .NET array";
        return null;
    }
}
