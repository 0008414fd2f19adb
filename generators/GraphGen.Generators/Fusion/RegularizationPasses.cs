using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// The passes that make training and inference differ, as Keras's <c>training</c> argument does: the training step
/// (TrainStep, Fit, ComputeGradients) drops out and normalises with the batch's statistics, Predict and Evaluate pass
/// dropout through and normalise with the moving averages. Both programs hold the same nodes; each lowers them its way.
/// </summary>
internal static class RegularizationPasses
{
    /// <summary>
    /// "regularisation-by-mode": Dropout → the masked forward pass in training, a copy in inference; its gradient → the
    /// masked backward pass; a batch normalisation's statistics → the batch's (updating the moving averages) in training,
    /// the moving averages' in inference; the normalisation itself is the same kernel in both.
    /// </summary>
    public static void ByMode(FusionState s)
    {
        bool training = s.Name == "training";
        foreach (var node in s.Uncovered(OpKind.Dropout, OpKind.DropoutGrad, OpKind.BatchNormStatistics, OpKind.BatchNormalize))
        {
            var x = s.At(node.Inputs[0]);
            Kernel kernel = node.Op switch
            {
                OpKind.Dropout when training => new DropoutKernel(node.Scope, $"{node.Name} = {s[node.Inputs[0]].Name} ⊙ mask / (1 − {Number(node.Value)}) (training)",
                    DropoutMode.Forward, x, s.At(node.Id), node.Value, node.Offset),
                OpKind.Dropout => new DropoutKernel(node.Scope, $"{node.Name} = {s[node.Inputs[0]].Name} (dropout passes values through in inference)",
                    DropoutMode.Identity, x, s.At(node.Id), node.Value, node.Offset),
                OpKind.DropoutGrad => new DropoutKernel(node.Scope, $"{node.Name} = {s[node.Inputs[0]].Name} ⊙ mask / (1 − {Number(node.Value)}), the forward pass's mask",
                    DropoutMode.Backward, x, s.At(node.Id), node.Value, node.Offset),
                OpKind.BatchNormStatistics => new BatchNormStatisticsKernel(node.Scope, training
                        ? $"{node.Name} = mean, 1/√(var + {Number(node.Epsilon)}) of {s[node.Inputs[0]].Name} over the batch; moving = moving·{Number(node.Value)} + batch·(1 − {Number(node.Value)})"
                        : $"{node.Name} = {s[node.Inputs[1]].Name}, 1/√({s[node.Inputs[2]].Name} + {Number(node.Epsilon)}) (inference: the moving averages)",
                    training, x, s.At(node.Inputs[1]), s.At(node.Inputs[2]), s.At(node.Id), node.Value, node.Epsilon),
                _ => new BatchNormalizeKernel(node.Scope, $"{node.Name} = {s[node.Inputs[2]].Name} ⊙ ({s[node.Inputs[0]].Name} − mean) / √(var + ε) + {s[node.Inputs[3]].Name}",
                    x, s.At(node.Inputs[1]), s.At(node.Inputs[2]), s.At(node.Inputs[3]), s.At(node.Id)),
            };
            s.Add(new[] { node.Id }, kernel);
        }
    }

    /// <summary>
    /// "batch-norm-backward": a batch normalisation's dx, dγ and dβ (those its rule made) become one kernel, two passes over
    /// dy and x.
    /// </summary>
    public static void BatchNormBackward(FusionState s)
    {
        var parts = s.Uncovered(OpKind.BatchNormInputGrad, OpKind.BatchNormGammaGrad, OpKind.BatchNormBetaGrad).ToList();
        foreach (var group in parts.GroupBy(n => (Dy: n.Inputs[0], Statistics: n.Op == OpKind.BatchNormBetaGrad ? n.Inputs[1] : n.Inputs[2])))
        {
            var dx = group.FirstOrDefault(n => n.Op == OpKind.BatchNormInputGrad);
            var dgamma = group.FirstOrDefault(n => n.Op == OpKind.BatchNormGammaGrad);
            var dbeta = group.FirstOrDefault(n => n.Op == OpKind.BatchNormBetaGrad);
            var statistics = s[group.Key.Statistics];
            var normalize = s.Nodes.First(n => n.Op == OpKind.BatchNormalize && n.Inputs[1] == statistics.Id);
            int x = normalize.Inputs[0], gamma = normalize.Inputs[2];
            string dy = s[group.Key.Dy].Name;
            string math = string.Join("; ", new[]
            {
                dbeta is null ? null : $"{dbeta.Name} = Σ {dy}",
                dgamma is null ? null : $"{dgamma.Name} = Σ {dy} ⊙ x̂",
                dx is null ? null : $"{dx.Name} = {s[gamma].Name}/σ ⊙ ({dy} − mean {dy} − x̂ ⊙ mean({dy} ⊙ x̂))",
            }.Where(t => t is not null)) + $" (x̂ = ({s[x].Name} − mean)/σ, the batch's statistics)";
            s.Add(group.Select(n => n.Id).ToArray(), new BatchNormBackwardKernel(normalize.Scope, math, s.At(group.Key.Dy), s.At(x), s.At(statistics.Id), s.At(gamma),
                dx is null ? null : s.At(dx.Id), dgamma is null ? null : s.At(dgamma.Id), dbeta is null ? null : s.At(dbeta.Id)));
        }
    }

    /// <summary>A number as written: the float a body passed (0.9, not the double 0.8999999761581421).</summary>
    private static string Number(double value) => ((float)value).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
