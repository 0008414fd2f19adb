using System.Collections.Generic;
using System.Globalization;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Graph;

/// <summary>
/// The lowering of the <c>[Dropout]</c> and <c>[BatchNormalization]</c> layers: the same <see cref="IrBuilder"/> calls
/// as <c>Op.Dropout</c> and <c>Op.BatchNormalization</c> in a [Forward] body, with the batch normalisation's tensors
/// under Keras's names (<c>{layer}.gamma</c>, <c>.beta</c>, <c>.moving_mean</c>, <c>.moving_variance</c>).
/// </summary>
internal static class RegularizationLayers
{
    public static (int Output, LayerInfo Info) Lower(IrBuilder ir, LayerSpec layer, int current, int member, List<ParameterInfo> parameters)
    {
        string name = layer.LayerName;
        var input = ir[current].Shape;
        if (layer is DropoutLayerSpec dropout)
            return (ir.Dropout(current, dropout.Rate, name + "_dropped", name),
                LayerRules.Shapeless(layer, "Dropout", $"Dropout({Number(dropout.Rate)}) of {input}, in training only"));

        var norm = (BatchNormalizationLayerSpec)layer;
        int channels = input.Last;
        int Tensor(string suffix, ParameterPart part, bool trainable)
        {
            int node = ir.Leaf(OpKind.Parameter, Shape.Of(channels), name + "." + suffix, name);
            parameters.Add(new ParameterInfo(node, name + "." + suffix, member, part) { Trainable = trainable });
            return node;
        }
        int gamma = Tensor("gamma", ParameterPart.Gamma, true), beta = Tensor("beta", ParameterPart.Beta, true);
        int mean = Tensor("moving_mean", ParameterPart.MovingMean, false), variance = Tensor("moving_variance", ParameterPart.MovingVariance, false);
        int output = ir.BatchNormalization(current, gamma, beta, mean, variance, norm.Momentum, norm.Epsilon, name + "_normal", name);
        var info = new LayerInfo(norm.PropertyName, norm.Modifiers, name, "BatchNormalizationLayer", "BatchNormalizationLayer",
            EquatableArray.Of(channels.ToString(CultureInfo.InvariantCulture)),
            $"BatchNormalization of {input} over its {channels} channels (momentum {Number(norm.Momentum)}, epsilon {Number(norm.Epsilon)})",
            $"gamma, beta ({channels}); moving_mean, moving_variance ({channels}), not trainable", 2L * channels, null, null);
        return (output, info);
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
