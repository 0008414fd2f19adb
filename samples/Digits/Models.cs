using GraphGen;

namespace Digits;

/// <summary>The seed notebook's hand-written tanh MLP on the 8×8 digits: 64 → 100 tanh → 50 tanh → 10 softmax, normal init.</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(64)]
public sealed partial class DigitsMlp
{
    [Dense(100, Activation.Tanh, WeightInitializer = "normal:0:0.1")] public partial DenseLayer Hidden1 { get; }
    [Dense(50, Activation.Tanh, WeightInitializer = "normal:0:0.1")] public partial DenseLayer Hidden2 { get; }
    [Dense(10, Activation.Softmax, WeightInitializer = "normal:0:0.1")] public partial DenseLayer Output { get; }
}

/// <summary>The single-layer perceptron: 64 pixels → 10 softmax.</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(64)]
public sealed partial class DigitsPerceptron
{
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
