namespace GraphGen.Tests.Models;

/// <summary>A small convnet for MNIST: conv 8 3×3 relu → max-pool 2 → flatten → dense 10 softmax (13,610 weights).</summary>
[Model][Input(28, 28, 1)]
public partial class SmallCnn
{
    [Conv2D(8, 3, Activation.Relu)] public partial Conv2DLayer Conv1 { get; }
    [MaxPooling2D(2)] public partial Layer Pool1 { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Out { get; }
}

/// <summary>Every window case on ragged images: a 5×5 same-padded stride-2 conv over 3 channels, a 1×1 conv, an overlapping 3×3 pool at stride 2.</summary>
[Model(Loss = Loss.MeanSquaredError)][Input(9, 7, 3)]
public partial class OddCnn
{
    [Conv2D(4, 5, Activation.Tanh, Strides = 2, Padding = Padding.Same)] public partial Conv2DLayer Wide { get; }
    [Conv2D(3, 1)] public partial Conv2DLayer Point { get; }
    [MaxPooling2D(3, Strides = 2)] public partial Layer Pool { get; }
    [Flatten] public partial Layer Flat { get; }
    [Dense(2)] public partial DenseLayer Out { get; }
}
