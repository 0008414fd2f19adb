namespace GraphGen.Tests.Models;

// [Forward] models that use the batch dimension B beyond the leading axis.

/// <summary>A Gram matrix over the batch, hᵀ·h (6, 6), that every row is then multiplied by.</summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class GramNet
{
    [Parameter(4, 6, Init = "uniform:-0.5:0.5")] public partial Parameter W { get; }
    [Parameter(6, 2, Init = "uniform:-0.5:0.5")] public partial Parameter V { get; }

    [Forward]
    public Tensor Call([Shape(4)] Tensor x)
    {
        var h = Op.Tanh(Op.MatMul(x, W));
        var gram = Op.MatMul(Op.Transpose(h), h);
        return Op.MatMul(Op.MatMul(h, gram), V);
    }
}
