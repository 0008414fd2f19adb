using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// Reads a model's layer properties ([Dense], [Conv2D], [MaxPooling2D], [Flatten]) in declaration order into
/// <see cref="LayerSpec"/>s. What one attribute can get wrong by itself (a non-positive size, an undefined enum value,
/// a bad name or initializer, the property's form) is reported here at the argument at fault; what depends on the
/// shapes flowing through the stack is <c>LayerRules</c>'.
/// </summary>
internal static class LayerParser
{
    /// <summary>One kind of layer attribute: its full name, the property type it implements, and how its arguments read.</summary>
    private sealed record Rule(string Attribute, string PropertyType, string Usage,
        Func<Reading, LayerSpec?> Read);

    /// <summary>What a rule reads a layer from: the attribute, its syntax, the property and the name the layer goes by.</summary>
    private sealed record Reading(AttributeData Data, AttributeSyntax? Syntax, IPropertySymbol Property, PropertyDeclarationSyntax PropertySyntax,
        string LayerName, Site? NameSite, SiteTable Sites, List<DiagnosticInfo> Diagnostics)
    {
        public string Modifiers => ModelParser.ModifiersBesidesPartial(PropertySyntax);

        public Site? ArgumentSite(int position, string parameter) => Sites.At(ModelParser.Argument(Syntax, position, parameter)) ?? Sites.At(Syntax);

        public Site? NamedSite(string property) => Sites.At(ModelParser.NamedArgument(Syntax, property)) ?? Sites.At(Syntax);

        public int? Int(int position) => Data.ConstructorArguments.Length > position && Data.ConstructorArguments[position].Value is int v ? v : null;

        public int? NamedInt(string key) => Data.NamedArguments.FirstOrDefault(a => a.Key == key).Value.Value is int v ? v : null;

        /// <summary>A size that must be at least 1; reports it where it is written otherwise.</summary>
        public int Positive(int value, string what, Site? site)
        {
            if (value <= 0) Diagnostics.Add(DiagnosticInfo.Create(NonPositiveLayerArgument, site, LayerName, what, value.ToString()));
            return value;
        }

        public TEnum Enum<TEnum>(int value, string what, Site? site) where TEnum : struct, Enum
        {
            if (System.Enum.IsDefined(typeof(TEnum), value)) return (TEnum)(object)value;
            Diagnostics.Add(DiagnosticInfo.Create(UndefinedEnumValue, site, what, value.ToString(), string.Join(", ", System.Enum.GetNames(typeof(TEnum)))));
            return default;
        }

        public string? Initializer(string key)
        {
            var named = Data.NamedArguments.FirstOrDefault(a => a.Key == key);
            if (named.Value.Value is not string text) return null;
            if (InitializerGrammar.Problem(text) is { } problem)
            {
                Diagnostics.Add(DiagnosticInfo.Create(InvalidInitializer, Sites.At(ModelParser.NamedArgument(Syntax, key)) ?? NameSite, text, LayerName, problem));
                return null;
            }
            return text.Trim();
        }
    }

    private static readonly Rule[] s_rules =
    {
        new("GraphGen.DenseAttribute", "GraphGen.DenseLayer", "[Dense(units)]", ReadDense),
        new("GraphGen.Conv2DAttribute", "GraphGen.Conv2DLayer", "[Conv2D(filters, kernelSize)]", ReadConv2D),
        new("GraphGen.MaxPooling2DAttribute", "GraphGen.Layer", "[MaxPooling2D(poolSize)]", ReadMaxPooling2D),
        new("GraphGen.FlattenAttribute", "GraphGen.Layer", "[Flatten]", r => new FlattenLayerSpec(r.Property.Name, r.Modifiers, r.LayerName, r.NameSite)),
        new("GraphGen.DropoutAttribute", "GraphGen.Layer", "[Dropout(rate)]", ReadDropout),
        new("GraphGen.BatchNormalizationAttribute", "GraphGen.BatchNormalizationLayer", "[BatchNormalization]", ReadBatchNormalization),
    };

    /// <summary>The property types a layer property can have (each generated part implements one).</summary>
    public static IEnumerable<string> PropertyTypes => s_rules.Select(r => r.PropertyType).Distinct();

    /// <summary>The layer attributes' full names.</summary>
    public static IEnumerable<string> Attributes => s_rules.Select(r => r.Attribute);

    public static List<LayerSpec> Parse(INamedTypeSymbol type, SiteTable sites, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var layers = new List<LayerSpec>();
        foreach (var (property, syntax) in ModelParser.PropertiesInDeclarationOrder(type, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var propertySite = sites.At(syntax.Identifier.GetLocation());
            string propertyType = property.Type.ToDisplayString();
            var found = property.GetAttributes()
                .Select(a => (Data: a, Rule: s_rules.FirstOrDefault(r => r.Attribute == a.AttributeClass?.ToDisplayString())))
                .FirstOrDefault(a => a.Rule is not null);
            if (found.Rule is not { } rule)
            {
                if (PropertyTypes.Contains(propertyType) && property.IsPartialDefinition)
                    diagnostics.Add(DiagnosticInfo.Create(LayerWithoutAttribute, propertySite, property.Name, property.Type.Name,
                        string.Join(", ", s_rules.Where(r => r.PropertyType == propertyType).Select(r => r.Usage))));
                continue;
            }

            string? problem = propertyType != rule.PropertyType ? $"its type is '{propertyType}'" : ModelParser.PropertyFormProblem(property, syntax);
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(InvalidLayerProperty, propertySite, property.Name, problem, rule.PropertyType.Substring("GraphGen.".Length)));
                continue;
            }
            var attributeSyntax = found.Data.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            string layerName = ModelParser.ToSnakeCase(property.Name);
            var nameSite = sites.At(attributeSyntax);
            foreach (var named in found.Data.NamedArguments)
            {
                if (named.Key != "Name" || named.Value.Value is not string name) continue;
                layerName = name;
                nameSite = sites.At(ModelParser.NamedArgument(attributeSyntax, "Name")) ?? nameSite;
                if (!IsValidLayerName(name)) diagnostics.Add(DiagnosticInfo.Create(InvalidLayerName, nameSite, name));
            }
            if (rule.Read(new Reading(found.Data, attributeSyntax, property, syntax, layerName, nameSite, sites, diagnostics)) is { } layer)
                layers.Add(layer);
        }
        return layers;
    }

    // Arguments with errors (a non-constant, a wrong type) are the C# compiler's to report: no layer, no diagnostic.
    private static LayerSpec? ReadDense(Reading r)
    {
        if (r.Data.ConstructorArguments.Length != 2 || r.Int(0) is not int units || r.Int(1) is not int activationValue) return null;
        var unitsSite = r.ArgumentSite(0, "units");
        var activationSite = r.ArgumentSite(1, "activation");
        string? weightInitializer = r.Initializer("WeightInitializer"), biasInitializer = r.Initializer("BiasInitializer");
        if (units <= 0) r.Diagnostics.Add(DiagnosticInfo.Create(NonPositiveUnits, unitsSite, r.LayerName, units.ToString()));
        var activation = r.Enum<ActivationKind>(activationValue, "Activation", activationSite);
        return new DenseLayerSpec(r.Property.Name, r.Modifiers, r.LayerName, units, activation, r.NameSite, activationSite, weightInitializer, biasInitializer);
    }

    private static LayerSpec? ReadConv2D(Reading r)
    {
        if (r.Data.ConstructorArguments.Length != 3 || r.Int(0) is not int filters || r.Int(1) is not int kernel || r.Int(2) is not int activationValue) return null;
        var kernelSite = r.ArgumentSite(1, "kernelSize");
        var activationSite = r.ArgumentSite(2, "activation");
        if (r.NamedInt("Activation") is int named)
        {
            activationValue = named;
            activationSite = r.NamedSite("Activation");
        }
        var stridesSite = r.NamedSite("Strides");
        int strides = r.Positive(r.NamedInt("Strides") ?? 1, "strides", stridesSite);
        var padding = r.Enum<PaddingKind>(r.NamedInt("Padding") ?? 0, "Padding", r.NamedSite("Padding"));
        r.Positive(filters, "filters", r.ArgumentSite(0, "filters"));
        r.Positive(kernel, "kernelSize", kernelSite);
        string? weightInitializer = r.Initializer("WeightInitializer"), biasInitializer = r.Initializer("BiasInitializer");
        var activation = r.Enum<ActivationKind>(activationValue, "Activation", activationSite);
        return new Conv2DLayerSpec(r.Property.Name, r.Modifiers, r.LayerName, filters, kernel, strides, padding, activation,
            r.NameSite, kernelSite, stridesSite, activationSite, weightInitializer, biasInitializer);
    }

    private static LayerSpec? ReadMaxPooling2D(Reading r)
    {
        if (r.Int(0) is not int pool) return null;
        var poolSite = r.ArgumentSite(0, "poolSize");
        r.Positive(pool, "poolSize", poolSite);
        var stridesSite = r.NamedSite("Strides");
        // Keras's default: the windows tile the image (strides = pool size); 0, the attribute's default, means that.
        int strides = r.NamedInt("Strides") is int given ? r.Positive(given, "strides", stridesSite) : pool;
        return new MaxPooling2DLayerSpec(r.Property.Name, r.Modifiers, r.LayerName, pool, strides, r.NameSite, poolSite, stridesSite);
    }

    private static LayerSpec? ReadDropout(Reading r)
    {
        if (r.Data.ConstructorArguments.Length != 1 || r.Data.ConstructorArguments[0].Value is not double rate) return null;
        return Number(r, rate, "rate", r.ArgumentSite(0, "rate"), Ops.RegularizationOps.Rate, "Dropout")
            ? new DropoutLayerSpec(r.Property.Name, r.Modifiers, r.LayerName, rate, r.NameSite) : null;
    }

    private static LayerSpec? ReadBatchNormalization(Reading r)
    {
        double momentum = r.Data.NamedArguments.FirstOrDefault(a => a.Key == "Momentum").Value.Value is double m ? m : 0.99;
        double epsilon = r.Data.NamedArguments.FirstOrDefault(a => a.Key == "Epsilon").Value.Value is double e ? e : 1e-3;
        bool fine = Number(r, momentum, "Momentum", r.NamedSite("Momentum"), Ops.RegularizationOps.Momentum, "BatchNormalization")
            & Number(r, epsilon, "Epsilon", r.NamedSite("Epsilon"), Ops.RegularizationOps.Epsilon, "BatchNormalization");
        return fine ? new BatchNormalizationLayerSpec(r.Property.Name, r.Modifiers, r.LayerName, momentum, epsilon, r.NameSite) : null;
    }

    /// <summary>A number argument against its op's check (the same as <c>Op.Dropout</c>'s and <c>Op.BatchNormalization</c>'s), reported at the argument.</summary>
    private static bool Number(Reading r, double value, string argument, Site? site, Func<double, string?> check, string attribute)
    {
        if (check(value) is not { } problem) return true;
        r.Diagnostics.Add(DiagnosticInfo.Create(ArgumentOutOfRange, site, argument, $"[{attribute}] on '{r.LayerName}'",
            value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), problem));
        return false;
    }

    private static bool IsValidLayerName(string name) => name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c == '_');
}
