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
    private const long MaxArrayLength = 0x7FFFFFC7;

    public static StageResult<ModelGraph> Build(StageResult<ModelSpec> parsed, CancellationToken cancellationToken)
    {
        if (parsed.Value is not { } spec) return parsed.With<ModelGraph>(null);
        var diagnostics = parsed.Diagnostics.ToList();
        try
        {
            Check(spec, diagnostics);
            bool failed = diagnostics.Any(d => ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            return parsed.With(failed ? null : Lower(spec), diagnostics);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(InternalError, spec.Location, spec.Type.Name, "graph", e.Message));
            return parsed.With<ModelGraph>(null, diagnostics);
        }
    }

    private static void Check(ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        int inputs = spec.InputWidth;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            bool last = i == spec.Layers.Count - 1;
            if (layer.Activation == ActivationKind.Softmax && !last)
                diagnostics.Add(DiagnosticInfo.Create(SoftmaxNotLast, layer.ActivationLocation, layer.LayerName));
            if (layer.Activation == ActivationKind.Softmax && layer.Units == 1)
                diagnostics.Add(DiagnosticInfo.Create(SoftmaxOverOneUnit, layer.ActivationLocation, layer.LayerName));
            if ((long)inputs * layer.Units > MaxArrayLength)
                diagnostics.Add(DiagnosticInfo.Create(LayerTooLarge, layer.Location, layer.LayerName, inputs.ToString(), layer.Units.ToString(), ((long)inputs * layer.Units).ToString()));
            inputs = layer.Units;
        }

        var output = spec.Layers[spec.Layers.Count - 1];
        bool crossEntropy = spec.Loss is LossKind.SparseCategoricalCrossentropy or LossKind.CategoricalCrossentropy or LossKind.BinaryCrossentropy;
        if (!crossEntropy)
        {
            if (spec.FromLogits) diagnostics.Add(DiagnosticInfo.Create(FromLogitsIgnored, spec.FromLogitsLocation, spec.Loss.ToString()));
            if (output.Activation == ActivationKind.Softmax)
                diagnostics.Add(DiagnosticInfo.Create(LossDoesNotFitOutput, spec.LossLocation, spec.Loss.ToString(),
                    "an element-wise activation (linear for unbounded targets)", output.LayerName, output.Activation.ToString()));
            return;
        }
        var probabilities = spec.Loss == LossKind.BinaryCrossentropy ? ActivationKind.Sigmoid : ActivationKind.Softmax;
        var needed = spec.FromLogits ? ActivationKind.Linear : probabilities;
        if (output.Activation != needed)
        {
            string wanted = spec.FromLogits
                ? $"a linear output (FromLogits = true: the model outputs logits and the loss applies {probabilities.ToString().ToLowerInvariant()})"
                : $"a {probabilities.ToString().ToLowerInvariant()} output (or a linear one with FromLogits = true)";
            diagnostics.Add(DiagnosticInfo.Create(LossDoesNotFitOutput, spec.LossLocation, spec.Loss.ToString(), wanted, output.LayerName, output.Activation.ToString()));
        }
    }

    private static ModelGraph Lower(ModelSpec spec)
    {
        var nodes = new List<Node>();
        var parameters = new List<ParameterInfo>();
        var layers = new List<LayerInfo>();
        int Add(OpKind op, Shape shape, string name, string layer, params int[] inputs)
        {
            nodes.Add(new Node(nodes.Count, op, EquatableArray.Of(inputs), shape, name, layer));
            return nodes.Count - 1;
        }

        int input = Add(OpKind.Input, Shape.Rows(spec.InputWidth), "x", "input");
        int current = input, width = spec.InputWidth;
        foreach (var layer in spec.Layers)
        {
            string name = layer.LayerName, field = "_" + char.ToLowerInvariant(layer.PropertyName[0]) + layer.PropertyName.Substring(1);
            layers.Add(new LayerInfo(layer.PropertyName, layer.Modifiers, name, field, width, layer.Units, layer.Activation, layer.WeightInitializer, layer.BiasInitializer));
            int w = Add(OpKind.Parameter, Shape.Of(width, layer.Units), name + ".weight", name);
            int b = Add(OpKind.Parameter, Shape.Of(layer.Units), name + ".bias", name);
            parameters.Add(new ParameterInfo(w, name + ".weight", field + ".Weight", width, layer.Units, IsBias: false));
            parameters.Add(new ParameterInfo(b, name + ".bias", field + ".Bias", width, layer.Units, IsBias: true));

            int product = Add(OpKind.MatMul, Shape.Rows(layer.Units), name + "_xw", name, current, w);
            int preActivation = Add(OpKind.BiasAdd, Shape.Rows(layer.Units), name + "_z", name, product, b);
            current = layer.Activation switch
            {
                ActivationKind.Linear => preActivation,
                ActivationKind.Softmax => Add(OpKind.Softmax, Shape.Rows(layer.Units), name + "_probs", name, preActivation),
                var activation => ActivationNode(activation, name + "_out", name, preActivation),
            };
            width = layer.Units;
        }
        int output = current;
        string lastLayer = spec.Layers[spec.Layers.Count - 1].LayerName;

        // With FromLogits the model outputs logits; the probabilities the loss reads come after the output, so
        // Predict skips them and training fuses them with the loss just the same.
        int probabilities = output;
        if (spec.FromLogits && spec.Loss is LossKind.SparseCategoricalCrossentropy or LossKind.CategoricalCrossentropy)
            probabilities = Add(OpKind.Softmax, Shape.Rows(width), lastLayer + "_probs", lastLayer, output);
        else if (spec.FromLogits && spec.Loss == LossKind.BinaryCrossentropy)
            probabilities = ActivationNode(ActivationKind.Sigmoid, lastLayer + "_probs", lastLayer, output);

        int target = spec.Loss == LossKind.SparseCategoricalCrossentropy
            ? Add(OpKind.Target, Shape.Of(Shape.Batch), "labels", "loss")
            : Add(OpKind.Target, Shape.Rows(width), "targets", "loss");
        var lossOp = spec.Loss switch
        {
            LossKind.SparseCategoricalCrossentropy => OpKind.SparseCategoricalCrossentropy,
            LossKind.CategoricalCrossentropy => OpKind.CategoricalCrossentropy,
            LossKind.BinaryCrossentropy => OpKind.BinaryCrossentropy,
            LossKind.MeanAbsoluteError => OpKind.MeanAbsoluteError,
            _ => OpKind.MeanSquaredError,
        };
        int loss = Add(lossOp, Shape.Scalar, "loss", "loss", probabilities, target);

        var info = new ModelInfo(spec.Type, spec.InputWidth, width, spec.Loss, spec.FromLogits, EquatableArray.From(layers));
        return new ModelGraph(info, EquatableArray.From(nodes), input, target, output, loss, EquatableArray.From(parameters));

        int ActivationNode(ActivationKind activation, string name, string layer, int source)
        {
            nodes.Add(new Node(nodes.Count, OpKind.Activation, EquatableArray.Of(source), nodes[source].Shape, name, layer, Activation: activation));
            return nodes.Count - 1;
        }
    }
}
