using GraphGen;

namespace GraphGen.Bench;

// Chapter 2's reference model, and the same shape at other hidden widths for the scaling table.

[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class Reference512
{
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class Reference256
{
    [Dense(256, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class Reference1024
{
    [Dense(1024, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class Reference2048
{
    [Dense(2048, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}

/// <summary>The MNIST sample's convnet (samples/Mnist --model cnn), for Predict against ONNX Runtime on a convnet.</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28, 28, 1)]
public sealed partial class ReferenceConvnet
{
    [Conv2D(32, 3, Activation.Relu)] public partial Conv2DLayer Conv1 { get; }
    [MaxPooling2D(2)] public partial Layer Pool1 { get; }
    [Conv2D(64, 3, Activation.Relu)] public partial Conv2DLayer Conv2 { get; }
    [MaxPooling2D(2)] public partial Layer Pool2 { get; }
    [Flatten] public partial Layer Flatten { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
