using System.Collections.Generic;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Ops;

/// <summary>
/// One loss, whole: its op and gradient op in the graph, the runtime's <c>GraphGen.Training.Losses</c> factory, what
/// the model's output must be for it (<see cref="Probabilities"/>: softmax or sigmoid for cross-entropy, which
/// FromLogits applies itself; null for a regression loss), whether the targets are integer labels, and its math.
/// </summary>
internal sealed record LossDef(LossKind Kind, OpKind Op, OpKind GradientOp, ActivationKind? Probabilities, bool SparseLabels, string Math, string GradientMath)
{
    public bool IsCrossEntropy => Probabilities is not null;
}

/// <summary>The losses' table; <see cref="LossKind"/> numbers them as the runtime's <c>GraphGen.Loss</c> does.</summary>
internal static class Losses
{
    public static IReadOnlyList<LossDef> All { get; } = new[]
    {
        new LossDef(LossKind.SparseCategoricalCrossentropy, OpKind.SparseCategoricalCrossentropy, OpKind.CrossEntropyGrad, ActivationKind.Softmax, true,
            "mean −log p[label]", "−onehot(label) / (B·p)"),
        new LossDef(LossKind.MeanSquaredError, OpKind.MeanSquaredError, OpKind.MeanSquaredErrorGrad, null, false, "mean (y − t)²", "2 (y − t) / (B·n)"),
        new LossDef(LossKind.CategoricalCrossentropy, OpKind.CategoricalCrossentropy, OpKind.CategoricalCrossentropyGrad, ActivationKind.Softmax, false,
            "mean −Σ t·log p", "−t / (B·p)"),
        new LossDef(LossKind.BinaryCrossentropy, OpKind.BinaryCrossentropy, OpKind.BinaryCrossentropyGrad, ActivationKind.Sigmoid, false,
            "mean −(t·log p + (1 − t)·log(1 − p))", "(p − t) / (p (1 − p) B n)"),
        new LossDef(LossKind.MeanAbsoluteError, OpKind.MeanAbsoluteError, OpKind.MeanAbsoluteErrorGrad, null, false, "mean |y − t|", "sign(y − t) / (B·n)"),
    };

    public static LossDef Of(LossKind kind) => All[(int)kind];
}
