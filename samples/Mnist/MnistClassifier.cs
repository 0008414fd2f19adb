using GraphGen;

namespace Mnist;

/// <summary>Chapter 2 of Deep Learning with Python: 784 → Dense 512 relu → Dense 10 softmax.</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class MnistClassifier
{
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
