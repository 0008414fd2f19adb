namespace GraphGen.Tests.Ilgpu;

/// <summary>
/// The element-wise tensor ops ILGPU runs, in one [Forward] body: maximum, minimum, negation, arithmetic with
/// constants, exp, log, sqrt, square and abs, each on values of one shape (their gradients add masks and sign).
/// </summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class ElementwiseNet
{
    [Parameter(6, 8, Init = "uniform:-0.5:0.5")] public partial Parameter W { get; }
    [Parameter(8, Init = "uniform:-0.5:0.5")] public partial Parameter B { get; }
    [Parameter(8, 2, Init = "uniform:-0.5:0.5")] public partial Parameter Wout { get; }

    [Forward]
    public Tensor Call([Shape(6)] Tensor x)
    {
        var h = Op.MatMul(x, W) + B;                                                  // (B, 8)
        var bounded = Op.Minimum(Op.Maximum(h, -h * 0.5f), h * 0.25f + 1f);
        var smooth = Op.Log(Op.Exp(-Op.Square(h)) + 1f) / Op.Sqrt(Op.Abs(h) + 1f);
        return Op.MatMul(bounded - smooth, Wout);
    }
}

/// <summary>
/// The order and reduction ops whose edge cases (NaN, ±0, ±∞, ties) IlgpuEdgeCaseTests checks kernel by kernel:
/// maximum and minimum broadcast against a parameter, the maximum over an axis and over every axis, sums and a mean
/// over an axis, and the sums back over broadcast axes their gradients need.
/// </summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class ExtremesNet
{
    [Parameter(6, 8, Init = "uniform:-0.5:0.5")] public partial Parameter W { get; }
    [Parameter(4, Init = "uniform:-0.2:0.2")] public partial Parameter Floor { get; }
    [Parameter(4, 2, Init = "uniform:-0.5:0.5")] public partial Parameter V { get; }

    [Forward]
    public Tensor Call([Shape(6)] Tensor x)
    {
        var h = Op.Reshape(Op.MatMul(x, W), -1, 2, 4);             // (B, 2, 4)
        var high = Op.Maximum(h, Floor);                           // (B, 2, 4) against (4)
        var low = Op.Minimum(h * 0.5f, Floor);
        var peak = Op.Max(high, 1);                                // (B, 4)
        var spread = Op.Mean(low, 1) - Op.Max(low) * 0.1f;         // the maximum over every axis, a single value
        var pooled = peak + spread + Op.Sum(Op.Sum(h, 2)) * 0.01f; // a sum over an axis, then over every axis
        return Op.MatMul(pooled, V);
    }
}
