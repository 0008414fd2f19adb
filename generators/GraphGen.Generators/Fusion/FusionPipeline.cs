using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// Fusion stage: the kernel plan is the whole program, and every decision in it is one of the named passes below,
/// run in order over the training step and Predict: which nodes fuse into which kernel, where the optimizer update
/// runs, and, last, the buffer plan. The emitters only print the result. With the GraphGenDumpPlan build property
/// the plan after each pass travels with it (<see cref="KernelPlan.Dump"/>).
/// </summary>
internal static class FusionPipeline
{
    /// <summary>The passes in the order they run; each sees what the earlier ones left.</summary>
    public static IReadOnlyList<(string Name, Action<Planning> Run)> Passes { get; } = new (string, Action<Planning>)[]
    {
        ("softmax-cross-entropy", EachProgram(FusionPasses.SoftmaxCrossEntropy)),
        ("sigmoid-cross-entropy", EachProgram(FusionPasses.SigmoidCrossEntropy)),
        ("regression-loss", EachProgram(FusionPasses.RegressionLoss)),
        ("gemm-bias-activation", EachProgram(FusionPasses.GemmBiasActivation)),
        ("activation-gradient-into-gemm", EachProgram(FusionPasses.ActivationGradientIntoGemm)),
        ("conv-bias-activation", EachProgram(FusionPasses.ConvBiasActivation)),
        ("regularisation-by-mode", EachProgram(RegularizationPasses.ByMode)),
        ("batch-norm-backward", EachProgram(RegularizationPasses.BatchNormBackward)),
        ("lower-remaining", EachProgram(FusionPasses.LowerRemaining)),
        ("plan-buffers", BufferPlanner.Plan),
    };

    public static KernelPlan Fuse(TrainingGraph training) => Fuse(training, dump: false);

    public static KernelPlan Fuse(TrainingGraph training, bool dump)
    {
        var planning = new Planning(training);
        var dumped = new List<string>();
        var previous = new List<string>();
        foreach (var (name, run) in Passes)
        {
            run(planning);
            if (!dump) continue;
            var now = PlanDump.Render(planning).ToList();
            if (now.SequenceEqual(previous)) dumped.Add($"after {name}: unchanged");
            else dumped.AddRange(new[] { $"after {name}:" }.Concat(now));
            previous = now;
        }
        var forward = training.Forward;
        return new KernelPlan(forward.Owner, forward.Parameters, EquatableArray.From(planning.Buffers),
            EquatableArray.From(planning.Inference?.Kernels ?? new List<Kernel>()), planning.Bind(planning.Output),
            EquatableArray.From(planning.Training.Kernels), EquatableArray.From(planning.UnusedParameters),
            EquatableArray.From(planning.UpdatedAfterStep), EquatableArray.From(dumped));
    }

    private static Action<Planning> EachProgram(Action<FusionState> pass) => planning =>
    {
        foreach (var program in planning.Programs) pass(program);
    };
}

/// <summary>
/// What the passes work on: the training step's program and Predict's (none for a function), every value as an
/// operand id, and what the plan-wide passes decide (the optimizer's place, buffers).
/// </summary>
internal sealed class Planning
{
    private readonly Dictionary<int, Operand> _fixed = new();

    public Planning(TrainingGraph training)
    {
        Graph = training;
        var forward = training.Forward;
        var nodes = training.Nodes;
        for (int p = 0; p < forward.Parameters.Count; p++)
            _fixed[forward.Parameters[p].Node] = new Operand(OperandKind.ParameterValue, p, nodes[forward.Parameters[p].Node].Shape);
        foreach (var binding in training.Gradients.Where(g => g.Gradient >= 0))
        {
            int p = forward.Parameters.ToList().FindIndex(x => x.Node == binding.Parameter);
            _fixed[binding.Gradient] = new Operand(OperandKind.ParameterGradient, p, nodes[binding.Gradient].Shape);
        }
        UnusedParameters = training.Gradients.Where(g => g.Gradient < 0)
            .Select(g => forward.Parameters.ToList().FindIndex(x => x.Node == g.Parameter)).ToList();
        UpdatedAfterStep = Enumerable.Range(0, forward.Parameters.Count).Where(p => forward.Parameters[p].Trainable).ToList();
        Output = forward.Output;

        Training = new FusionState("training", nodes, At);
        if (forward.Owner is not ModelInfo)
        {
            Programs = new[] { Training };
            return;
        }
        // Inference needs neither the targets nor the loss: front ends put them after the output, so the nodes up to
        // the output are the whole inference graph, with the same ids as in training.
        var inferenceNodes = forward.Nodes.Take(forward.Output + 1).ToList();
        if (inferenceNodes.Any(n => n.Op == OpKind.Target || n.IsLoss))
            throw new InvalidOperationException("The targets and the loss must come after the model output in the graph.");
        Inference = new FusionState("inference", inferenceNodes, At);
        Programs = new[] { Training, Inference };
    }

    public TrainingGraph Graph { get; }
    public FusionState Training { get; }
    public FusionState? Inference { get; }
    public IReadOnlyList<FusionState> Programs { get; }
    public bool IsModel => Graph.Forward.Owner is ModelInfo;
    /// <summary>The node Predict returns (and the function's result).</summary>
    public int Output { get; }

    /// <summary>Parameters whose gradient is identically zero (nothing they feed reaches the loss).</summary>
    public List<int> UnusedParameters { get; }
    /// <summary>Parameters the optimizer updates after the step's kernels (every trainable one, from its finished gradient).</summary>
    public List<int> UpdatedAfterStep { get; }
    /// <summary>The activation buffers ("plan-buffers"), and the buffer each value was bound to.</summary>
    public List<BufferInfo> Buffers { get; } = new();
    public Dictionary<int, int> BufferOf { get; } = new();

    /// <summary>A node as an operand: a leaf, a parameter's gradient, or a value still to be given a buffer.</summary>
    public Operand At(int id)
    {
        if (_fixed.TryGetValue(id, out var operand)) return operand;
        var node = Graph.Nodes[id];
        return node.Op switch
        {
            OpKind.Input => new Operand(OperandKind.Input, 0, node.Shape),
            OpKind.Target => new Operand(OperandKind.Targets, 0, node.Shape),
            OpKind.Constant => new Operand(OperandKind.Constant, 0, node.Shape, node.Value),
            _ => new Operand(OperandKind.Value, id, node.Shape),
        };
    }

    /// <summary>A node's operand once buffers are planned.</summary>
    public Operand Bind(int id) => Bind(At(id));

    public Operand Bind(Operand operand)
    {
        if (operand.Kind != OperandKind.Value) return operand;
        return BufferOf.TryGetValue(operand.Id, out int buffer) ? new Operand(OperandKind.Buffer, buffer, operand.Shape)
            : throw new InvalidOperationException($"Value '{Graph.Nodes[operand.Id].Name}' has no storage in the training plan.");
    }
}
