using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>The image layers' diagnostics ([Conv2D], [MaxPooling2D], [Flatten] and image inputs), each at its span.</summary>
public partial class DiagnosticTests
{
    [Theory]
    [InlineData("[Conv2D(4, 3, [|Strides = 0|])]", "strides = 0")]
    [InlineData("[Conv2D([|0|], 3)]", "filters = 0")]
    [InlineData("[Conv2D(4, [|-1|])]", "kernelSize = -1")]
    public void GG0021_NonPositiveConvolutionArgument(string attribute, string message) => Assert.Contains(message, AssertReported("GG0021", $$"""
        [Model][Input(8, 8, 1)]
        public partial class Net
        {
            {{attribute}} public partial Conv2DLayer Conv { get; }
            [Flatten] public partial Layer Flat { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """).GetMessage());

    [Fact]
    public void GG0021_PoolStrideZero() => Assert.Contains("strides = 0", AssertReported("GG0021", """
        [Model][Input(8, 8, 1)]
        public partial class Net
        {
            [MaxPooling2D(2, [|Strides = 0|])] public partial Layer Pool { get; }
            [Flatten] public partial Layer Flat { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """).GetMessage());

    [Fact]
    public void GG0022_KernelLargerThanInput() => Assert.Contains("5×5 window over a 4×6 image", AssertReported("GG0022", """
        [Model][Input(4, 6, 3)]
        public partial class Net
        {
            [Conv2D(4, [|5|], Activation.Relu)] public partial Conv2DLayer Conv { get; }
            [Flatten] public partial Layer Flat { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """).GetMessage());

    [Fact]
    public void GG0022_PoolLargerThanInput() => AssertReported("GG0022", """
        [Model][Input(6, 6, 1)]
        public partial class Net
        {
            [Conv2D(4, 3)] public partial Conv2DLayer Conv { get; }
            [MaxPooling2D([|5|])] public partial Layer Pool { get; }
            [Flatten] public partial Layer Flat { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """);

    [Fact]
    public void GG0023_DenseOnImagesWithoutFlatten() => Assert.Contains("(6, 6, 4) from 'conv'", AssertReported("GG0023", """
        [Model][Input(8, 8, 1)]
        public partial class Net
        {
            [Conv2D(4, 3)] public partial Conv2DLayer Conv { get; }
            [[|Dense(2, Activation.Softmax)|]] public partial DenseLayer Out { get; }
        }
        """).GetMessage());

    [Fact]
    public void GG0024_ConvolutionAfterFlatten() => AssertReported("GG0024", """
        [Model][Input(8, 8, 1)]
        public partial class Net
        {
            [Flatten] public partial Layer Flat { get; }
            [[|Conv2D(4, 3)|]] public partial Conv2DLayer Conv { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """);

    [Fact]
    public void GG0025_ModelEndsInImages() => AssertReported("GG0025", """
        [Model(Loss = Loss.MeanSquaredError)][Input(8, 8, 1)]
        public partial class Net
        {
            [[|Conv2D(4, 3)|]] public partial Conv2DLayer Conv { get; }
        }
        """);

    [Fact]
    public void GG0026_InputTooLarge() => AssertReported("GG0026", """
        [Model][[|Input(65536, 65536, 3)|]]
        public partial class Net
        {
            [Flatten] public partial Layer Flat { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """);
}
