using GraphGen.Generators.Emit;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Serialization.Onnx;
using GraphGen.Tests.Ilgpu;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Onnx;

/// <summary>
/// What cannot be exported is refused with its reason and writes nothing: an op without an ONNX form (named with its
/// layer, from the generator's table to ExportOnnx), a model the generator did not compile, a table that reads a
/// parameter the model lacks, and an empty path.
/// </summary>
public sealed class OnnxRefusalTests
{
    [Fact]
    public void OnnxTableOfAnOpWithoutAnOnnxFormNamesTheOpAndTheLayer()
    {
        // sign(x) has no ONNX entry (it only appears in Abs's gradient): a graph that outputs it cannot be exported.
        var nodes = EquatableArray.Of(
            new Node(0, OpKind.Input, EquatableArray<int>.Empty, Shape.Rows(3), "x", "input"),
            new Node(1, OpKind.Sign, EquatableArray.Of(0), Shape.Rows(3), "hidden_sign", "Hidden"));
        var info = new ModelInfo(new TypeIdentity("Demo", EquatableArray<ContainingType>.Empty, "SignNet"), 3, 3, LossKind.MeanSquaredError, false,
            EquatableArray<LayerInfo>.Empty);
        var graph = new ModelGraph(info, nodes, Output: 1, Loss: -1, EquatableArray<ParameterInfo>.Empty);

        var table = OnnxEmitter.Build(graph);
        Assert.Equal("the op Sign of 'Hidden' (hidden_sign) has no ONNX form", table.Refusal);
        string text = OnnxEmitter.Emit(graph).Text;
        Assert.Contains("unsupported: \"the op Sign of 'Hidden' (hidden_sign) has no ONNX form\"", text);
        Assert.Contains("nodes: global::System.Array.Empty<global::GraphGen.Serialization.Onnx.OnnxNode>()", text);
    }

    [Fact]
    public void OnnxExportOfAnUnsupportedGraphThrowsAndWritesNothing()
    {
        var model = new HandWrittenOnnxModel(new OnnxGraph(2, 2, [], [], [], unsupported: "the op Sign of 'Hidden' (hidden_sign) has no ONNX form"));
        string path = Path.Combine(Path.GetTempPath(), $"graphgen-onnx-refused-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path));
        Assert.Equal("HandWrittenOnnxModel cannot be exported to ONNX: the op Sign of 'Hidden' (hidden_sign) has no ONNX form.", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void OnnxExportOfAModelTheGeneratorDidNotCompileThrows()
    {
        var model = new IlgpuLinearRegression(3, 2);
        var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Path.Combine(Path.GetTempPath(), "never.onnx")));
        Assert.Equal("IlgpuLinearRegression has no ONNX graph: the GraphGen generator did not compile it.", error.Message);
    }

    [Fact]
    public void OnnxExportOfATableThatReadsAMissingParameterThrowsAndWritesNothing()
    {
        var graph = new OnnxGraph(2, 2, ["hidden.weight"], [], [new OnnxNode("MatMul", ["input", "hidden.weight"], ["output"])]);
        var model = new HandWrittenOnnxModel(graph);
        string path = Path.Combine(Path.GetTempPath(), $"graphgen-onnx-malformed-{Guid.NewGuid():N}.onnx");
        var error = Assert.Throws<InvalidOperationException>(() => model.ExportOnnx(path));
        Assert.Equal("The ONNX graph of HandWrittenOnnxModel reads the parameter 'hidden.weight', which the model does not have.", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void OnnxExportToAnEmptyPathThrows()
        => Assert.Throws<ArgumentException>(() => new HandWrittenOnnxModel(new OnnxGraph(2, 2, [], [], [])).ExportOnnx(""));

    /// <summary>A model written by hand (its forward is the identity) with the ONNX table the test gives it.</summary>
    private sealed class HandWrittenOnnxModel(OnnxGraph graph) : CompiledModel<float>(2, 2, Losses.MeanSquaredError())
    {
        protected override OnnxGraph? OnnxGraph => graph;
        protected override void AllocateBuffers(int rows) { }
        protected override ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch) => x;
        protected override ReadOnlySpan<float> TrainingOutput(int batch) => throw new NotSupportedException();
        protected override float ForwardBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> targets, int batch) => throw new NotSupportedException();
    }
}
