using Microsoft.CodeAnalysis;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>The diagnostics about the batch dimension B: what a body may do with it, and what it must be told.</summary>
public partial class DiagnosticTests
{
    [Fact]
    public void GG0118_MeanOverTheBatchAxisWarnsAndStillGenerates()
    {
        string model = ForwardModel("""
            var h = Op.Tanh(Op.MatMul(x, W) + B);
            return Op.Softmax([|Op.Mean(h, 0)|] + h);
            """);
        var diagnostic = AssertReported("GG0118", model);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.StartsWith("Mean over the batch axis of (B, 3) mixes the rows of a batch in Net.Call: each row's output depends on the other rows in its batch",
            diagnostic.GetMessage());
        Assert.Contains("Predict and Evaluate run the whole input as one batch", diagnostic.GetMessage());
        var run = GeneratorHarness.Run(GeneratorHarness.Marked("using GraphGen;\n" + model).Source);
        Assert.Empty(run.Errors);
        Assert.Contains("public override bool MixesBatchRows => true;", run.GeneratedText("Net.g.cs"));
    }

    [Fact]
    public void GG0118_GramMatrixOverTheBatch() => Assert.StartsWith("MatMul of (3, B) and (B, 3) (a sum over the batch) mixes", AssertReported("GG0118", ForwardModel("""
        var h = Op.Tanh(Op.MatMul(x, W) + B);
        var gram = [|Op.MatMul(Op.Transpose(h), h)|];
        return Op.Softmax(Op.MatMul(h, gram));
        """)).GetMessage());

    [Fact]
    public void GG0118_SoftmaxOfEveryRowAgainstEveryRow() => Assert.StartsWith("MatMul of (B, 4) and (4, B) (every row against every row)", AssertReported("GG0118", ForwardModel("""
        var weights = Op.Softmax([|Op.MatMul(x, Op.Transpose(x))|]);
        return Op.Softmax(Op.MatMul(Op.MatMul(weights, x), W) + B);
        """)).GetMessage());

    [Fact]
    public void GG0118_SoftmaxOverTheBatchAxis() => Assert.StartsWith("Softmax over the batch axis of (4, B)", AssertReported("GG0118", ForwardModel("""
        var t = [|Op.Softmax(Op.Transpose(x))|];
        return Op.Softmax(Op.MatMul(Op.Transpose(t), W) + B);
        """)).GetMessage());

    [Fact]
    public void RowWiseBodiesWithBElsewhereDoNotWarn()
    {
        // B on the last axis and back, a softmax and a sum over other axes: each row still reads its own input row alone.
        var run = GeneratorHarness.Run("using GraphGen;\n" + ForwardModel("""
            var t = Op.Tanh(Op.Transpose(x)) * 2f;
            var pooled = Op.Sum(Op.Reshape(Op.Softmax(Op.Transpose(t)), -1, 2, 2), 1);
            return Op.Softmax(Op.MatMul(Op.Concat(pooled, pooled), W) + B);
            """));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Errors);
        Assert.DoesNotContain("MixesBatchRows", run.GeneratedText("Net.g.cs"));
    }

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
