namespace GraphGen.Tests.Models;

// Small models the generator compiles as part of this test project; their generated code is checked against
// ReferenceMlp. One per hidden activation, one regression, one three-layer stack, and the reference model.

[Model][Input(6)]
public sealed partial class ReluClassifier
{
    [Dense(20, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(3, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model][Input(6)]
public sealed partial class TanhClassifier
{
    [Dense(20, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(3, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model][Input(6)]
public sealed partial class SigmoidClassifier
{
    [Dense(20, Activation.Sigmoid)] public partial DenseLayer Hidden { get; }
    [Dense(3, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model][Input(6)]
public sealed partial class LinearClassifier
{
    [Dense(20)] public partial DenseLayer Hidden { get; }
    [Dense(3, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.MeanSquaredError)][Input(5)]
public sealed partial class Regressor
{
    [Dense(17, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(2)] public partial DenseLayer Output { get; }
}

[Model][Input(40)]
public sealed partial class ThreeLayerClassifier
{
    [Dense(37, Activation.Tanh)] public partial DenseLayer First { get; }
    [Dense(19, Activation.Sigmoid)] public partial DenseLayer Second { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model][Input(28 * 28)]
public sealed partial class MnistReference
{
    [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
