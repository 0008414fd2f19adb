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
        "Model has no layers", "Model '{0}' declares no layers: add at least one '[Dense(units)] public partial DenseLayer Name {{ get; }}' property, or a [Forward] method");
    public static readonly DiagnosticDescriptor NonPositiveUnits = Error("GG0003",
        "Layer width must be positive", "Layer '{0}' has {1} units; a Dense layer needs at least 1");
    public static readonly DiagnosticDescriptor NonPositiveInputWidth = Error("GG0004",
        "Input width must be positive", "Model '{0}' has input width {1}; it must be at least 1");
    public static readonly DiagnosticDescriptor MissingInput = Error("GG0005",
        "Model has no input width", "Model '{0}' has no [Input(width)] attribute: declare how many features one sample has (or [Input(height, width, channels)] for images)");
    public static readonly DiagnosticDescriptor SoftmaxNotLast = Error("GG0006",
        "Softmax is only allowed on the last layer", "Layer '{0}' uses softmax, which GraphGen allows only on the last layer (it is trained fused with the cross-entropy)");
    public static readonly DiagnosticDescriptor LossDoesNotFitOutput = Error("GG0007",
        "Loss does not fit the output activation", "Loss {0} needs {1} on the last layer, but '{2}' uses {3}");
    public static readonly DiagnosticDescriptor DuplicateLayerName = Error("GG0008",
        "Duplicate layer name", "Layer name '{0}' is used by both '{1}' and '{2}'; weight files need unique names");
    public static readonly DiagnosticDescriptor InvalidLayerProperty = Error("GG0009",
        "Layer property has the wrong form", "Layer property '{0}' must be declared as 'partial {2} {0} {{ get; }}' (an instance, get-only partial property of type GraphGen.{2}): {1}");
    public static readonly DiagnosticDescriptor GenericModel = Error("GG0010",
        "Model class cannot be generic", "Model '{0}' cannot be generic: its shapes must be known when it compiles");
    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("GG0011",
        "Enclosing type must be partial", "Model '{0}' is nested in '{1}', which must be declared partial too");
    public static readonly DiagnosticDescriptor ModelHasBaseClass = Error("GG0012",
        "Model class cannot have a base class", "Model '{0}' derives from '{1}'; the generated code supplies the base class (GraphGen.Training.CompiledModel<T>)");
    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error("GG0013",
        "Undefined enum value", "{0} value {1} is not defined; use one of: {2}");
    public static readonly DiagnosticDescriptor LayerTooLarge = Error("GG0014",
        "Layer is too large", "Layer '{0}' needs {1} × {2} = {3} weights, more than one .NET array holds");
    public static readonly DiagnosticDescriptor InvalidLayerName = Error("GG0015",
        "Invalid layer name", "Layer name '{0}' is not valid: use a non-empty name of letters, digits and '_' (no '.', it separates 'layer.weight')");
    public static readonly DiagnosticDescriptor ModelMustBeClass = Error("GG0016",
        "Model must be a plain class", "Model '{0}' must be a non-static, non-abstract class (not a record, struct or interface)");
    public static readonly DiagnosticDescriptor LayerWithoutAttribute = Error("GG0017",
        "Layer property without [Dense]", "Partial property '{0}' of type {1} has no layer attribute ({2}), so GraphGen cannot implement it");
    public static readonly DiagnosticDescriptor SoftmaxOverOneUnit = new("GG0018",
        "Softmax over one unit", "Layer '{0}' applies softmax to a single unit, which always outputs 1: use 2 or more units (or sigmoid for a yes/no output)",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InvalidInitializer = Error("GG0019",
        "Invalid initializer", "Initializer '{0}' of layer '{1}' is not valid: {2}");
    public static readonly DiagnosticDescriptor FromLogitsIgnored = new("GG0020",
        "FromLogits has no effect", "FromLogits applies to the cross-entropy losses only; {0} ignores it",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NonPositiveLayerArgument = Error("GG0021",
        "Layer size must be positive", "Layer '{0}' has {1} = {2}; it must be at least 1");
    public static readonly DiagnosticDescriptor WindowLargerThanInput = Error("GG0022",
        "Window larger than its input", "Layer '{0}' slides a {1}×{1} window over a {2}×{3} image with valid padding: the window must fit inside the image (use a smaller window, or Padding.Same)");
    public static readonly DiagnosticDescriptor DenseOnImage = Error("GG0023",
        "Dense layer on images", "Dense layer '{0}' reads images of shape {1} from '{2}': add a [Flatten] layer before it to make each image one row");
    public static readonly DiagnosticDescriptor LayerNeedsImage = Error("GG0024",
        "Layer needs images", "{0} layer '{1}' needs images (height, width, channels), but its input '{2}' is {3}: declare [Input(height, width, channels)] and put it before any [Flatten] or [Dense]");
    public static readonly DiagnosticDescriptor OutputIsImage = Error("GG0025",
        "Model output must be one row per sample", "The last layer '{0}' outputs images of shape {1}; end the model with [Flatten] and a [Dense] layer so each sample gives one row");
    public static readonly DiagnosticDescriptor InputTooLarge = Error("GG0026",
        "Input is too large", "Model '{0}' has input shape {1}, more values per sample than one .NET array holds");

    // ---- The [Forward] and [Differentiable] front ends ----
    public static readonly DiagnosticDescriptor UnsupportedSyntax = Error("GG0101",
        "Unsupported syntax", "{0} is not supported in {1}: GraphGen compiles locals, 'return', + − * /, unary minus, numbers and the GraphGen.Op methods");
    public static readonly DiagnosticDescriptor NotATensor = Error("GG0102",
        "Not a tensor GraphGen can read", "'{0}' is not an argument, a local or a [Parameter] property of {1}, so GraphGen cannot compile it");
    public static readonly DiagnosticDescriptor InvalidParameterProperty = Error("GG0103",
        "Parameter property has the wrong form", "Parameter property '{0}' must be declared as 'partial Parameter {0} {{ get; }}' (an instance, get-only partial property of type GraphGen.Parameter or GraphGen.Tensor): {1}");
    public static readonly DiagnosticDescriptor InvalidShape = Error("GG0104",
        "Invalid shape", "The shape of {0} is not valid: {1}");
    public static readonly DiagnosticDescriptor BroadcastMismatch = Error("GG0105",
        "Shapes do not broadcast", "{0} of {1} and {2}: the shapes do not broadcast, {3}");
    public static readonly DiagnosticDescriptor RankMismatch = Error("GG0106",
        "Wrong rank", "{0} needs {1}, but '{2}' has shape {3}");
    public static readonly DiagnosticDescriptor MatMulMismatch = Error("GG0107",
        "MatMul inner dimensions differ", "MatMul of {0} and {1}: inner dimensions {2} and {3} differ{4}");
    public static readonly DiagnosticDescriptor ReshapeMismatch = Error("GG0108",
        "Reshape does not keep the element count", "Reshape of {0} to {1}: {2}");
    public static readonly DiagnosticDescriptor AxisOutOfRange = Error("GG0109",
        "Axis out of range", "{0} axis {1} is out of range for shape {2}: use 0 to {3}, or −1 for the last");
    public static readonly DiagnosticDescriptor ConcatMismatch = Error("GG0110",
        "Concat pieces do not fit", "Concat along axis {0} of {1} and {2}: {3}");
    public static readonly DiagnosticDescriptor InvalidForwardMethod = Error("GG0111",
        "Invalid [Forward] method", "[Forward] method '{0}' cannot be compiled: {1}");
    public static readonly DiagnosticDescriptor ModelOutputShape = Error("GG0112",
        "Model output must be one row per sample", "[Forward] method '{0}' returns {1}; a model's output must be (B, n), one row of n values per sample");
    public static readonly DiagnosticDescriptor InvalidDifferentiable = Error("GG0113",
        "Invalid [Differentiable] method", "[Differentiable] method '{0}' cannot be compiled: {1}");
    public static readonly DiagnosticDescriptor NonConstantArgument = Error("GG0114",
        "Argument must be a constant", "The {0} argument of Op.{1} must be a compile-time constant: shapes are fixed when the model compiles");
    public static readonly DiagnosticDescriptor UnusedParameter = new("GG0115",
        "Parameter is never read", "Parameter '{0}' is never read by the [Forward] method '{1}', so it never trains",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor DenseAndForward = Error("GG0116",
        "Two front ends in one model", "Model '{0}' declares both [Dense] layers and a [Forward] method; a model uses one or the other");
    public static readonly DiagnosticDescriptor UnusedArgument = new("GG0117",
        "Argument is never read", "[Differentiable] method '{0}' never reads its argument '{1}' (its result does not depend on it), so d{1} is always zero",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MixesBatchRows = new("GG0118",
        "Output depends on other rows of the batch", "{0} mixes the rows of a batch in {1}: each row's output depends on the other rows in its batch, "
        + "so Fit's results depend on its batch size; Predict and Evaluate run the whole input as one batch unless given a batchSize",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ArgumentOutOfRange = Error("GG0119",
        "Argument out of range", "The {0} argument of {1} is {2}: {3}");

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
