using System;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// The named fusion passes, run in this order by <see cref="FusionPipeline"/>. Each claims the nodes it fuses;
/// <see cref="LowerRemaining"/> gives every node left its own kernel.
/// </summary>
internal static class FusionPasses
{
    /// <summary>
    /// softmax → cross-entropy (sparse labels or target distributions), with its two backward nodes, becomes one
    /// pass over the logits that writes the probabilities and d loss / d logits and returns the loss.
    /// </summary>
    public static void SoftmaxCrossEntropy(FusionState s)
    {
        foreach (var loss in s.Uncovered(OpKind.SparseCategoricalCrossentropy, OpKind.CategoricalCrossentropy))
        {
            var probs = s[loss.Inputs[0]];
            if (probs.Op != OpKind.Softmax) continue;
            bool sparse = loss.Op == OpKind.SparseCategoricalCrossentropy;
            var gradOp = sparse ? OpKind.CrossEntropyGrad : OpKind.CategoricalCrossentropyGrad;
            var lossGrad = s.Consumers(probs.Id).Select(i => s[i]).FirstOrDefault(n => n.Op == gradOp);
            if (lossGrad is null || !s.TrySingleConsumer(lossGrad.Id, out var softmaxGrad) || softmaxGrad.Op != OpKind.SoftmaxGrad) continue;
            int logits = probs.Inputs[0], targets = loss.Inputs[1];
            string math = sparse
                ? $"{probs.Name} = softmax({s[logits].Name}); loss = mean −log {probs.Name}[label]; {softmaxGrad.Name} = ({probs.Name} − onehot(label)) / B"
                : $"{probs.Name} = softmax({s[logits].Name}); loss = mean −Σ t·log {probs.Name}; {softmaxGrad.Name} = ({probs.Name}·Σt − t) / B";
            s.Add(new[] { probs.Id, loss.Id, lossGrad.Id, softmaxGrad.Id },
                new SoftmaxCrossEntropyKernel(probs.Scope, math, s.At(logits), s.At(targets), s.At(probs.Id), s.At(softmaxGrad.Id), probs.Shape.Last, sparse));
        }
    }

    /// <summary>sigmoid → binary cross-entropy, with its two backward nodes, becomes one pass over the logits.</summary>
    public static void SigmoidCrossEntropy(FusionState s)
    {
        foreach (var loss in s.Uncovered(OpKind.BinaryCrossentropy))
        {
            var probs = s[loss.Inputs[0]];
            if (probs.Op != OpKind.Activation || probs.Activation != ActivationKind.Sigmoid) continue;
            var lossGrad = s.Consumers(probs.Id).Select(i => s[i]).FirstOrDefault(n => n.Op == OpKind.BinaryCrossentropyGrad);
            if (lossGrad is null || !s.TrySingleConsumer(lossGrad.Id, out var sigmoidGrad) || sigmoidGrad.Op != OpKind.ActivationGrad) continue;
            int logits = probs.Inputs[0], targets = loss.Inputs[1];
            int columns = probs.Shape.Last;
            string math = $"{probs.Name} = sigmoid({s[logits].Name}); loss = mean −(t·log {probs.Name} + (1 − t)·log(1 − {probs.Name})); {sigmoidGrad.Name} = ({probs.Name} − t) / (B·{columns})";
            s.Add(new[] { probs.Id, loss.Id, lossGrad.Id, sigmoidGrad.Id },
                new SigmoidCrossEntropyKernel(probs.Scope, math, s.At(logits), s.At(targets), s.At(probs.Id), s.At(sigmoidGrad.Id), columns));
        }
    }

    /// <summary>The mean squared or absolute error and its gradient in one pass over the output.</summary>
    public static void RegressionLoss(FusionState s)
    {
        foreach (var loss in s.Uncovered(OpKind.MeanSquaredError, OpKind.MeanAbsoluteError))
        {
            bool squared = loss.Op == OpKind.MeanSquaredError;
            var gradOp = squared ? OpKind.MeanSquaredErrorGrad : OpKind.MeanAbsoluteErrorGrad;
            int output = loss.Inputs[0], targets = loss.Inputs[1];
            var grad = s.Consumers(output).Select(i => s[i]).FirstOrDefault(n => n.Op == gradOp && n.Inputs[1] == targets);
            if (grad is null) continue;
            int columns = s[output].Shape.Last;
            string y = s[output].Name;
            string math = squared
                ? $"loss = mean ({y} − t)²; {grad.Name} = 2 ({y} − t) / (B·{columns})"
                : $"loss = mean |{y} − t|; {grad.Name} = sign({y} − t) / (B·{columns})";
            s.Add(new[] { loss.Id, grad.Id }, new RegressionLossKernel(grad.Scope, math, squared, s.At(output), s.At(targets), s.At(grad.Id), columns));
        }
    }

    /// <summary>x·W → + b → activation becomes one GEMM whose epilogue adds the bias and activates as it stores.</summary>
    public static void GemmBiasActivation(FusionState s)
    {
        foreach (var product in s.Uncovered(OpKind.MatMul))
        {
            if (product.TransposeA || product.TransposeB) continue;
            if (!TryBiasEpilogue(s, product, out int bias, out var result, out var activation, out var covers)) continue;
            string inner = $"{MatMulText(s, product)} + {s[bias].Name}";
            string math = $"{result.Name} = " + (activation == ActivationKind.Linear ? inner : $"{Name(activation)}({inner})");
            s.Add(covers, Gemm(s, product, result.Id, math, new GemmEpilogue(EpilogueKind.BiasActivation, activation, s.At(bias))));
        }
    }

    /// <summary>
    /// The + b that alone reads a product, and the activation that alone reads the sum if there is one: what a GEMM's
    /// epilogue adds and applies as it stores (Dense layers and convolutions alike). <paramref name="covers"/> is every
    /// node the fused kernel computes, <paramref name="result"/> the last of them.
    /// </summary>
    private static bool TryBiasEpilogue(FusionState s, Node product, out int bias, out Node result, out ActivationKind activation, out int[] covers)
    {
        bias = -1; result = product; activation = ActivationKind.Linear; covers = [];
        if (!s.TrySingleConsumer(product.Id, out var sum) || sum.Op != OpKind.BiasAdd || sum.Inputs[0] != product.Id || s.IsCovered(sum.Id)) return false;
        bias = sum.Inputs[1];
        result = sum;
        if (s.TrySingleConsumer(sum.Id, out var next) && !s.IsCovered(next.Id) && next.Op == OpKind.Activation)
        {
            result = next;
            activation = next.Activation;
        }
        covers = result == sum ? [product.Id, sum.Id] : [product.Id, sum.Id, result.Id];
        return true;
    }

    /// <summary>
    /// conv(x, W) → + b → activation becomes one convolution whose GEMM adds the bias and activates as it stores,
    /// as a Dense layer's does; the activation stays a kernel of its own where its gradient reads the sum (gelu).
    /// </summary>
    public static void ConvBiasActivation(FusionState s)
    {
        foreach (var conv in s.Uncovered(OpKind.Conv2D))
        {
            if (!TryBiasEpilogue(s, conv, out int bias, out var result, out var activation, out var covers)) continue;
            string inner = $"conv({s[conv.Inputs[0]].Name}, {s[conv.Inputs[1]].Name}) + {s[bias].Name}";
            string math = $"{result.Name} = " + (activation == ActivationKind.Linear ? inner : $"{Name(activation)}({inner})") + WindowText(conv.Window!);
            s.Add(covers, new TensorKernel(conv.Scope, math, OpKind.Conv2D, EquatableArray.Of(s.At(conv.Inputs[0]), s.At(conv.Inputs[1]), s.At(bias)),
                s.At(result.Id), 0, 0, conv.Window, activation));
        }
    }

    internal static string WindowText(Window w) => $" ({w.Height}×{w.Width} window, stride {w.Stride}, {w.Padding.ToString().ToLowerInvariant()} padding)";

    /// <summary>
    /// dA = dY·Wᵀ followed by dZ = dA ⊙ act'(A) becomes one GEMM that multiplies by the derivative as it stores.
    /// </summary>
    public static void ActivationGradientIntoGemm(FusionState s)
    {
        foreach (var grad in s.Uncovered(OpKind.ActivationGrad))
        {
            var product = s[grad.Inputs[0]];
            if (product.Op != OpKind.MatMul || s.IsCovered(product.Id) || (product.TransposeA && product.TransposeB)) continue;
            if (!s.TrySingleConsumer(product.Id, out var only) || only.Id != grad.Id) continue;
            int output = grad.Inputs[1];
            var activation = grad.Activation;
            string math = $"{grad.Name} = ({MatMulText(s, product)}) ⊙ {Name(activation)}'({s[output].Name})";
            s.Add(new[] { product.Id, grad.Id }, Gemm(s, product, grad.Id, math, new GemmEpilogue(EpilogueKind.ActivationGradient, activation, s.At(output))));
        }
    }

    /// <summary>Every node no pass fused gets a kernel of its own (bias gradients become column sums here).</summary>
    public static void LowerRemaining(FusionState s)
    {
        foreach (var node in s.Nodes.Where(n => !n.IsLeaf && !s.IsCovered(n.Id)).ToList())
        {
            int[] covers = { node.Id };
            Operand In(int i) => s.At(node.Inputs[i]);
            switch (node.Op)
            {
                case OpKind.MatMul when !(node.TransposeA && node.TransposeB):
                    s.Add(covers, Gemm(s, node, node.Id, $"{node.Name} = {MatMulText(s, node)}", GemmEpilogue.None));
                    break;
                case OpKind.ColumnSum:
                    s.Add(covers, new ColumnSumKernel(node.Scope, Math(s, node), In(0), s.At(node.Id), node.Shape.Last));
                    break;
                case OpKind.Activation:
                    s.Add(covers, new ActivateKernel(node.Scope, Math(s, node), node.Activation, In(0), s.At(node.Id)));
                    break;
                case OpKind.ActivationGrad:
                    s.Add(covers, new ActivationBackwardKernel(node.Scope, Math(s, node), node.Activation, In(0), In(1), s.At(node.Id)));
                    break;
                case OpKind.Softmax:
                    s.Add(covers, new SoftmaxKernel(node.Scope, Math(s, node), In(0), s.At(node.Id), node.Shape.Last));
                    break;
                case var op when OpTable.Of(op).Cpu is not null:
                    s.Add(covers, new TensorKernel(node.Scope, Math(s, node), op == OpKind.BiasAdd ? OpKind.Add : op,
                        EquatableArray.From(node.Inputs.Select(s.At)), s.At(node.Id), node.Axis, node.Offset, node.Window));
                    break;
                default:
                    throw new NotSupportedException($"{node.Op} ('{node.Name}') has no CPU kernel of its own and no fusion pass took it");
            }
        }
    }

    private static GemmKernel Gemm(FusionState s, Node product, int result, string math, GemmEpilogue epilogue)
    {
        var a = s[product.Inputs[0]].Shape;
        var b = s[product.Inputs[1]].Shape;
        int m = product.TransposeA ? a.Dims[1] : a.Dims[0];
        int k = product.TransposeA ? a.Dims[0] : a.Dims[1];
        int n = product.TransposeB ? b.Dims[0] : b.Dims[1];
        return new GemmKernel(s[result].Scope, math, product.TransposeA, product.TransposeB, m, n, k,
            s.At(product.Inputs[0]), s.At(product.Inputs[1]), s.At(result), epilogue);
    }

    /// <summary>The comment of a kernel that computes one node: its math from the op table, in the body's own names.</summary>
    private static string Math(FusionState s, Node n)
        => $"{n.Name} = " + (OpTable.Of(n.Op).Math ?? throw new NotSupportedException($"{n.Op} has no math in the op table."))(n, i => s[n.Inputs[i]].Name);

    private static string MatMulText(FusionState s, Node product) => OpTable.Of(OpKind.MatMul).Math!(product, i => s[product.Inputs[i]].Name);

    /// <summary>The activation's name as Keras spells it, for the comments.</summary>
    private static string Name(ActivationKind activation) => Activations.Of(activation).Keras;
}
