using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// Fusion stage: runs the named passes over the training graph (forward, loss, backward) and over the forward
/// graph alone (Predict), then plans the buffers once for both.
/// </summary>
internal static class FusionPipeline
{
    /// <summary>The passes in the order they run; each sees what the earlier ones left.</summary>
    public static IReadOnlyList<(string Name, Action<FusionState> Run)> Passes { get; } = new (string, Action<FusionState>)[]
    {
        ("softmax-cross-entropy", FusionPasses.SoftmaxCrossEntropy),
        ("sigmoid-cross-entropy", FusionPasses.SigmoidCrossEntropy),
        ("regression-loss", FusionPasses.RegressionLoss),
        ("gemm-bias-activation", FusionPasses.GemmBiasActivation),
        ("activation-gradient-into-gemm", FusionPasses.ActivationGradientIntoGemm),
        ("lower-remaining", FusionPasses.LowerRemaining),
    };

    public static KernelPlan Fuse(TrainingGraph training)
    {
        var forward = training.Forward;
        var training_ = Run(training.Nodes);
        var inference = new List<PendingKernel>();
        if (forward.Owner is ModelInfo)
        {
            // Inference needs neither the targets nor the loss: front ends put them after the output, so the
            // nodes up to the output are the whole inference graph.
            var inferenceNodes = forward.Nodes.Take(forward.Output + 1).ToList();
            if (inferenceNodes.Any(n => n.Op == OpKind.Target || n.IsLoss))
                throw new InvalidOperationException("The targets and the loss must come after the model output in the graph.");
            inference = Run(inferenceNodes);
        }

        var holders = Holders.For(forward.Owner, forward.Parameters);
        var parameterHolders = forward.Parameters.ToDictionary(p => p.Node, p => holders.Value(p));
        var gradientHolders = training.Gradients.Where(g => g.Gradient >= 0)
            .ToDictionary(g => g.Gradient, g => holders.Gradient(forward.Parameters.First(p => p.Node == g.Parameter)));
        var (storage, buffers) = BufferPlanner.Plan(training.Nodes, training_, parameterHolders, gradientHolders, new HashSet<int> { forward.Output }, holders.Taken);

        Operand At(int id) => storage.TryGetValue(id, out var operand) ? operand
            : throw new InvalidOperationException($"Value '{training.Nodes[id].Name}' has no storage in the training plan.");
        var unused = training.Gradients.Where(g => g.Gradient < 0)
            .Select(g => holders.Gradient(forward.Parameters.First(p => p.Node == g.Parameter))).ToList();
        return new KernelPlan(forward.Owner, forward.Parameters, EquatableArray.From(buffers),
            EquatableArray.From(inference.Select(k => k.Build(At))), At(forward.Output),
            EquatableArray.From(training_.Select(k => k.Build(At))), EquatableArray.From(unused));
    }

    private static List<PendingKernel> Run(IReadOnlyList<Node> nodes)
    {
        var state = new FusionState(nodes);
        foreach (var (_, run) in Passes) run(state);
        return state.Kernels.OrderBy(k => k.Position).ToList();
    }
}
