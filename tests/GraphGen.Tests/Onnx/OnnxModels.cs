namespace GraphGen.Tests.Models;

/// <summary>
/// The ops and activations no other test model writes in a [Forward] body — |x|, max/min broadcasting, max over an
/// axis and over everything, a sum over everything, negation, the activations as Op calls, a product read transposed
/// on both sides — so the ONNX export of each is run against Predict.
/// </summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class OnnxExtremesNet
{
    [Parameter(5, 6, Init = "uniform:-0.8:0.8")] public partial Parameter W { get; }
    [Parameter(6, Init = "uniform:-0.3:0.3")] public partial Parameter Floor { get; }
    [Parameter(3, 6, Init = "uniform:-0.8:0.8")] public partial Parameter V { get; }

    [Forward]
    public Tensor Call([Shape(5)] Tensor x)
    {
        var h = Op.MatMul(x, W);                                                    // (B, 6)
        var bounded = Op.Minimum(Op.Maximum(h, Floor), Floor + 0.9f) + Op.Abs(h) * 0.25f;   // broadcasting both ways
        var act = Op.Gelu(bounded) + Op.Elu(-bounded) + Op.LeakyRelu(h) + Op.Softplus(h) + Op.Sigmoid(h) + Op.Relu(h);
        var peak = Op.Reshape(Op.Max(act, 1), -1, 1);                               // (B, 1)
        var scale = Op.Max(Floor) + Op.Sum(Op.Square(Floor));                        // a scalar
        var both = Op.Transpose(Op.MatMul(V, Op.Transpose(act)));                   // (B, 3) through (3, B)
        return both / (peak + 2f) - Op.Negate(scale);
    }
}
