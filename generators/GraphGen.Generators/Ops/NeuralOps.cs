using System.Collections.Generic;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Graph;
using static GraphGen.Generators.Emit.CpuSpelling;

namespace GraphGen.Generators.Ops;

/// <summary>
/// The neural-network entries: element-wise activations (one entry, the function named by the node and described in
/// <see cref="Activations"/>), softmax, and the losses with their gradients (described in <see cref="Losses"/>). The
/// Fusion passes fuse most of them (GEMM epilogues, softmax with cross-entropy); what is left runs as its own kernel.
/// </summary>
internal static class NeuralOps
{
    public static IEnumerable<OpDef> All
    {
        get
        {
            yield return new OpDef(OpKind.Activation)
            {
                // Element-wise activations: dX = dY ⊙ act'(saved), the derivative written through the saved output Y —
                // or through the input X for gelu, whose output does not determine its input.
                Gradient = (g, n, dy) =>
                {
                    int saved = Activations.Of(n.Activation).DerivativeFromInput ? n.Inputs[0] : n.Id;
                    g.Accumulate(n.Inputs[0], g.Gradient(OpKind.ActivationGrad, n.Shape, n.Scope, dy, saved, of: n.Inputs[0], activation: n.Activation));
                },
                Math = (n, input) => $"{Activations.Of(n.Activation).Keras}({input(0)})",
                Onnx = (n, o) =>
                {
                    var activation = Activations.Of(n.Activation);
                    if (activation.Onnx is { } form) form(o);
                    else o.Refuse($"the activation {activation.Keras} has no element-wise ONNX form");
                },
            };
            yield return new OpDef(OpKind.ActivationGrad) { Math = (n, input) => $"{input(0)} ⊙ {Activations.Of(n.Activation).Keras}'({input(1)})" };
            // Y = softmax(X) per row: dX = Y ⊙ (dY − Σ_j dY⊙Y).
            yield return new OpDef(OpKind.Softmax)
            {
                Spelling = "Softmax",
                Rows = RowRule.Softmax,
                Lower = (ir, x, s) => ir.Softmax(x[0], s.Name, s.Statement),
                Gradient = (g, n, dy) => g.Accumulate(n.Inputs[0], g.Gradient(OpKind.SoftmaxGrad, n.Shape, n.Scope, dy, n.Id, of: n.Inputs[0])),
                Math = (n, input) => $"softmax({input(0)})",
                // Opset 13 on: over the one axis named, as GraphGen's softmax over the last.
                Onnx = (n, o) => o.Same("Softmax", OnnxSpelling.Int("axis", -1)),
            };
            yield return new OpDef(OpKind.SoftmaxGrad)
            {
                Math = (n, input) => $"{input(1)} ⊙ ({input(0)} − Σ {input(0)}⊙{input(1)})",
                Cpu = (t, c) => new[] { $"{Cpu}Kernels.SoftmaxBackward({c.In(0)}, {c.In(1)}, {c.Out}, {c.Rows(c.OutShape)}, {c.Dim(c.OutShape.Last)});" },
            };
            foreach (var loss in Losses.All)
            {
                var gradient = loss.GradientOp;
                // L = loss(P, T): its rule folds d loss / d loss = 1 in; the targets get no gradient.
                yield return new OpDef(loss.Op)
                {
                    Rows = RowRule.Loss,
                    Gradient = (g, n, _) => g.Accumulate(n.Inputs[0],
                        g.Gradient(gradient, g.Node(n.Inputs[0]).Shape, n.Scope, n.Inputs[0], n.Inputs[1], of: n.Inputs[0])),
                    Math = (n, input) => $"{loss.Math}({input(0)}, {input(1)})",
                };
                yield return new OpDef(gradient) { Rows = RowRule.Loss, Math = (n, input) => $"{loss.GradientMath}" };
            }
        }
    }
}
