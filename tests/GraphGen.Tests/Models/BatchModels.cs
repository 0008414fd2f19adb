namespace GraphGen.Tests.Models;

// [Forward] models that use the batch dimension B beyond the leading axis: each row's output depends on the other rows
// of its batch (GG0118, silenced for this project in its .csproj).

/// <summary>The model: a softmax over a (B, B) value, a mean over its columns, B × 1 against the rows.</summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class SoftmaxOverBatchNet
{
    [Parameter(3, 2)] public partial Parameter W { get; }

    [Forward]
    public Tensor Call([Shape(3)] Tensor x) => Op.MatMul(Op.Reshape(Op.Mean(Op.Softmax(Op.MatMul(x, Op.Transpose(x))) * 4, 1), -1, 1) * x, W);
}

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

/// <summary>Batch statistics: each row centred on the batch mean, h − mean(h, 0).</summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class BatchCenteredNet
{
    [Parameter(3, 4, Init = "uniform:-1:1")] public partial Parameter W { get; }
    [Parameter(4, 1, Init = "uniform:-1:1")] public partial Parameter V { get; }

    [Forward]
    public Tensor Call([Shape(3)] Tensor x)
    {
        var h = Op.MatMul(x, W);
        return Op.MatMul(Op.Tanh(h - Op.Mean(h, 0)), V);
    }
}

/// <summary>GEMMs only, through a (3, 3) Gram matrix and a (B, B) product: no ILGPU kernel or buffer fits the (B, B) one yet.</summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class GemmsOverBatchNet
{
    [Parameter(3, 2)] public partial Parameter W { get; }

    [Forward]
    public Tensor Call([Shape(3)] Tensor x)
    {
        var scaled = Op.MatMul(x, Op.MatMul(Op.Transpose(x), x)); // x·(xᵀx), through (3, 3)
        var pairs = Op.MatMul(x, Op.Transpose(x));                 // (B, B)
        return Op.MatMul(Op.MatMul(pairs, scaled), W);
    }
}
