using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Model;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Graph stage for layer models: walks the sample's shape through the layers (<see cref="LayerRules"/>), lowers each
/// (a Dense layer to MatMul → BiasAdd → activation, …), appends the loss, and checks what only the whole stack can
/// tell (softmax placement, loss against output, images where rows are needed, sizes that overflow).
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
        // A non-positive input dimension is the parser's to report; the shapes below would only repeat it.
        int[]? sample = spec.InputShape.All(d => d > 0) ? spec.InputShape.ToArray() : null;
        string previous = "the input";
        for (int i = 0; i < spec.Layers.Count && sample is not null; i++)
        {
            var layer = spec.Layers[i];
            sample = LayerRules.Check(layer, sample, previous, i == spec.Layers.Count - 1, diagnostics);
            previous = layer.LayerName;
        }
        var output = spec.Layers[spec.Layers.Count - 1];
        if (sample is { Length: not 1 })
            diagnostics.Add(DiagnosticInfo.Create(OutputIsImage, output.Site, output.LayerName, LayerRules.ShapeText(sample)));
        var applied = LayerRules.Applied(output);
        LossCheck.Check(spec, applied, logitsMustBeLinear: true, LossCheck.Dense, spec.LossSite, output.LayerName, applied.ToString(), diagnostics);
    }

    private static ModelGraph Lower(ModelSpec spec)
    {
        var ir = new IrBuilder();
        var parameters = new List<ParameterInfo>();
        var layers = new List<LayerInfo>();
        var shape = Shape.Of(new[] { Shape.Batch }.Concat(spec.InputShape).ToArray());
        int input = ir.Leaf(OpKind.Input, shape, "x", "input");
        int current = input;
        foreach (var layer in spec.Layers)
        {
            var (output, info) = LayerRules.Lower(ir, layer, current, layers.Count, parameters);
            layers.Add(info);
            current = output;
        }
        var model = new ModelInfo(spec.Type, spec.InputWidth, ir[current].Shape.Last, spec.Loss, spec.FromLogits, EquatableArray.From(layers),
            InputShape: spec.InputShape.Count > 1 ? spec.InputShape : default);
        return Finish(ir, model, input, current, spec.Layers[spec.Layers.Count - 1].LayerName, parameters);
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
