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
    // After the buffer plan, on a model's training kernels: "optimizer-update-into-gemm" (OptimizerUpdateIntoGemm).

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
        var trainingKernels = training_.Select(k => k.Build(At)).ToList();
        if (forward.Owner is ModelInfo) OptimizerUpdateIntoGemm(trainingKernels);
        return new KernelPlan(forward.Owner, forward.Parameters, EquatableArray.From(buffers),
            EquatableArray.From(inference.Select(k => k.Build(At))), At(forward.Output),
            EquatableArray.From(trainingKernels), EquatableArray.From(unused));
    }

    /// <summary>
    /// The "optimizer-update-into-gemm" pass, on the planned training kernels of a model: a GEMM that writes a weight's
    /// gradient, with nothing after it reading or writing that gradient or reading the weight, may apply the weight's
    /// update as it stores (the first layer's weight gradient, typically; not a layer whose weight the backward pass
    /// still multiplies by, nor a gradient still to be accumulated).
    /// </summary>
    private static void OptimizerUpdateIntoGemm(List<Kernel> kernels)
    {
        for (int i = 0; i < kernels.Count; i++)
        {
            if (kernels[i] is not GemmKernel { C.Kind: OperandKind.ParameterGradient, Epilogue.Kind: EpilogueKind.None } gemm) continue;
            string holder = Holder(gemm.C);
            bool touchedLater = kernels.Skip(i + 1).SelectMany(KernelOperands.Of)
                .Any(o => o.Kind is OperandKind.ParameterValue or OperandKind.ParameterGradient && Holder(o) == holder);
            if (!touchedLater) kernels[i] = gemm with { UpdatesParameter = true };
        }
    }

    /// <summary>The parameter object an operand's value or gradient belongs to (<c>_hidden.Weight</c>).</summary>
    internal static string Holder(Operand o) => o.Name.EndsWith(".Data", StringComparison.Ordinal) ? o.Name.Substring(0, o.Name.Length - 5)
        : o.Name.EndsWith(".Gradient", StringComparison.Ordinal) ? o.Name.Substring(0, o.Name.Length - 9) : o.Name;

    private static List<PendingKernel> Run(IReadOnlyList<Node> nodes)
    {
        var state = new FusionState(nodes);
        foreach (var (_, run) in Passes) run(state);
        return state.Kernels.OrderBy(k => k.Position).ToList();
    }
}
