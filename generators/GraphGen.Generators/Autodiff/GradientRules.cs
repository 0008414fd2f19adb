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
        // Y = A + B (broadcasting): each receives dY summed back to its shape.
        [OpKind.Add] = (g, n, dy) =>
        {
            foreach (int input in n.Inputs) // X + X accumulates dY twice
                if (g.NeedsGradient(input)) g.Accumulate(input, g.Unbroadcast(dy, input, n.Layer));
        },
        // Y = A − B: dA = dY, dB = −dY, each summed back to its shape.
        [OpKind.Subtract] = (g, n, dy) =>
        {
            int a = n.Inputs[0], b = n.Inputs[1];
            if (g.NeedsGradient(a)) g.Accumulate(a, g.Unbroadcast(dy, a, n.Layer));
            if (g.NeedsGradient(b)) g.Accumulate(b, g.Unbroadcast(g.Op(OpKind.Negate, n.Shape, Grad(g, b) + "_neg", n.Layer, dy), b, n.Layer));
        },
        // Y = A ⊙ B: dA = dY ⊙ B, dB = dY ⊙ A.
        [OpKind.Multiply] = (g, n, dy) =>
        {
            int a = n.Inputs[0], b = n.Inputs[1];
            if (g.NeedsGradient(a)) g.Accumulate(a, g.Unbroadcast(g.Op(OpKind.Multiply, n.Shape, Grad(g, a) + "_full", n.Layer, dy, b), a, n.Layer));
            if (g.NeedsGradient(b)) g.Accumulate(b, g.Unbroadcast(g.Op(OpKind.Multiply, n.Shape, Grad(g, b) + "_full", n.Layer, dy, a), b, n.Layer));
        },
        // Y = A / B: dA = dY / B, dB = −dY ⊙ A / B² = −dY ⊙ Y / B.
        [OpKind.Divide] = (g, n, dy) =>
        {
            int a = n.Inputs[0], b = n.Inputs[1];
            if (g.NeedsGradient(a)) g.Accumulate(a, g.Unbroadcast(g.Op(OpKind.Divide, n.Shape, Grad(g, a) + "_full", n.Layer, dy, b), a, n.Layer));
            if (g.NeedsGradient(b))
            {
                int ratio = g.Op(OpKind.Divide, n.Shape, Grad(g, b) + "_ratio", n.Layer, n.Id, b);
                int product = g.Op(OpKind.Multiply, n.Shape, Grad(g, b) + "_product", n.Layer, dy, ratio);
                g.Accumulate(b, g.Unbroadcast(g.Op(OpKind.Negate, n.Shape, Grad(g, b) + "_full", n.Layer, product), b, n.Layer));
            }
        },
        // Y = −X: dX = −dY.
        [OpKind.Negate] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Negate, n.Shape, Grad(g, n.Inputs[0]), n.Layer, dy)),
        // Y = e^X: dX = dY ⊙ Y.
        [OpKind.Exp] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Multiply, n.Shape, Grad(g, n.Inputs[0]), n.Layer, dy, n.Id)),
        // Y = ln X: dX = dY / X.
        [OpKind.Log] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Divide, n.Shape, Grad(g, n.Inputs[0]), n.Layer, dy, n.Inputs[0])),
        // Y = √X: dX = (dY · 0.5) / Y.
        [OpKind.Sqrt] = (g, n, dy) =>
        {
            int half = g.Op(OpKind.Multiply, n.Shape, Grad(g, n.Inputs[0]) + "_half", n.Layer, dy, g.Constant(0.5, "half", n.Layer));
            g.Accumulate(n.Inputs[0], g.Op(OpKind.Divide, n.Shape, Grad(g, n.Inputs[0]), n.Layer, half, n.Id));
        },
        // Y = X²: dX = dY ⊙ 2X.
        [OpKind.Square] = (g, n, dy) =>
        {
            int twice = g.Op(OpKind.Multiply, n.Shape, Grad(g, n.Inputs[0]) + "_twice", n.Layer, n.Inputs[0], g.Constant(2.0, "two", n.Layer));
            g.Accumulate(n.Inputs[0], g.Op(OpKind.Multiply, n.Shape, Grad(g, n.Inputs[0]), n.Layer, dy, twice));
        },
        // Y = Xᵀ: dX = dYᵀ.
        [OpKind.Transpose] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Transpose, g.Node(n.Inputs[0]).Shape, Grad(g, n.Inputs[0]), n.Layer, dy)),
        // Y = reshape(X): dX = dY under X's shape.
        [OpKind.Reshape] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.Reshape, g.Node(n.Inputs[0]).Shape, Grad(g, n.Inputs[0]), n.Layer, dy)),
        // Y = concat(X₁ … Xₖ) along an axis: each Xᵢ receives its own slice of dY.
        [OpKind.Concat] = (g, n, dy) =>
        {
            int offset = 0;
            foreach (int input in n.Inputs)
            {
                var shape = g.Node(input).Shape;
                if (g.NeedsGradient(input)) g.Accumulate(input, g.Op(OpKind.Slice, shape, Grad(g, input), n.Layer, dy, axis: n.Axis, offset: offset));
                offset += shape.Dims[n.Axis];
            }
        },
        // Y = Σ_axis X: dX = dY repeated along the axis. Y = mean_axis X: the same divided by the count.
        [OpKind.Sum] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.ExpandSum, g.Node(n.Inputs[0]).Shape, Grad(g, n.Inputs[0]), n.Layer, dy, axis: n.Axis)),
        [OpKind.Mean] = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Op(OpKind.ExpandMean, g.Node(n.Inputs[0]).Shape, Grad(g, n.Inputs[0]), n.Layer, dy, axis: n.Axis)),
    };

    private static string Grad(GradientBuilder g, int value) => "d_" + g.Node(value).Name;
}
