using System.Collections.Generic;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Ops;

/// <summary>
/// Dropout and batch normalisation, whose training and inference differ as in Keras: the Fusion pass
/// "regularisation-by-mode" lowers the training step's nodes to inverted dropout and the batch's statistics, and
/// Predict's to the identity and the moving averages. Neither has a general CPU rule: their kernels are the pass's.
/// </summary>
internal static class RegularizationOps
{
    public static IEnumerable<OpDef> All => new[]
    {
        // Y = X ⊙ mask / (1 − rate) in training, X in inference: dX = dY ⊙ mask / (1 − rate), the mask recomputed from its stream.
        new OpDef(OpKind.Dropout)
        {
            Spelling = "Dropout",
            Numbers = new[] { new NumberArgument("rate", Rate) },
            Lower = (ir, x, s) => ir.Dropout(x[0], s.Numbers[0], s.Name, s.Statement),
            Gradient = (g, n, dy) => g.Accumulate(n.Inputs[0],
                g.Emit(new Node(0, OpKind.DropoutGrad, EquatableArray.Of(dy), n.Shape, g.GradientName(n.Inputs[0]), n.Scope, Offset: n.Offset, Value: n.Value))),
            Math = (n, input) => $"dropout({input(0)}, rate {Number(n.Value)})",
            // The inference graph: Predict's dropout is the identity.
            Onnx = (n, o) => o.Same("Identity"),
        },
        new OpDef(OpKind.DropoutGrad) { Math = (n, input) => $"{input(0)} ⊙ mask / (1 − {Number(n.Value)})" },

        // BatchNormalization(x, γ, β, moving_mean, moving_variance) lowers to its statistics and the normalisation.
        new OpDef(OpKind.BatchNormStatistics)
        {
            Spelling = "BatchNormalization",
            Numbers = new[] { new NumberArgument("momentum", Momentum), new NumberArgument("epsilon", Epsilon) },
            Rows = RowRule.StateInInference,
            Lower = (ir, x, s) => ir.BatchNormalization(x[0], x[1], x[2], x[3], x[4], s.Numbers[0], s.Numbers[1], s.Name, s.Statement),
            // The batch's statistics are differentiated through by BatchNormalize's rule (dx includes them): nothing flows here.
            NoGradient = true,
            Math = (n, input) => $"mean, 1/√(var + {Number(n.Epsilon)}) of {input(0)} over every axis but the last",
            // Inference's statistics, as Predict's: the (2, C) rows moving_mean and 1/√(moving_variance + ε).
            Onnx = (n, o) =>
            {
                string inverse = o.Step("Reciprocal", "inverse", new[] { o.Step("Sqrt", "deviation", new[] { o.Step("Add", "variance_eps", new[] { o.In(2), o.FloatScalar("epsilon", (float)n.Epsilon) }) }) });
                string axis0 = o.Int64s("axis0", 0);
                o.Node("Concat", new[] { o.Step("Unsqueeze", "mean_row", new[] { o.In(1), axis0 }), o.Step("Unsqueeze", "inverse_row", new[] { inverse, axis0 }) }, o.Out, Emit.OnnxSpelling.Int("axis", 0));
            },
        },
        // Y = γ ⊙ x̂ + β, x̂ = (X − mean) ⊙ inverse: dβ = Σ dY, dγ = Σ dY ⊙ x̂, dX = γ·inverse/N ⊙ (N·dY − dβ − x̂ ⊙ dγ) (N = rows).
        new OpDef(OpKind.BatchNormalize)
        {
            Gradient = (g, n, dy) =>
            {
                int x = n.Inputs[0], statistics = n.Inputs[1], gamma = n.Inputs[2], beta = n.Inputs[3];
                var channels = g.Node(gamma).Shape;
                // All three first, then their accumulations: the fused backward kernel runs where the last of them stands, so
                // nothing may read one of them in between.
                int dx = g.NeedsGradient(x) ? g.Emit(new Node(0, OpKind.BatchNormInputGrad, EquatableArray.Of(dy, x, statistics, gamma), n.Shape, g.GradientName(x), n.Scope)) : -1;
                int dgamma = g.NeedsGradient(gamma) ? g.Emit(new Node(0, OpKind.BatchNormGammaGrad, EquatableArray.Of(dy, x, statistics), channels, g.GradientName(gamma), n.Scope)) : -1;
                int dbeta = g.NeedsGradient(beta) ? g.Emit(new Node(0, OpKind.BatchNormBetaGrad, EquatableArray.Of(dy, statistics), channels, g.GradientName(beta), n.Scope)) : -1;
                if (dx >= 0) g.Accumulate(x, dx);
                if (dgamma >= 0) g.Accumulate(gamma, dgamma);
                if (dbeta >= 0) g.Accumulate(beta, dbeta);
            },
            Math = (n, input) => $"{input(2)} ⊙ ({input(0)} − mean) / √(var + ε) + {input(3)}",
            // As Predict computes it: y = x·scale + shift, scale = γ·inverse, shift = β − mean·scale (each a (1, C) row).
            Onnx = (n, o) =>
            {
                string mean = o.Step("Gather", "mean", new[] { o.In(1), o.Int64s("row0", 0) }, Emit.OnnxSpelling.Int("axis", 0));
                string inverse = o.Step("Gather", "inverse", new[] { o.In(1), o.Int64s("row1", 1) }, Emit.OnnxSpelling.Int("axis", 0));
                string scale = o.Step("Mul", "scale", new[] { o.In(2), inverse });
                string shift = o.Step("Sub", "shift", new[] { o.In(3), o.Step("Mul", "mean_scale", new[] { mean, scale }) });
                o.Node("Add", new[] { o.Step("Mul", "scaled", new[] { o.In(0), scale }), shift }, o.Out);
            },
        },
        new OpDef(OpKind.BatchNormInputGrad) { Math = (n, input) => $"γ/σ ⊙ ({input(0)} − mean {input(0)} − x̂ ⊙ mean({input(0)} ⊙ x̂))" },
        new OpDef(OpKind.BatchNormGammaGrad) { Math = (n, input) => $"Σ {input(0)} ⊙ x̂" },
        new OpDef(OpKind.BatchNormBetaGrad) { Math = (n, input) => $"Σ {input(0)}" },
    };

    /// <summary>Keras's Dropout rate: a fraction in [0, 1) (1 would drop everything and divide by zero).</summary>
    internal static string? Rate(double rate) => rate >= 0 && rate < 1 ? null : "a dropout rate is the fraction of values dropped, in [0, 1)";

    internal static string? Momentum(double momentum) => momentum >= 0 && momentum <= 1 ? null : "a moving average's momentum is in [0, 1]";

    internal static string? Epsilon(double epsilon) => epsilon > 0 && !double.IsInfinity(epsilon) ? null : "epsilon is a positive number added to the variance";

    /// <summary>A number as written: the float a body passed (0.9, not the double 0.8999999761581421).</summary>
    private static string Number(double value) => ((float)value).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
