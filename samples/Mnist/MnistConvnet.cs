using GraphGen;

namespace Mnist;

/// <summary>
/// A small convnet (Deep Learning with Python, chapter 8, without its third convolution): Conv 32 3×3 relu → MaxPool 2
/// → Conv 64 3×3 relu → MaxPool 2 → Flatten → Dense 10 softmax, on 28×28×1 images (34,826 weights).
/// </summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28, 28, 1)]
public sealed partial class MnistConvnet
{
    [Conv2D(32, 3, Activation.Relu)] public partial Conv2DLayer Conv1 { get; }
    [MaxPooling2D(2)] public partial Layer Pool1 { get; }
    [Conv2D(64, 3, Activation.Relu)] public partial Conv2DLayer Conv2 { get; }
    [MaxPooling2D(2)] public partial Layer Pool2 { get; }
    [Flatten] public partial Layer Flatten { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
