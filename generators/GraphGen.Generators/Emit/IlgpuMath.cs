using System.Collections.Generic;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;

namespace GraphGen.Generators.Emit;

/// <summary>
/// The activations as the ILGPU kernels compute them: one static helper per function and per derivative, the same
/// scalar math as GraphGen.Cpu's activation structs (so ILGPU's CPU accelerator reproduces the CPU runtime), in
/// System.MathF, which ILGPU compiles for its CPU accelerator and, with the Algorithms library enabled on the context,
/// for PTX. A derivative reads what the backward pass keeps: the output y, or the input x for gelu.
/// </summary>
internal static class IlgpuMath
{
    public const string MathF = "global::System.MathF.";

    /// <summary>act(x) as a C# expression over <paramref name="x"/> (a local or a simple load).</summary>
    public static string Forward(ActivationKind a, string x) => a == ActivationKind.Linear ? x : $"{Name(a)}({x})";

    /// <summary>act'(saved) as a C# expression: through the output y, or the input x for gelu.</summary>
    public static string Derivative(ActivationKind a, string saved) => a == ActivationKind.Linear ? "1f" : $"{Name(a)}Derivative({saved})";

    /// <summary>The helper's name: the activation's Keras name in PascalCase (Relu, LeakyRelu, Gelu).</summary>
    public static string Name(ActivationKind a) => IlgpuNames.Pascal(Activations.Of(a).Keras);

    /// <summary>Names the helpers of <paramref name="activations"/> take, which no kernel may take.</summary>
    public static IEnumerable<string> HelperNames(IEnumerable<ActivationKind> activations)
    {
        foreach (var a in activations)
        {
            if (a == ActivationKind.Linear) continue;
            yield return Name(a);
            yield return Name(a) + "Derivative";
            if (a == ActivationKind.Gelu) yield return "Phi";
        }
    }

    /// <summary>The helper methods of one activation, each under its doc comment.</summary>
    public static IEnumerable<string> Helpers(ActivationKind a)
    {
        const string M = MathF;
        switch (a)
        {
            case ActivationKind.Relu:
                yield return "/// <summary>relu(x) = max(x, 0).</summary>";
                yield return "private static float Relu(float x) => x > 0f ? x : 0f;";
                yield return "/// <summary>relu' through the output y: 1 where y &gt; 0, else 0.</summary>";
                yield return "private static float ReluDerivative(float y) => y > 0f ? 1f : 0f;";
                break;
            case ActivationKind.Tanh:
                yield return "/// <summary>tanh(x).</summary>";
                yield return $"private static float Tanh(float x) => {M}Tanh(x);";
                yield return "/// <summary>tanh' through the output y: 1 − y².</summary>";
                yield return "private static float TanhDerivative(float y) => 1f - y * y;";
                break;
            case ActivationKind.Sigmoid:
                yield return "/// <summary>σ(x) = 1 / (1 + e^−x).</summary>";
                yield return $"private static float Sigmoid(float x) => 1f / (1f + {M}Exp(-x));";
                yield return "/// <summary>σ' through the output y: y (1 − y).</summary>";
                yield return "private static float SigmoidDerivative(float y) => y * (1f - y);";
                break;
            case ActivationKind.LeakyRelu:
                yield return "/// <summary>leaky_relu(x) = x for x &gt; 0, else 0.2 x (Keras's slope).</summary>";
                yield return "private static float LeakyRelu(float x) => x > 0f ? x : 0.2f * x;";
                yield return "/// <summary>leaky_relu' through the output y: 1 where y &gt; 0, else 0.2.</summary>";
                yield return "private static float LeakyReluDerivative(float y) => y > 0f ? 1f : 0.2f;";
                break;
            case ActivationKind.Elu:
                yield return "/// <summary>elu(x) = x for x &gt; 0, else e^x − 1.</summary>";
                yield return $"private static float Elu(float x) => x > 0f ? x : {M}Exp(x) - 1f;";
                yield return "/// <summary>elu' through the output y: 1 where y &gt; 0, else y + 1 = e^x.</summary>";
                yield return "private static float EluDerivative(float y) => y > 0f ? 1f : y + 1f;";
                break;
            case ActivationKind.Softplus:
                yield return "/// <summary>softplus(x) = log(1 + e^x), as max(x, 0) + log(1 + e^−|x|), which neither overflows nor loses small values.</summary>";
                yield return $"private static float Softplus(float x) => {M}Max(x, 0f) + {M}Log(1f + {M}Exp(-{M}Abs(x)));";
                yield return "/// <summary>softplus' through the output y: σ(x) = 1 − e^−y.</summary>";
                yield return $"private static float SoftplusDerivative(float y) => 1f - {M}Exp(-y);";
                break;
            case ActivationKind.Gelu:
                yield return "/// <summary>gelu(x) = x Φ(x), Φ the standard normal CDF (Keras's exact form).</summary>";
                yield return "private static float Gelu(float x) => x * Phi(x);";
                yield return "/// <summary>gelu' through the input x (its output does not determine it): Φ(x) + x φ(x).</summary>";
                yield return $"private static float GeluDerivative(float x) => Phi(x) + x * 0.39894228040143268f * {M}Exp(-0.5f * x * x);";
                yield return "/// <summary>Φ(x) through erf to within 1.5e-7 (Abramowitz &amp; Stegun 7.1.26), as GraphGen.Cpu.Gelu.</summary>";
                yield return "private static float Phi(float x)";
                yield return "{";
                yield return $"    float z = {M}Abs(x) * 0.70710678118654752f, t = 1f / (1f + 0.3275911f * z);";
                yield return $"    float erf = 1f - ((((1.061405429f * t + -1.453152027f) * t + 1.421413741f) * t + -0.284496736f) * t + 0.254829592f) * t * {M}Exp(-z * z);";
                yield return "    return 0.5f * (1f + (x < 0f ? -erf : erf));";
                yield return "}";
                break;
        }
    }
}
