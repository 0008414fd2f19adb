using GraphGen;

namespace Diabetes;

/// <summary>The perceptron regression: 10 standardised features → 1 linear output, mean squared error.</summary>
[Model(Loss = Loss.MeanSquaredError)]
[Input(10)]
public sealed partial class DiabetesPerceptron
{
    [Dense(1)] public partial DenseLayer Output { get; }
}
