namespace GraphGen.Tests.Onnx;

/// <summary>
/// Same padding split unevenly, as TensorFlow splits it (the smaller half first): an even 4×4 kernel over 8×6 images
/// pads 1 before and 2 after each axis, a stride-2 3×3 kernel 0 before and 1 after; then batch normalisation and
/// dropout of the NHWC images in their Dense form, a pool and flatten — so ONNX's explicit pads are checked both ways.
/// </summary>
[Model(Loss = Loss.MeanSquaredError)][Input(8, 6, 2)]
public sealed partial class OnnxPaddingCnn
{
    [Conv2D(3, 4, Activation.Relu, Padding = Padding.Same)] public partial Conv2DLayer Even { get; }
    [BatchNormalization(Momentum = 0.5)] public partial BatchNormalizationLayer Norm { get; }
    [Conv2D(2, 3, Strides = 2, Padding = Padding.Same)] public partial Conv2DLayer Strided { get; }
    [Dropout(0.2)] public partial Layer Drop { get; }
    [MaxPooling2D(2)] public partial Layer Pool { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}
