namespace GraphGen.Tests.Models;

/// <summary>The Dense form of <see cref="DropoutBatchNormNet"/>: Dense 6 → 7, batch-normalised, relu, dropout, Dense 7 → 3 softmax.</summary>
[Model]
[Input(6)]
public sealed partial class DenseDropoutBatchNormNet
{
    [Dense(7)] public partial DenseLayer Hidden { get; }
    [BatchNormalization(Momentum = 0.9)] public partial BatchNormalizationLayer Norm { get; }
    [Dense(7, Activation.Relu)] public partial DenseLayer Mixed { get; }
    [Dropout(0.3)] public partial Layer Drop { get; }
    [Dense(3, Activation.Softmax)] public partial DenseLayer Output { get; }
}
