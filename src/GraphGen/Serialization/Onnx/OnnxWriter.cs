using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace GraphGen.Serialization.Onnx;

/// <summary>
/// Encodes an <see cref="OnnxGraph"/> with the current weights as an ONNX model through ONNX's own message types
/// (OnnxSharp's, generated from onnx.proto) and Google.Protobuf. Opset 17 with IR version 8: the newest pair that
/// Debian's onnx 1.12 checks (CI runs its checker on every export), ONNX Runtime 1.32 runs, and the first opset with
/// everything the op table needs beside Gelu, which exports in its erf form (Gelu is an operator only from opset 20).
/// </summary>
internal static class OnnxWriter
{
    public const long Opset = 17;
    public const long IrVersion = 8;

    public static ModelProto Build(OnnxGraph graph, string modelName, IReadOnlyList<Parameter> weights)
    {
        var g = new GraphProto { Name = modelName };
        g.Input.Add(Value(OnnxGraph.InputName, graph.InputWidth));
        g.Output.Add(Value(OnnxGraph.OutputName, graph.OutputWidth));
        foreach (string name in graph.Parameters)
        {
            var parameter = weights.FirstOrDefault(p => p.Name == name)
                ?? throw new InvalidOperationException($"The ONNX graph of {modelName} reads the parameter '{name}', which the model does not have.");
            g.Initializer.Add(FloatTensor(name, parameter.Shape.Select(d => (long)d), parameter.Data));
        }
        foreach (var constant in graph.Constants)
            g.Initializer.Add(constant.Floats is { } floats
                ? FloatTensor(constant.Name, constant.Dims, floats.ToArray())
                : Int64Tensor(constant.Name, constant.Dims, constant.Integers!));
        int index = 0;
        foreach (var node in graph.Nodes)
        {
            var n = new NodeProto { OpType = node.OpType, Name = $"{node.OpType}_{index++}" };
            n.Input.AddRange(node.Inputs);
            n.Output.AddRange(node.Outputs);
            n.Attribute.AddRange(node.Attributes.Select(Attribute));
            g.Node.Add(n);
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "GraphGen",
            ProducerVersion = typeof(OnnxWriter).Assembly.GetName().Version?.ToString(3) ?? "",
            Graph = g,
            DocString = $"{modelName}: input '{OnnxGraph.InputName}' (batch, {graph.InputWidth}) float, output '{OnnxGraph.OutputName}' (batch, {graph.OutputWidth}) float, as Predict.",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    /// <summary>A float tensor (batch, width) graph input or output.</summary>
    private static ValueInfoProto Value(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxGraph.BatchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorProto FloatTensor(string name, IEnumerable<long> dims, ReadOnlySpan<float> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        // raw_data is little-endian by the format's definition; elsewhere the values go one by one.
        if (BitConverter.IsLittleEndian) tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        else tensor.FloatData.AddRange(values.ToArray());
        return tensor;
    }

    private static TensorProto Int64Tensor(string name, IEnumerable<long> dims, IEnumerable<long> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    private static AttributeProto Attribute(OnnxAttribute a)
    {
        var attribute = new AttributeProto { Name = a.Name };
        if (a.Integer is { } i) { attribute.Type = AttributeProto.Types.AttributeType.Int; attribute.I = i; }
        else if (a.Number is { } f) { attribute.Type = AttributeProto.Types.AttributeType.Float; attribute.F = f; }
        else { attribute.Type = AttributeProto.Types.AttributeType.Ints; attribute.Ints.AddRange(a.Integers!); }
        return attribute;
    }
}
