using GraphGen.Tests.Models;
using Xunit;

namespace GraphGen.Tests.Onnx;

/// <summary>The file itself, read back through ONNX's message types: what the README documents about it.</summary>
public sealed class OnnxFileTests
{
    [Fact]
    public void OnnxFileHasOpset17NamedBatchDimensionDocumentedNamesAndTheCurrentWeights()
    {
        var model = new ThreeLayerClassifier(seed: 4);
        model.Weights[1].Data[0] = 0.25f; // a bias off zero: the initializer carries the current value
        string path = Path.Combine(Path.GetTempPath(), $"graphgen-onnx-file-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path);
            var file = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.Equal(8, file.IrVersion);
            var opset = Assert.Single(file.OpsetImport);
            Assert.Equal(("", 17L), (opset.Domain, opset.Version));
            Assert.Equal("GraphGen", file.ProducerName);

            var input = Assert.Single(file.Graph.Input);
            var output = Assert.Single(file.Graph.Output);
            Assert.Equal(("input", "output"), (input.Name, output.Name));
            Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
            Assert.Equal(model.InputWidth, input.Type.TensorType.Shape.Dim[1].DimValue);
            Assert.Equal("batch", output.Type.TensorType.Shape.Dim[0].DimParam);
            Assert.Equal(model.OutputWidth, output.Type.TensorType.Shape.Dim[1].DimValue);

            Assert.Equal(model.Weights.Select(w => w.Name), file.Graph.Initializer.Select(i => i.Name));
            foreach (var weight in model.Weights)
            {
                var initializer = file.Graph.Initializer.Single(i => i.Name == weight.Name);
                Assert.Equal(weight.Shape.Select(d => (long)d), initializer.Dims);
                Assert.Equal(weight.Data.ToArray(), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(initializer.RawData.Span).ToArray());
            }
            // Dense layers as MatMul + Add and their activations; the softmax over the last axis.
            Assert.Equal(new[] { "MatMul", "Add", "Tanh", "MatMul", "Add", "Sigmoid", "MatMul", "Add", "Softmax" }, file.Graph.Node.Select(n => n.OpType));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
