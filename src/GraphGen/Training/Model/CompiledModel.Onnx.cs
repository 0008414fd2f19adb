using System.ComponentModel;
using Google.Protobuf;
using GraphGen.Serialization.Onnx;

namespace GraphGen.Training;

public abstract partial class CompiledModel
{
    /// <summary>
    /// The inference graph the generator wrote for this model (<c>{Model}.onnx.g.cs</c>), without weights; null for a
    /// model class the generator did not compile.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    protected virtual OnnxGraph? OnnxGraph => null;

    /// <summary>
    /// Writes the inference graph as an ONNX model (opset 17, IR version 8) with the current weights as initializers: one
    /// float input <c>input</c> of shape (batch, <see cref="InputWidth"/>), every input side by side as
    /// <see cref="PackInputs"/> lays them, and one output <c>output</c> of shape (batch, <see cref="OutputWidth"/>),
    /// what <see cref="Predict(ReadOnlySpan{float}, int?)"/> returns; <c>batch</c> is a named dynamic dimension.
    /// A model using an op without an ONNX form is refused with a <see cref="NotSupportedException"/> naming the op and
    /// where it is, and nothing is written. The write is atomic.
    /// </summary>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var graph = OnnxGraph ?? throw new NotSupportedException($"{GetType().Name} has no ONNX graph: the GraphGen generator did not compile it.");
        if (graph.Unsupported is { } why) throw new NotSupportedException($"{GetType().Name} cannot be exported to ONNX: {why}.");
        using var _ = Enter();
        SyncToHost();
        var model = OnnxWriter.Build(graph, GetType().Name, _weights);
        string full = Path.GetFullPath(path), temporary = full + ".tmp";
        using (var stream = File.Create(temporary)) model.WriteTo(stream);
        File.Move(temporary, full, overwrite: true);
    }
}
