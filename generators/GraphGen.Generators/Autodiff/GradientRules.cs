using System.Collections.Generic;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Autodiff;

/// <summary>
/// Emits the gradient of one op: given the node and the node holding d loss / d output (or
/// <see cref="GradientBuilder.LossSeed"/> for the loss itself, whose gradient is 1), it adds nodes that compute
/// d loss / d input and hands them to <see cref="GradientBuilder.Accumulate"/>.
/// </summary>
internal delegate void GradientRule(GradientBuilder g, Node node, int outputGradient);

/// <summary>The one table of gradient rules: every differentiable op of the IR and its vector–Jacobian product.</summary>
internal static class GradientRules
{
    public static IReadOnlyDictionary<OpKind, GradientRule> Table { get; } = new Dictionary<OpKind, GradientRule>
    {
        // Y = op(A)·op(B). dA = dY·op(B)ᵀ (or its transpose when A is read transposed); dB = op(A)ᵀ·dY likewise.
        [OpKind.MatMul] = (g, n, dy) =>
        {
            int a = n.Inputs[0], b = n.Inputs[1];
            if (g.NeedsGradient(a))
            {
                g.Accumulate(a, n.TransposeA
                    ? g.MatMul(b, dy, transposeA: n.TransposeB, transposeB: true, g.Node(a).Shape, "d_" + g.Node(a).Name, n.Layer)
                    : g.MatMul(dy, b, transposeA: false, transposeB: !n.TransposeB, g.Node(a).Shape, "d_" + g.Node(a).Name, n.Layer));
            }
            if (g.NeedsGradient(b))
            {
                g.Accumulate(b, n.TransposeB
                    ? g.MatMul(dy, a, transposeA: true, transposeB: n.TransposeA, g.Node(b).Shape, "d_" + g.Node(b).Name, n.Layer)
                    : g.MatMul(a, dy, transposeA: !n.TransposeA, transposeB: false, g.Node(b).Shape, "d_" + g.Node(b).Name, n.Layer));
            }
        },
        // Y = X + b (b broadcast over rows): dX = dY, db = Σ_rows dY.
        [OpKind.BiasAdd] = (g, n, dy) =>
        {
            if (g.NeedsGradient(n.Inputs[0])) g.Accumulate(n.Inputs[0], dy);
            if (g.NeedsGradient(n.Inputs[1])) g.Accumulate(n.Inputs[1], g.Emit(OpKind.ColumnSum, g.Node(n.Inputs[1]).Shape, n.Layer, dy, inputOf: n.Inputs[1]));
        },
        // Element-wise activations: dX = dY ⊙ act'(saved), the derivative written through the saved output Y —
        // or through the input X for gelu, whose output does not determine its input.
        [OpKind.Activation] = (g, n, dy) =>
        {
            int saved = Node.DerivativeFromInput(n.Activation) ? n.Inputs[0] : n.Id;
            g.Accumulate(n.Inputs[0], g.Emit(OpKind.ActivationGrad, n.Shape, n.Layer, dy, saved, inputOf: n.Inputs[0], activation: n.Activation));
        },
        // Y = softmax(X) per row: dX = Y ⊙ (dY − Σ_j dY⊙Y).
        [OpKind.Softmax] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Emit(OpKind.SoftmaxGrad, n.Shape, n.Layer, dy, n.Id, inputOf: n.Inputs[0])),
        // L = mean_i −log P[i, label_i]: dP = −onehot / (B · P). Labels get no gradient.
        [OpKind.SparseCategoricalCrossentropy] = (g, n, _) =>
            g.Accumulate(n.Inputs[0], g.Emit(OpKind.CrossEntropyGrad, g.Node(n.Inputs[0]).Shape, n.Layer, n.Inputs[0], n.Inputs[1], inputOf: n.Inputs[0])),
        // L = mean_i −Σ_j T log P: dP = −T / (B · P).
        [OpKind.CategoricalCrossentropy] = (g, n, _) =>
            g.Accumulate(n.Inputs[0], g.Emit(OpKind.CategoricalCrossentropyGrad, g.Node(n.Inputs[0]).Shape, n.Layer, n.Inputs[0], n.Inputs[1], inputOf: n.Inputs[0])),
        // L = mean −(T log P + (1 − T) log(1 − P)): dP = (P − T) / (P (1 − P) · B · n).
        [OpKind.BinaryCrossentropy] = (g, n, _) =>
            g.Accumulate(n.Inputs[0], g.Emit(OpKind.BinaryCrossentropyGrad, g.Node(n.Inputs[0]).Shape, n.Layer, n.Inputs[0], n.Inputs[1], inputOf: n.Inputs[0])),
        // L = mean (Y − T)²: dY = 2 (Y − T) / (B · n). Targets get no gradient.
        [OpKind.MeanSquaredError] = (g, n, _) =>
            g.Accumulate(n.Inputs[0], g.Emit(OpKind.MeanSquaredErrorGrad, g.Node(n.Inputs[0]).Shape, n.Layer, n.Inputs[0], n.Inputs[1], inputOf: n.Inputs[0])),
        // L = mean |Y − T|: dY = sign(Y − T) / (B · n).
        [OpKind.MeanAbsoluteError] = (g, n, _) =>
            g.Accumulate(n.Inputs[0], g.Emit(OpKind.MeanAbsoluteErrorGrad, g.Node(n.Inputs[0]).Shape, n.Layer, n.Inputs[0], n.Inputs[1], inputOf: n.Inputs[0])),
        // Y = A + B: both receive dY.
        [OpKind.Add] = (g, n, dy) =>
        {
            if (g.NeedsGradient(n.Inputs[0])) g.Accumulate(n.Inputs[0], dy);
            if (g.NeedsGradient(n.Inputs[1])) g.Accumulate(n.Inputs[1], dy);
        },
    };
}
