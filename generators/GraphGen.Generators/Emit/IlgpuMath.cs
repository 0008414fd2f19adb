using System.Collections.Generic;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;

namespace GraphGen.Generators.Emit;

/// <summary>
/// The activations as the ILGPU kernels compute them: the scalar Forward and Derivative of GraphGen.Cpu's activation
/// structs themselves (ILGPU compiles the called methods, their System.MathF included: for its CPU accelerator, and
/// with the Algorithms library enabled on the context, for PTX), so the device and the CPU runtime share one
/// definition. A derivative reads what the backward pass keeps: the output y, or the input x for gelu.
/// </summary>
internal static class IlgpuMath
{
    public const string MathF = "global::System.MathF.";

    /// <summary>act(x) as a C# expression over <paramref name="x"/> (a local or a simple load).</summary>
    public static string Forward(ActivationKind a, string x) => a == ActivationKind.Linear ? x : $"{Struct(a)}.Forward({x})";

    /// <summary>act'(saved) as a C# expression: through the output y, or the input x for gelu.</summary>
    public static string Derivative(ActivationKind a, string saved) => a == ActivationKind.Linear ? "1f" : $"{Struct(a)}.Derivative({saved})";

    /// <summary>The activation's Keras name in PascalCase (Relu, LeakyRelu, Gelu), for kernel names.</summary>
    public static string Name(ActivationKind a) => IlgpuNames.Pascal(Activations.Of(a).Keras);

    private static string Struct(ActivationKind a)
        => "global::GraphGen.Cpu." + (Activations.Of(a).Cpu ?? throw new System.NotSupportedException($"{a} is not an element-wise activation."));
}
