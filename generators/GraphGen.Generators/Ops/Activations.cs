using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Ops;

/// <summary>
/// One activation function, whole: the <c>GraphGen.Op</c> method a body calls, its Keras name (comments, ILGPU
/// kernel names), the runtime struct that computes it and its derivative on the CPU and in ILGPU kernels
/// (<c>GraphGen.Cpu.{Cpu}</c>), whether its derivative is written through its input rather than its output, and its
/// ONNX form (the nodes from the activation node's input to its output).
/// </summary>
internal sealed record ActivationDef(ActivationKind Kind, string? Spelling, string Keras, string? Cpu, bool DerivativeFromInput = false)
{
    public System.Action<Emit.OnnxSpelling>? Onnx { get; init; }
}

/// <summary>The activations' table; <see cref="ActivationKind"/> numbers them as the runtime's <c>GraphGen.Activation</c> does.</summary>
internal static class Activations
{
    public static IReadOnlyList<ActivationDef> All { get; } = new[]
    {
        new ActivationDef(ActivationKind.Linear, null, "linear", "Linear") { Onnx = o => o.Same("Identity") },
        new ActivationDef(ActivationKind.Relu, "Relu", "relu", "Relu") { Onnx = o => o.Same("Relu") },
        new ActivationDef(ActivationKind.Tanh, "Tanh", "tanh", "Tanh") { Onnx = o => o.Same("Tanh") },
        new ActivationDef(ActivationKind.Sigmoid, "Sigmoid", "sigmoid", "Sigmoid") { Onnx = o => o.Same("Sigmoid") },
        // Softmax normalises a row: the Softmax op, never an element-wise activation.
        new ActivationDef(ActivationKind.Softmax, null, "softmax", null),
        // Keras 3's slope 0.2 (ONNX's default is 0.01); Keras's α = 1 (ONNX's default too).
        new ActivationDef(ActivationKind.LeakyRelu, "LeakyRelu", "leaky_relu", "LeakyRelu") { Onnx = o => o.Same("LeakyRelu", Emit.OnnxSpelling.Float("alpha", 0.2f)) },
        new ActivationDef(ActivationKind.Elu, "Elu", "elu", "Elu") { Onnx = o => o.Same("Elu", Emit.OnnxSpelling.Float("alpha", 1f)) },
        // gelu's output does not determine its input, so its derivative reads the input.
        new ActivationDef(ActivationKind.Gelu, "Gelu", "gelu", "Gelu", DerivativeFromInput: true) { Onnx = GeluOnnx },
        new ActivationDef(ActivationKind.Softplus, "Softplus", "softplus", "Softplus") { Onnx = o => o.Same("Softplus") },
    };

    private static readonly Dictionary<string, ActivationDef> s_bySpelling = All.Where(a => a.Spelling is not null).ToDictionary(a => a.Spelling!);

    public static ActivationDef Of(ActivationKind kind) => All[(int)kind];

    /// <summary>gelu(x) = x · (1 + erf(x / √2)) / 2, in ONNX's Erf: Gelu is an operator only from opset 20.</summary>
    private static void GeluOnnx(Emit.OnnxSpelling o)
    {
        string scaled = o.Temp("scaled"), erf = o.Temp("erf"), shifted = o.Temp("plus_one"), product = o.Temp("product");
        o.Node("Mul", new[] { o.In(0), o.FloatScalar("inv_sqrt2", 0.70710678118654752f) }, scaled);
        o.Node("Erf", new[] { scaled }, erf);
        o.Node("Add", new[] { erf, o.FloatScalar("one", 1f) }, shifted);
        o.Node("Mul", new[] { o.In(0), shifted }, product);
        o.Node("Mul", new[] { product, o.FloatScalar("half", 0.5f) }, o.Out);
    }

    public static bool TryBySpelling(string method, out ActivationDef activation) => s_bySpelling.TryGetValue(method, out activation!);
}
