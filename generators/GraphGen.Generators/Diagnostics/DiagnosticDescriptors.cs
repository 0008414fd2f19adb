using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GraphGen.Generators.Diagnostics;

/// <summary>Every diagnostic GraphGen reports, in one place. IDs are tracked in AnalyzerReleases.*.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "GraphGen";

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ModelNotPartial = Error("GG0001",
        "Model class must be partial", "Model class '{0}' must be declared partial so GraphGen can add the generated training code");
    public static readonly DiagnosticDescriptor NoLayers = Error("GG0002",
        "Model has no layers", "Model '{0}' declares no layers: add at least one '[Dense(units)] public partial DenseLayer Name {{ get; }}' property");
    public static readonly DiagnosticDescriptor NonPositiveUnits = Error("GG0003",
        "Layer width must be positive", "Layer '{0}' has {1} units; a Dense layer needs at least 1");
    public static readonly DiagnosticDescriptor NonPositiveInputWidth = Error("GG0004",
        "Input width must be positive", "Model '{0}' has input width {1}; it must be at least 1");
    public static readonly DiagnosticDescriptor MissingInput = Error("GG0005",
        "Model has no input width", "Model '{0}' has no [Input(width)] attribute: declare how many features one sample has");
    public static readonly DiagnosticDescriptor SoftmaxNotLast = Error("GG0006",
        "Softmax is only allowed on the last layer", "Layer '{0}' uses softmax, which GraphGen allows only on the last layer (it is trained fused with the cross-entropy)");
    public static readonly DiagnosticDescriptor LossDoesNotFitOutput = Error("GG0007",
        "Loss does not fit the output activation", "Loss {0} needs {1} on the last layer, but '{2}' uses {3}");
    public static readonly DiagnosticDescriptor DuplicateLayerName = Error("GG0008",
        "Duplicate layer name", "Layer name '{0}' is used by both '{1}' and '{2}'; weight files need unique names");
    public static readonly DiagnosticDescriptor InvalidLayerProperty = Error("GG0009",
        "Layer property has the wrong form", "Layer property '{0}' must be declared as 'partial DenseLayer {0} {{ get; }}' (an instance, get-only partial property of type GraphGen.DenseLayer): {1}");
    public static readonly DiagnosticDescriptor GenericModel = Error("GG0010",
        "Model class cannot be generic", "Model '{0}' cannot be generic: its shapes must be known when it compiles");
    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("GG0011",
        "Enclosing type must be partial", "Model '{0}' is nested in '{1}', which must be declared partial too");
    public static readonly DiagnosticDescriptor ModelHasBaseClass = Error("GG0012",
        "Model class cannot have a base class", "Model '{0}' derives from '{1}'; the generated code supplies the base class (GraphGen.Training.ClassifierModel or RegressionModel)");
    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error("GG0013",
        "Undefined enum value", "{0} value {1} is not defined; use one of: {2}");
    public static readonly DiagnosticDescriptor LayerTooLarge = Error("GG0014",
        "Layer is too large", "Layer '{0}' needs {1} × {2} = {3} weights, more than one .NET array holds");
    public static readonly DiagnosticDescriptor InvalidLayerName = Error("GG0015",
        "Invalid layer name", "Layer name '{0}' is not valid: use a non-empty name of letters, digits and '_' (no '.', it separates 'layer.weight')");
    public static readonly DiagnosticDescriptor ModelMustBeClass = Error("GG0016",
        "Model must be a plain class", "Model '{0}' must be a non-static, non-abstract class (not a record, struct or interface)");
    public static readonly DiagnosticDescriptor LayerWithoutAttribute = Error("GG0017",
        "Layer property without [Dense]", "Partial property '{0}' of type DenseLayer has no [Dense(units)] attribute, so GraphGen cannot implement it");
    public static readonly DiagnosticDescriptor SoftmaxOverOneUnit = new("GG0018",
        "Softmax over one unit", "Layer '{0}' applies softmax to a single unit, which always outputs 1: use 2 or more units (or sigmoid for a yes/no output)",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidInitializer = Error("GG0019",
        "Invalid initializer", "Initializer '{0}' of layer '{1}' is not valid: {2}");
    public static readonly DiagnosticDescriptor FromLogitsIgnored = new("GG0020",
        "FromLogits has no effect", "FromLogits applies to the cross-entropy losses only; {0} ignores it",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InternalError = Error("GG0099",
        "GraphGen internal error", "GraphGen could not compile model '{0}' in its {1} stage: {2}. Please report this with the declaration.");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = typeof(DiagnosticDescriptors)
        .GetFields()
        .Select(f => f.GetValue(null))
        .OfType<DiagnosticDescriptor>()
        .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];
}
