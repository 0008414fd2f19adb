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

    /// <summary>Binary cross-entropy from logits, gelu (its input kept for the backward pass), declared initializers.</summary>
    public const string BinaryFromLogits = """
        using GraphGen;

        namespace Demo;

        [Model(Loss = Loss.BinaryCrossentropy, FromLogits = true)]
        [Input(30)]
        public sealed partial class SpamFilter
        {
            [Dense(16, Activation.Gelu, WeightInitializer = "he_normal", BiasInitializer = "constant:0.01")] public partial DenseLayer Hidden { get; }
            [Dense(3, WeightInitializer = "uniform:-0.05:0.05")] public partial DenseLayer Logits { get; }
        }
        """;

    /// <summary>One-hot targets, leaky relu and a mean-absolute-error regression beside it.</summary>
    public const string OneHotAndMae = """
        using GraphGen;

        namespace Demo;

        [Model(Loss = Loss.CategoricalCrossentropy)]
        [Input(8)]
        public sealed partial class OneHotNet
        {
            [Dense(12, Activation.LeakyRelu)] public partial DenseLayer Hidden { get; }
            [Dense(4, Activation.Softmax)] public partial DenseLayer Output { get; }
        }

        [Model(Loss = Loss.MeanAbsoluteError)]
        [Input(5)]
        public sealed partial class RobustRegression
        {
            [Dense(7, Activation.Elu)] public partial DenseLayer Hidden { get; }
            [Dense(2, Activation.Softplus)] public partial DenseLayer Output { get; }
        }
        """;
}
