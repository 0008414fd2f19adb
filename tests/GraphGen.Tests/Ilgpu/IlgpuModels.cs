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
