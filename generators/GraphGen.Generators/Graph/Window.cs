using GraphGen.Generators.Model;

namespace GraphGen.Generators.Graph;

/// <summary>
/// A sliding window over NHWC images (a convolution's kernel, a pooling window): its size, stride and padding, with
/// Keras's output sizes and the zeros Same padding adds before the first row and column.
/// </summary>
internal sealed record Window(int Height, int Width, int Stride, PaddingKind Padding)
{
    /// <summary>Outputs along one axis: valid ⌊(n − k) / s⌋ + 1, same ⌈n / s⌉.</summary>
    public static int Output(int input, int window, int stride, PaddingKind padding)
        => padding == PaddingKind.Same ? (input + stride - 1) / stride : (input - window) / stride + 1;

    /// <summary>The zeros Same padding puts before the first element along one axis (TensorFlow's split: the smaller half first).</summary>
    public static int PadBefore(int input, int window, int stride, PaddingKind padding)
    {
        if (padding == PaddingKind.Valid) return 0;
        int output = Output(input, window, stride, padding);
        int total = System.Math.Max((output - 1) * stride + window - input, 0);
        return total / 2;
    }
}
