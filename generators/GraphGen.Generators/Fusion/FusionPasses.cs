using System;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// The named fusion passes, run in this order by <see cref="FusionPipeline"/>. Each claims the nodes it fuses;
/// <see cref="LowerRemaining"/> gives every node left its own kernel.
/// </summary>
internal static class FusionPasses
{
    /// <summary>
    /// softmax → cross-entropy, with its two backward nodes, becomes one pass over the logits that writes the
    /// probabilities and (p − onehot)/B and returns the loss.
    /// </summary>
    public static void SoftmaxCrossEntropy(FusionState s)
    {
        foreach (var loss in s.Uncovered(OpKind.SparseCategoricalCrossentropy))
        {
            var probs = s[loss.Inputs[0]];
            if (probs.Op != OpKind.Softmax) continue;
            var lossGrad = s.Consumers(probs.Id).Select(i => s[i]).FirstOrDefault(n => n.Op == OpKind.CrossEntropyGrad);
            if (lossGrad is null || !s.TrySingleConsumer(lossGrad.Id, out var softmaxGrad) || softmaxGrad.Op != OpKind.SoftmaxGrad) continue;
            int logits = probs.Inputs[0], labels = loss.Inputs[1];
            string math = $"{probs.Name} = softmax({s[logits].Name}); loss = mean −log {probs.Name}[label]; {softmaxGrad.Name} = ({probs.Name} − onehot(label)) / B";
            s.Add(new[] { probs.Id, loss.Id, lossGrad.Id, softmaxGrad.Id }, new[] { logits, labels }, new[] { probs.Id, softmaxGrad.Id },
                at => new SoftmaxCrossEntropyKernel(probs.Layer, math, at(logits), at(labels), at(probs.Id), at(softmaxGrad.Id), probs.Shape.Last));
        }
    }

    /// <summary>The mean squared error and its gradient in one pass over the output.</summary>
    public static void MeanSquaredError(FusionState s)
    {
        foreach (var loss in s.Uncovered(OpKind.MeanSquaredError))
        {
            int output = loss.Inputs[0], targets = loss.Inputs[1];
            var grad = s.Consumers(output).Select(i => s[i]).FirstOrDefault(n => n.Op == OpKind.MeanSquaredErrorGrad && n.Inputs[1] == targets);
            if (grad is null) continue;
            int columns = s[output].Shape.Last;
            string math = $"loss = mean ({s[output].Name} − t)²; {grad.Name} = 2 ({s[output].Name} − t) / (B·{columns})";
            s.Add(new[] { loss.Id, grad.Id }, new[] { output, targets }, new[] { grad.Id },
                at => new MeanSquaredErrorKernel(grad.Layer, math, at(output), at(targets), at(grad.Id), columns));
        }
    }

    /// <summary>x·W → + b → activation becomes one GEMM whose epilogue adds the bias and activates as it stores.</summary>
    public static void GemmBiasActivation(FusionState s)
    {
        foreach (var product in s.Uncovered(OpKind.MatMul))
        {
            if (product.TransposeA || product.TransposeB) continue;
            if (!s.TrySingleConsumer(product.Id, out var sum) || sum.Op != OpKind.BiasAdd || sum.Inputs[0] != product.Id || s.IsCovered(sum.Id)) continue;
            int bias = sum.Inputs[1];
            var result = sum;
            var activation = ActivationKind.Linear;
            if (s.TrySingleConsumer(sum.Id, out var next) && !s.IsCovered(next.Id) && ElementwiseActivation(next.Op) is { } kind)
            {
                result = next;
                activation = kind;
            }
            var covers = result == sum ? new[] { product.Id, sum.Id } : new[] { product.Id, sum.Id, result.Id };
            string inner = $"{MatMulText(s, product)} + {s[bias].Name}";
            string math = $"{result.Name} = " + (activation == ActivationKind.Linear ? inner : $"{activation.ToString().ToLowerInvariant()}({inner})");
            var epilogueBias = bias;
            s.Add(covers, new[] { product.Inputs[0], product.Inputs[1], bias }, new[] { result.Id },
                at => Gemm(s, product, result.Id, math, new GemmEpilogue(EpilogueKind.BiasActivation, activation, at(epilogueBias)), at));
        }
    }

    /// <summary>
    /// dA = dY·Wᵀ followed by dZ = dA ⊙ act'(A) becomes one GEMM that multiplies by the derivative as it stores.
    /// </summary>
    public static void ActivationGradientIntoGemm(FusionState s)
    {
        foreach (var grad in s.Uncovered(OpKind.ReluGrad, OpKind.TanhGrad, OpKind.SigmoidGrad))
        {
            var product = s[grad.Inputs[0]];
            if (product.Op != OpKind.MatMul || s.IsCovered(product.Id) || (product.TransposeA && product.TransposeB)) continue;
            if (!s.TrySingleConsumer(product.Id, out var only) || only.Id != grad.Id) continue;
            int output = grad.Inputs[1];
            var activation = GradientActivation(grad.Op);
            string math = $"{grad.Name} = ({MatMulText(s, product)}) ⊙ {activation.ToString().ToLowerInvariant()}'({s[output].Name})";
            s.Add(new[] { product.Id, grad.Id }, new[] { product.Inputs[0], product.Inputs[1], output }, new[] { grad.Id },
                at => Gemm(s, product, grad.Id, math, new GemmEpilogue(EpilogueKind.ActivationGradient, activation, at(output)), at));
        }
    }

    /// <summary>Every node no pass fused gets a kernel of its own (bias gradients become column sums here).</summary>
    public static void LowerRemaining(FusionState s)
    {
        foreach (var node in s.Nodes.Where(n => !n.IsLeaf && !s.IsCovered(n.Id)).ToList())
        {
            int[] covers = { node.Id }, reads = node.Inputs.ToArray(), writes = { node.Id };
            switch (node.Op)
            {
                case OpKind.MatMul when !(node.TransposeA && node.TransposeB):
                    s.Add(covers, reads, writes, at => Gemm(s, node, node.Id, $"{node.Name} = {MatMulText(s, node)}", GemmEpilogue.None, at));
                    break;
                case OpKind.ColumnSum:
                    s.Add(covers, reads, writes, at => new ColumnSumKernel(node.Layer, $"{node.Name} = Σ_rows {s[node.Inputs[0]].Name}", at(node.Inputs[0]), at(node.Id), node.Shape.Last));
                    break;
                case OpKind.Relu or OpKind.Tanh or OpKind.Sigmoid:
                    var activation = ElementwiseActivation(node.Op)!.Value;
                    s.Add(covers, reads, writes, at => new ActivateKernel(node.Layer, $"{node.Name} = {activation.ToString().ToLowerInvariant()}({s[node.Inputs[0]].Name})", activation, at(node.Inputs[0]), at(node.Id)));
                    break;
                case OpKind.ReluGrad or OpKind.TanhGrad or OpKind.SigmoidGrad:
                    var derivative = GradientActivation(node.Op);
                    s.Add(covers, reads, writes, at => new ActivationBackwardKernel(node.Layer,
                        $"{node.Name} = {s[node.Inputs[0]].Name} ⊙ {derivative.ToString().ToLowerInvariant()}'({s[node.Inputs[1]].Name})", derivative, at(node.Inputs[0]), at(node.Inputs[1]), at(node.Id)));
                    break;
                case OpKind.Softmax:
                    s.Add(covers, reads, writes, at => new SoftmaxKernel(node.Layer, $"{node.Name} = softmax({s[node.Inputs[0]].Name})", at(node.Inputs[0]), at(node.Id), node.Shape.Last));
                    break;
                case OpKind.Add:
                    s.Add(covers, reads, writes, at => new AddKernel(node.Layer, $"{node.Name} = {s[node.Inputs[0]].Name} + {s[node.Inputs[1]].Name}", at(node.Inputs[0]), at(node.Inputs[1]), at(node.Id)));
                    break;
                default:
                    throw new NotSupportedException($"{node.Op} ('{node.Name}') has no CPU kernel of its own and no fusion pass took it");
            }
        }
    }

    private static GemmKernel Gemm(FusionState s, Node product, int result, string math, GemmEpilogue epilogue, Func<int, Operand> at)
    {
        var a = s[product.Inputs[0]].Shape;
        var b = s[product.Inputs[1]].Shape;
        int m = product.TransposeA ? a.Dims[1] : a.Dims[0];
        int k = product.TransposeA ? a.Dims[0] : a.Dims[1];
        int n = product.TransposeB ? b.Dims[0] : b.Dims[1];
        return new GemmKernel(s[result].Layer, math, product.TransposeA, product.TransposeB, m, n, k,
            at(product.Inputs[0]), at(product.Inputs[1]), at(result), epilogue);
    }

    private static string MatMulText(FusionState s, Node product)
        => $"{s[product.Inputs[0]].Name}{(product.TransposeA ? "ᵀ" : "")}·{s[product.Inputs[1]].Name}{(product.TransposeB ? "ᵀ" : "")}";

    private static ActivationKind? ElementwiseActivation(OpKind op) => op switch
    {
        OpKind.Relu => ActivationKind.Relu,
        OpKind.Tanh => ActivationKind.Tanh,
        OpKind.Sigmoid => ActivationKind.Sigmoid,
        _ => null,
    };

    private static ActivationKind GradientActivation(OpKind op) => op switch
    {
        OpKind.ReluGrad => ActivationKind.Relu,
        OpKind.TanhGrad => ActivationKind.Tanh,
        OpKind.SigmoidGrad => ActivationKind.Sigmoid,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an activation gradient"),
    };
}
