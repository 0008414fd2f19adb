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

// One model per loss beyond the two above, with the newer activations in their hidden layers.

[Model(Loss = Loss.BinaryCrossentropy, FromLogits = true)][Input(7)]
public sealed partial class BinaryFromLogitsNet
{
    [Dense(11, Activation.Gelu)] public partial DenseLayer Hidden { get; }
    [Dense(3)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.BinaryCrossentropy)][Input(7)]
public sealed partial class BinarySigmoidNet
{
    [Dense(11, Activation.Elu)] public partial DenseLayer Hidden { get; }
    [Dense(2, Activation.Sigmoid)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.CategoricalCrossentropy)][Input(7)]
public sealed partial class OneHotNet
{
    [Dense(11, Activation.LeakyRelu)] public partial DenseLayer Hidden { get; }
    [Dense(4, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.CategoricalCrossentropy, FromLogits = true)][Input(7)]
public sealed partial class OneHotFromLogitsNet
{
    [Dense(11, Activation.Softplus)] public partial DenseLayer Hidden { get; }
    [Dense(4)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.SparseCategoricalCrossentropy, FromLogits = true)][Input(7)]
public sealed partial class SparseFromLogitsNet
{
    [Dense(11, Activation.Tanh)] public partial DenseLayer Hidden { get; }
    [Dense(5)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.MeanAbsoluteError)][Input(7)]
public sealed partial class MaeRegressor
{
    [Dense(11, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(2, Activation.Sigmoid)] public partial DenseLayer Output { get; }
}
