namespace GraphGen.Tests.Models;

// [Forward] models with dropout and batch normalisation, compiled by the generator as part of this test project.

/// <summary>Dense 6 → 7, batch-normalised, relu, dropout 0.3, then Dense 7 → 3 softmax: training and inference differ.</summary>
[Model]
public sealed partial class DropoutBatchNormNet
{
    [Parameter(6, 7)] public partial Parameter W1 { get; }
    [Parameter(7)] public partial Parameter B1 { get; }
    [Parameter(7, Init = "ones")] public partial Parameter Gamma { get; }
    [Parameter(7)] public partial Parameter Beta { get; }
    [Parameter(7, Trainable = false)] public partial Parameter MovingMean { get; }
    [Parameter(7, Trainable = false, Init = "ones")] public partial Parameter MovingVariance { get; }
    [Parameter(7, 3)] public partial Parameter W2 { get; }
    [Parameter(3)] public partial Parameter B2 { get; }

    [Forward]
    public Tensor Call([Shape(6)] Tensor x)
    {
        var h = Op.MatMul(x, W1) + B1;
        var normal = Op.Relu(Op.BatchNormalization(h, Gamma, Beta, MovingMean, MovingVariance, momentum: 0.9f));
        var dropped = Op.Dropout(normal, 0.3f);
        return Op.Softmax(Op.MatMul(dropped, W2) + B2);
    }
}

/// <summary>
/// Batch normalisation of NHWC images (B, 8, 8, 16) per channel over B, H and W, straight on the input (no input
/// gradient), dropout, then a linear regression: big enough at batch 32 for both kernels to run on every core.
/// </summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class ImageBatchNormNet
{
    [Parameter(16, Init = "ones")] public partial Parameter Gamma { get; }
    [Parameter(16)] public partial Parameter Beta { get; }
    [Parameter(16, Trainable = false)] public partial Parameter MovingMean { get; }
    [Parameter(16, Trainable = false, Init = "ones")] public partial Parameter MovingVariance { get; }
    [Parameter(1024, 2)] public partial Parameter W { get; }
    [Parameter(2)] public partial Parameter B { get; }

    [Forward]
    public Tensor Call([Shape(8, 8, 16)] Tensor image)
    {
        var normal = Op.BatchNormalization(image, Gamma, Beta, MovingMean, MovingVariance, momentum: 0.5f, epsilon: 0.01f);
        return Op.MatMul(Op.Reshape(Op.Dropout(normal, 0.25f), -1, 1024), W) + B;
    }
}
