using System.ComponentModel;

namespace GraphGen.Serialization.Onnx;

/// <summary>
/// A model's inference graph as ONNX nodes, written by the generator from the static graph it compiled (the generated
/// <c>{Model}.onnx.g.cs</c>): one graph input <see cref="InputName"/> of shape (batch, <see cref="InputWidth"/>), one
/// output <see cref="OutputName"/> of shape (batch, <see cref="OutputWidth"/>), the parameters that become initializers
/// (by their names in <see cref="Training.CompiledModel.Weights"/>), constants fixed at build time, and the nodes in
/// topological order. <see cref="Unsupported"/> says why the graph cannot be exported, naming the op and the layer;
/// the nodes are then empty. <see cref="Training.CompiledModel.ExportOnnx"/> fills in the current weights and encodes.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxGraph
{
    /// <summary>The graph input: every input of the model side by side in one row, as <c>Predict</c> takes them.</summary>
    public const string InputName = "input";
    /// <summary>The graph output: what <c>Predict</c> returns.</summary>
    public const string OutputName = "output";
    /// <summary>The symbolic batch dimension's name.</summary>
    public const string BatchDimension = "batch";

    public OnnxGraph(int inputWidth, int outputWidth, string[] parameters, OnnxConstant[] constants, OnnxNode[] nodes, string? unsupported = null)
    {
        InputWidth = inputWidth;
        OutputWidth = outputWidth;
        Parameters = parameters;
        Constants = constants;
        Nodes = nodes;
        Unsupported = unsupported;
    }

    public int InputWidth { get; }
    public int OutputWidth { get; }
    public IReadOnlyList<string> Parameters { get; }
    public IReadOnlyList<OnnxConstant> Constants { get; }
    public IReadOnlyList<OnnxNode> Nodes { get; }
    public string? Unsupported { get; }
}

/// <summary>One ONNX node: its operator (default domain), the names of its inputs and outputs, and its attributes.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxNode
{
    public OnnxNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        OpType = opType;
        Inputs = inputs;
        Outputs = outputs;
        Attributes = attributes;
    }

    public string OpType { get; }
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }
    public IReadOnlyList<OnnxAttribute> Attributes { get; }
}

/// <summary>An attribute of a node: an integer, a float or a list of integers.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, long? integer, float? number, long[]? integers)
    {
        Name = name;
        Integer = integer;
        Number = number;
        Integers = integers;
    }

    public static OnnxAttribute Int(string name, long value) => new(name, value, null, null);
    public static OnnxAttribute Float(string name, float value) => new(name, null, value, null);
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, null, null, values);

    public string Name { get; }
    public long? Integer { get; }
    public float? Number { get; }
    public IReadOnlyList<long>? Integers { get; }
}

/// <summary>A tensor fixed when the model compiled: a float scalar of the body, or the int64 shape, axes or bounds an op reads as an input.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxConstant
{
    private OnnxConstant(string name, long[] dims, float[]? floats, long[]? integers)
    {
        Name = name;
        Dims = dims;
        Floats = floats;
        Integers = integers;
    }

    public static OnnxConstant Float(string name, long[] dims, params float[] values) => new(name, dims, values, null);
    public static OnnxConstant Int64(string name, long[] dims, params long[] values) => new(name, dims, null, values);

    public string Name { get; }
    public IReadOnlyList<long> Dims { get; }
    public IReadOnlyList<float>? Floats { get; }
    public IReadOnlyList<long>? Integers { get; }
}
