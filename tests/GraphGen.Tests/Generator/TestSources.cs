namespace GraphGen.Tests.Generator;

/// <summary>Model declarations the generator tests compile.</summary>
internal static class TestSources
{
    public const string Reference = """
        using GraphGen;

        namespace Demo;

        [Model(Loss = Loss.SparseCategoricalCrossentropy)]
        [Input(28 * 28)]
        public sealed partial class MnistClassifier
        {
            [Dense(512, Activation.Relu)] public partial DenseLayer Hidden { get; }
            [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
        }
        """;

    public const string ThreeLayer = """
        using GraphGen;

        namespace Demo.Deep
        {
            [Model]
            [Input(64)]
            internal partial class TanhSigmoidNet
            {
                [Dense(100, Activation.Tanh)] public partial DenseLayer First { get; }
                [Dense(50, Activation.Sigmoid, Name = "second_layer")] internal partial DenseLayer Second { get; }
                [Dense(10, Activation.Softmax)] public partial DenseLayer Classes { get; }
            }
        }
        """;

    public const string Regression = """
        using GraphGen;

        public static partial class Outer
        {
            [Model(Loss = Loss.MeanSquaredError)]
            [Input(10)]
            public partial class DiabetesRegression
            {
                [Dense(16, Activation.Relu)] public partial DenseLayer Hidden { get; }
                [Dense(1)] public partial DenseLayer Prediction { get; }
            }
        }
        """;
}
