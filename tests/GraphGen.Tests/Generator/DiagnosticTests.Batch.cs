using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>The diagnostics about the batch dimension B: what a body may do with it, and what it must be told.</summary>
public partial class DiagnosticTests
{
    [Fact]
    public void GG0107_BatchAgainstANumberSaysWhatToWrite() => Assert.Contains(
        "MatMul of (4, B) and (4, 3): inner dimensions B and 4 differ; B, the batch size, is not fixed at 4: contract over the batch with a value of B rows",
        AssertReported("GG0107", ForwardModel("""
            return Op.Softmax([|Op.MatMul(Op.Transpose(x), W)|]);
            """)).GetMessage());

    [Fact]
    public void GG0107_NumberAgainstBatchSaysWhatToWrite() => Assert.Contains(
        "inner dimensions 4 and B differ; B, the batch size, is not fixed at 4: to multiply each sample, put the batched value first (Op.MatMul(x, W))",
        AssertReported("GG0107", ForwardModel("""
            return Op.Softmax([|Op.MatMul(Square, x)|]);
            """, "[Parameter(4, 4)] public partial Parameter Square { get; }")).GetMessage());

    [Fact]
    public void GG0105_PerSampleValueSaysHowToBroadcast() => Assert.Contains(
        "dimension B and 4 differ (counting from the last axis, axis −1) and neither is 1; B, the batch size, is not fixed at 4; "
        + "a value per sample, (B), broadcasts across a row as (B, 1): Op.Reshape(v, -1, 1)",
        AssertReported("GG0105", ForwardModel("""
            return Op.Softmax(Op.MatMul([|Op.Sum(x, 1) * x|], W) + B);
            """)).GetMessage());

    [Fact]
    public void GG0106_ReshapeOfABatchByBatchValue() => Assert.Contains("Reshape needs the batch dimension B once, as the first axis", AssertReported("GG0106", ForwardModel("""
        return Op.Softmax(Op.MatMul([|Op.Reshape(Op.MatMul(x, Op.Transpose(x)), -1, 4)|], W) + B);
        """)).GetMessage());

    [Fact]
    public void GG0110_ConcatAlongTheBatchAxis() => Assert.Contains("pieces cannot be stacked along the batch axis, which has no fixed length; join them along another axis",
        AssertReported("GG0110", ForwardModel("""
            return Op.Softmax(Op.MatMul([|Op.Concat(x, x, axis: 0)|], W) + B);
            """)).GetMessage());
}
