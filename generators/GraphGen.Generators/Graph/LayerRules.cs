using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GraphGen.Generators.Model;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Each kind of layer's shape rule and lowering. <see cref="Check"/> walks a sample's shape through one layer
/// ((features), or (height, width, channels) for images) and reports what does not fit at the attribute;
/// <see cref="Lower"/> makes the layer's IR nodes with the same <see cref="IrBuilder"/> calls a [Forward] body makes.
/// </summary>
internal static class LayerRules
{
    /// <summary>The sample shape after <paramref name="layer"/>, or null where the stack stops fitting (reported).</summary>
    public static int[]? Check(LayerSpec layer, int[] input, string inputName, bool last, List<DiagnosticInfo> diagnostics)
    {
        switch (layer)
        {
            case DenseLayerSpec dense:
                CheckActivation(dense.Activation, dense.ActivationSite, dense.LayerName, last, dense.Units, diagnostics);
                if (input.Length != 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DenseOnImage, dense.Site, dense.LayerName, ShapeText(input), inputName));
                    return null;
                }
                if ((long)input[0] * dense.Units > Shape.MaxArrayLength)
                    diagnostics.Add(DiagnosticInfo.Create(LayerTooLarge, dense.Site, dense.LayerName, input[0].ToString(), dense.Units.ToString(), ((long)input[0] * dense.Units).ToString()));
                return new[] { dense.Units };
            case Conv2DLayerSpec conv:
                CheckActivation(conv.Activation, conv.ActivationSite, conv.LayerName, last, units: 2, diagnostics);
                if (!IsImage(layer, input, inputName, diagnostics)) return null;
                if (conv.Strides <= 0 || !Fits(conv.LayerName, conv.KernelSize, conv.Padding, input, conv.KernelSite, diagnostics)) return null;
                return new[] { Window.Output(input[0], conv.KernelSize, conv.Strides, conv.Padding), Window.Output(input[1], conv.KernelSize, conv.Strides, conv.Padding), conv.Filters };
            case MaxPooling2DLayerSpec pool:
                if (!IsImage(layer, input, inputName, diagnostics)) return null;
                if (pool.Strides <= 0 || !Fits(pool.LayerName, pool.PoolSize, PaddingKind.Valid, input, pool.PoolSite, diagnostics)) return null;
                return new[] { Window.Output(input[0], pool.PoolSize, pool.Strides, PaddingKind.Valid), Window.Output(input[1], pool.PoolSize, pool.Strides, PaddingKind.Valid), input[2] };
            case FlattenLayerSpec:
                return new[] { input.Aggregate(1, (p, d) => p * d) };
            case DropoutLayerSpec or BatchNormalizationLayerSpec:
                return input; // any shape; batch normalisation per channel, the last axis
            default:
                throw new NotSupportedException($"No shape rule for {layer.Kind} layers.");
        }
    }

    /// <summary>What the layer applies last (for the loss check): its activation, linear for a layer without one.</summary>
    public static ActivationKind Applied(LayerSpec layer) => layer switch
    {
        DenseLayerSpec d => d.Activation,
        Conv2DLayerSpec c => c.Activation,
        _ => ActivationKind.Linear,
    };

    /// <summary>Where a layer's activation is written (the attribute when it has none).</summary>
    public static Site? ActivationSite(LayerSpec layer) => layer switch
    {
        DenseLayerSpec d => d.ActivationSite,
        Conv2DLayerSpec c => c.ActivationSite,
        _ => layer.Site,
    };

    /// <summary>
    /// Adds the layer's nodes after <paramref name="current"/>, its parameters to <paramref name="parameters"/> (as
    /// member <paramref name="member"/>), and returns its output node and what the generated class exposes of it.
    /// </summary>
    public static (int Output, LayerInfo Info) Lower(IrBuilder ir, LayerSpec layer, int current, int member, List<ParameterInfo> parameters)
    {
        string name = layer.LayerName;
        var input = ir[current].Shape;
        switch (layer)
        {
            case DenseLayerSpec dense:
            {
                int width = input.Last;
                int w = Parameter(ir, parameters, member, Shape.Of(width, dense.Units), name, ParameterPart.Weight);
                int b = Parameter(ir, parameters, member, Shape.Of(dense.Units), name, ParameterPart.Bias);
                // The same calls a [Forward] body makes for Op.Relu(Op.MatMul(x, W) + b).
                int product = ir.MatMul(current, w, name + "_xw", name);
                int preActivation = ir.Binary(OpKind.Add, product, b, name + "_z", name, "Operator +");
                var info = new LayerInfo(dense.PropertyName, dense.Modifiers, name, "DenseLayer", "DenseLayer", Numbers(width, dense.Units),
                    $"Dense({width} → {dense.Units}, {Lower(dense.Activation)})", $"weight ({width}, {dense.Units}), bias ({dense.Units})",
                    (long)width * dense.Units + dense.Units, dense.WeightInitializer, dense.BiasInitializer);
                return (Activate(ir, dense.Activation, preActivation, name), info);
            }
            case Conv2DLayerSpec conv:
            {
                int channels = input.Dims[3];
                int w = Parameter(ir, parameters, member, Shape.Of(conv.KernelSize, conv.KernelSize, channels, conv.Filters), name, ParameterPart.Weight);
                int b = Parameter(ir, parameters, member, Shape.Of(conv.Filters), name, ParameterPart.Bias);
                int product = ir.Conv2D(current, w, conv.Strides, conv.Padding, name + "_conv", name);
                int preActivation = ir.ChannelBias(product, b, name + "_z", name);
                var output = ir[preActivation].Shape;
                var info = new LayerInfo(conv.PropertyName, conv.Modifiers, name, "Conv2DLayer", "Conv2DLayer", Numbers(conv.KernelSize, conv.KernelSize, channels, conv.Filters),
                    $"Conv2D({conv.Filters} filters, {conv.KernelSize}×{conv.KernelSize}, stride {conv.Strides}, {conv.Padding.ToString().ToLowerInvariant()} padding, "
                    + $"{Lower(conv.Activation)}: {input} → {output})",
                    $"weight ({conv.KernelSize}, {conv.KernelSize}, {channels}, {conv.Filters}), bias ({conv.Filters})",
                    (long)conv.KernelSize * conv.KernelSize * channels * conv.Filters + conv.Filters, conv.WeightInitializer, conv.BiasInitializer);
                return (Activate(ir, conv.Activation, preActivation, name), info);
            }
            case MaxPooling2DLayerSpec pool:
            {
                int output = ir.MaxPool2D(current, pool.PoolSize, pool.Strides, name + "_pool", name);
                return (output, Shapeless(pool, "MaxPooling2D", $"MaxPooling2D({pool.PoolSize}×{pool.PoolSize}, stride {pool.Strides}: {input} → {ir[output].Shape})"));
            }
            case FlattenLayerSpec flatten:
            {
                int output = ir.Reshape(current, new[] { -1, (int)input.ElementsPerBatch }, name + "_flat", name);
                return (output, Shapeless(flatten, "Flatten", $"Flatten({input} → (B, {input.ElementsPerBatch}))"));
            }
            case DropoutLayerSpec or BatchNormalizationLayerSpec:
                return RegularizationLayers.Lower(ir, layer, current, member, parameters);
            default:
                throw new NotSupportedException($"No lowering for {layer.Kind} layers.");
        }
    }

    private static int Activate(IrBuilder ir, ActivationKind activation, int preActivation, string name) => activation switch
    {
        ActivationKind.Linear => preActivation,
        ActivationKind.Softmax => ir.Softmax(preActivation, name + "_probs", name),
        _ => ir.Activation(activation, preActivation, name + "_out", name),
    };

    private static int Parameter(IrBuilder ir, List<ParameterInfo> parameters, int member, Shape shape, string layer, ParameterPart part)
    {
        string name = layer + (part == ParameterPart.Weight ? ".weight" : ".bias");
        int node = ir.Leaf(OpKind.Parameter, shape, name, layer);
        parameters.Add(new ParameterInfo(node, name, member, part));
        return node;
    }

    internal static LayerInfo Shapeless(LayerSpec layer, string kind, string description)
        => new(layer.PropertyName, layer.Modifiers, layer.LayerName, "Layer", "ParameterlessLayer", EquatableArray.Of("\"" + kind + "\""),
            description, "no parameters", 0, null, null);

    private static void CheckActivation(ActivationKind activation, Site? site, string layer, bool last, int units, List<DiagnosticInfo> diagnostics)
    {
        if (activation == ActivationKind.Softmax && !last) diagnostics.Add(DiagnosticInfo.Create(SoftmaxNotLast, site, layer));
        if (activation == ActivationKind.Softmax && units == 1) diagnostics.Add(DiagnosticInfo.Create(SoftmaxOverOneUnit, site, layer));
    }

    private static bool IsImage(LayerSpec layer, int[] input, string inputName, List<DiagnosticInfo> diagnostics)
    {
        if (input.Length == 3) return true;
        diagnostics.Add(DiagnosticInfo.Create(LayerNeedsImage, layer.Site, layer.Kind, layer.LayerName, inputName, ShapeText(input)));
        return false;
    }

    private static bool Fits(string layer, int window, PaddingKind padding, int[] input, Site? site, List<DiagnosticInfo> diagnostics)
    {
        if (window <= 0) return false; // reported by the parser (as a stride of 0 is)
        if (padding == PaddingKind.Same || (window <= input[0] && window <= input[1])) return true;
        diagnostics.Add(DiagnosticInfo.Create(WindowLargerThanInput, site, layer, window.ToString(), input[0].ToString(), input[1].ToString()));
        return false;
    }

    internal static string ShapeText(IEnumerable<int> sample) => "(" + string.Join(", ", sample) + ")";

    private static EquatableArray<string> Numbers(params int[] values) => EquatableArray.From(values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    private static string Lower(ActivationKind activation) => activation.ToString().ToLowerInvariant();
}
