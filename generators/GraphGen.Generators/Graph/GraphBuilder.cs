using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Model;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Graph stage for Dense models: lowers each layer to MatMul → BiasAdd → activation, appends the loss, and
/// checks what only the whole stack can tell (softmax placement, loss against output, sizes that overflow).
/// </summary>
internal static class GraphBuilder
{
    public static StageResult<ModelGraph> Build(StageResult<ModelSpec> parsed, CancellationToken cancellationToken)
    {
        if (parsed.Value is not { } spec) return parsed.With<ModelGraph>(null);
        return Stage.Run("graph", parsed.Model, parsed.Site, parsed.Diagnostics, diagnostics =>
        {
            if (spec.Forward is { } forward) return ForwardGraphBuilder.Lower(spec, forward, diagnostics);
            Check(spec, diagnostics);
            return DiagnosticInfo.AnyErrors(diagnostics) ? null : Lower(spec);
        });
    }

    private static void Check(ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        int inputs = spec.InputWidth;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            bool last = i == spec.Layers.Count - 1;
            if (layer.Activation == ActivationKind.Softmax && !last)
                diagnostics.Add(DiagnosticInfo.Create(SoftmaxNotLast, layer.ActivationSite, layer.LayerName));
            if (layer.Activation == ActivationKind.Softmax && layer.Units == 1)
                diagnostics.Add(DiagnosticInfo.Create(SoftmaxOverOneUnit, layer.ActivationSite, layer.LayerName));
            if ((long)inputs * layer.Units > Shape.MaxArrayLength)
                diagnostics.Add(DiagnosticInfo.Create(LayerTooLarge, layer.Site, layer.LayerName, inputs.ToString(), layer.Units.ToString(), ((long)inputs * layer.Units).ToString()));
            inputs = layer.Units;
        }

        var output = spec.Layers[spec.Layers.Count - 1];
        LossCheck.Check(spec, output.Activation, logitsMustBeLinear: true, LossCheck.Dense, spec.LossSite, output.LayerName, output.Activation.ToString(), diagnostics);
    }

    private static ModelGraph Lower(ModelSpec spec)
    {
        var ir = new IrBuilder();
        var parameters = new List<ParameterInfo>();
        var layers = new List<LayerInfo>();
        int input = ir.Leaf(OpKind.Input, Shape.Rows(spec.InputWidth), "x", "input");
        int current = input, width = spec.InputWidth;
        foreach (var layer in spec.Layers)
        {
            string name = layer.LayerName;
            layers.Add(new LayerInfo(layer.PropertyName, layer.Modifiers, name, width, layer.Units, layer.Activation, layer.WeightInitializer, layer.BiasInitializer));
            int w = ir.Leaf(OpKind.Parameter, Shape.Of(width, layer.Units), name + ".weight", name);
            int b = ir.Leaf(OpKind.Parameter, Shape.Of(layer.Units), name + ".bias", name);
            parameters.Add(new ParameterInfo(w, name + ".weight", layers.Count - 1, ParameterPart.Weight));
            parameters.Add(new ParameterInfo(b, name + ".bias", layers.Count - 1, ParameterPart.Bias));

            // The same calls a [Forward] body makes for Op.Relu(Op.MatMul(x, W) + b).
            int product = ir.MatMul(current, w, name + "_xw", name);
            int preActivation = ir.Binary(OpKind.Add, product, b, name + "_z", name, "Operator +");
            current = layer.Activation switch
            {
                ActivationKind.Linear => preActivation,
                ActivationKind.Softmax => ir.Softmax(preActivation, name + "_probs", name),
                var activation => ir.Activation(activation, preActivation, name + "_out", name),
            };
            width = layer.Units;
        }
        var info = new ModelInfo(spec.Type, spec.InputWidth, width, spec.Loss, spec.FromLogits, EquatableArray.From(layers));
        return Finish(ir, info, input, current, spec.Layers[spec.Layers.Count - 1].LayerName, parameters);
    }

    /// <summary>
    /// Appends the targets and the loss after the model output and prunes what nothing reads. With FromLogits the
    /// model outputs logits; the probabilities the loss reads come after the output, so Predict skips them and
    /// training fuses them with the loss just the same.
    /// </summary>
    internal static ModelGraph Finish(IrBuilder ir, ModelInfo info, int input, int output, string lastLayer, List<ParameterInfo> parameters)
    {
        var lossDef = Ops.Losses.Of(info.Loss);
        int probabilities = output;
        if (info.FromLogits && lossDef.Probabilities == ActivationKind.Softmax)
            probabilities = ir.Softmax(output, lastLayer + "_probs", lastLayer);
        else if (info.FromLogits && lossDef.Probabilities is { } activation)
            probabilities = ir.Activation(activation, output, lastLayer + "_probs", lastLayer);

        int target = lossDef.SparseLabels
            ? ir.Leaf(OpKind.Target, Shape.Of(Shape.Batch), "labels", "loss")
            : ir.Leaf(OpKind.Target, Shape.Rows(info.OutputWidth), "targets", "loss");
        int loss = ir.Loss(lossDef.Op, probabilities, target);
        var (nodes, map) = ir.Prune(output, loss);
        return new ModelGraph(info, EquatableArray.From(nodes), map(output), map(loss),
            EquatableArray.From(parameters.Select(p => p with { Node = map(p.Node) })));
    }
}
