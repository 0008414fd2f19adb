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

/// <summary>The same classifier with Dropout(0.2) after the hidden layer (<c>--dropout 0.2</c>).</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class MnistClassifierDropout20
{
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dropout(0.2)] public partial Layer Dropout { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}

/// <summary>The same classifier with Dropout(0.5) after the hidden layer (<c>--dropout 0.5</c>).</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class MnistClassifierDropout50
{
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dropout(0.5)] public partial Layer Dropout { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
