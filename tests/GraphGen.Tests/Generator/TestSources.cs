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

    /// <summary>The [Forward] front end: the seed's digits MLP, the diabetes perceptron, a residual block, two inputs.</summary>
    public const string Forward = """
        using GraphGen;

        namespace Demo;

        [Model]
        public partial class DigitsMlp
        {
            [Parameter(64, 100, Init = "normal:0:0.1")] public partial Parameter W1 { get; }
            [Parameter(100)] public partial Parameter B1 { get; }
            [Parameter(100, 50, Init = "normal:0:0.1")] public partial Parameter W2 { get; }
            [Parameter(50)] public partial Parameter B2 { get; }
            [Parameter(50, 10, Init = "normal:0:0.1")] public partial Parameter W3 { get; }
            [Parameter(10)] public partial Parameter B3 { get; }

            [Forward]
            public Tensor Call([Shape(64)] Tensor x)
            {
                var h1 = Op.Tanh(Op.MatMul(x, W1) + B1);
                var h2 = Op.Tanh(Op.MatMul(h1, W2) + B2);
                return Op.Softmax(Op.MatMul(h2, W3) + B3);
            }
        }

        [Model(Loss = Loss.MeanSquaredError)]
        public partial class Perceptron
        {
            [Parameter(10, 1)] public partial Parameter W { get; }
            [Parameter(1)] public partial Parameter B { get; }

            [Forward]
            public Tensor Call([Shape(10)] Tensor x) => Op.MatMul(x, W) + B;
        }

        [Model]
        public partial class Residual
        {
            [Parameter(32, 32, Init = "he_normal")] public partial Parameter W { get; }
            [Parameter(32)] public partial Parameter B { get; }
            [Parameter(32, 10)] public partial Parameter Head { get; }

            [Forward]
            public Tensor Call([Shape(32)] Tensor x)
            {
                var h = x + Op.Relu(Op.MatMul(x, W) + B);
                return Op.Softmax(Op.MatMul(h, Head));
            }
        }

        [Model(Loss = Loss.BinaryCrossentropy, FromLogits = true)]
        public partial class ImageAndSide
        {
            [Parameter(74, 16)] public partial Parameter W1 { get; }
            [Parameter(16)] public partial Parameter B1 { get; }
            [Parameter(16, 1)] public partial Parameter W2 { get; }

            [Forward]
            public Tensor Call([Shape(8, 8)] Tensor image, [Shape(10)] Tensor side)
            {
                var joined = Op.Concat(Op.Reshape(image, -1, 64), side);
                var hidden = Op.Relu(Op.MatMul(joined, W1) + B1);
                return Op.MatMul(hidden, W2);
            }
        }
        """;

    /// <summary>[Differentiable] functions: the seed's GradientTape examples.</summary>
    public const string Tape = """
        using GraphGen;

        namespace Demo;

        public static partial class Tape
        {
            [Differentiable]
            public static float Line(float x) => 2 * x + 3;

            [Differentiable]
            public static Tensor Affine([Shape(2, 2)] Tensor x, [Shape(2, 2)] Tensor w, [Shape(2)] Tensor b) => Op.MatMul(x, w) + b;

            [Differentiable]
            internal static Tensor Normalized([Shape(3, 4)] Tensor x)
            {
                var centered = x - Op.Mean(x, 0);
                return centered / Op.Sqrt(Op.Mean(Op.Square(centered), 0) + 1e-5f);
            }
        }
        """;

    /// <summary>A softmax over a (B, B) value and a mean over its columns: every row's output depends on the whole batch.</summary>
    public const string OverBatch = """
        using GraphGen;

        namespace Demo;

        [Model(Loss = Loss.MeanSquaredError)]
        public sealed partial class SoftmaxOverBatch
        {
            [Parameter(3, 2)] public partial Parameter W { get; }

            [Forward]
            public Tensor Call([Shape(3)] Tensor x) => Op.MatMul(Op.Reshape(Op.Mean(Op.Softmax(Op.MatMul(x, Op.Transpose(x))) * 4, 1), -1, 1) * x, W);
        }
        """;

    /// <summary>Image layers: a small convnet, and a [Forward] body that calls the same ops.</summary>
    public const string Convnet = """
        using GraphGen;

        namespace Demo;

        [Model][Input(28, 28, 1)]
        public partial class TinyConvnet
        {
            [Conv2D(8, 3, Activation.Relu)] public partial Conv2DLayer Conv1 { get; }
            [MaxPooling2D(2)] public partial Layer Pool1 { get; }
            [Conv2D(16, 3, Activation.Relu, Strides = 2, Padding = Padding.Same)] public partial Conv2DLayer Conv2 { get; }
            [Flatten] public partial Layer Flatten { get; }
            [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
        }

        [Model]
        public partial class ForwardConvnet
        {
            [Parameter(3, 3, 1, 4)] public partial Parameter Kernel { get; }
            [Parameter(4)] public partial Parameter Bias { get; }
            [Parameter(36, 3)] public partial Parameter W { get; }

            [Forward]
            private Tensor Forward([Shape(8, 8, 1)] Tensor x)
            {
                var h = Op.Relu(Op.Conv2D(x, Kernel, padding: Padding.Same) + Bias);
                var pooled = Op.MaxPool2D(h, 2);
                var p = Op.MaxPool2D(pooled, 2, 1);
                return Op.Softmax(Op.MatMul(Op.Reshape(p, -1, 36), W));
            }
        }
        """;
}
