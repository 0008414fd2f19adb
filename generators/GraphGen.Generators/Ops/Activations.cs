using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Ops;

/// <summary>
/// One activation function, whole: the <c>GraphGen.Op</c> method a body calls, its Keras name (comments, ILGPU
/// kernel names), the runtime struct that computes it and its derivative on the CPU and in ILGPU kernels
/// (<c>GraphGen.Cpu.{Cpu}</c>), and whether its derivative is written through its input rather than its output.
/// </summary>
internal sealed record ActivationDef(ActivationKind Kind, string? Spelling, string Keras, string? Cpu, bool DerivativeFromInput = false);

/// <summary>The activations' table; <see cref="ActivationKind"/> numbers them as the runtime's <c>GraphGen.Activation</c> does.</summary>
internal static class Activations
{
    public static IReadOnlyList<ActivationDef> All { get; } = new[]
    {
        new ActivationDef(ActivationKind.Linear, null, "linear", "Linear"),
        new ActivationDef(ActivationKind.Relu, "Relu", "relu", "Relu"),
        new ActivationDef(ActivationKind.Tanh, "Tanh", "tanh", "Tanh"),
        new ActivationDef(ActivationKind.Sigmoid, "Sigmoid", "sigmoid", "Sigmoid"),
        // Softmax normalises a row: the Softmax op, never an element-wise activation.
        new ActivationDef(ActivationKind.Softmax, null, "softmax", null),
        new ActivationDef(ActivationKind.LeakyRelu, "LeakyRelu", "leaky_relu", "LeakyRelu"),
        new ActivationDef(ActivationKind.Elu, "Elu", "elu", "Elu"),
        // gelu's output does not determine its input, so its derivative reads the input.
        new ActivationDef(ActivationKind.Gelu, "Gelu", "gelu", "Gelu", DerivativeFromInput: true),
        new ActivationDef(ActivationKind.Softplus, "Softplus", "softplus", "Softplus"),
    };

    private static readonly Dictionary<string, ActivationDef> s_bySpelling = All.Where(a => a.Spelling is not null).ToDictionary(a => a.Spelling!);

    public static ActivationDef Of(ActivationKind kind) => All[(int)kind];

    public static bool TryBySpelling(string method, out ActivationDef activation) => s_bySpelling.TryGetValue(method, out activation!);
}
