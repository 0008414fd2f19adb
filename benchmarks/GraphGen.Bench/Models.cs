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
