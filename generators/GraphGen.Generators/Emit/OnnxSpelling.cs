using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Emit;

/// <summary>An attribute of an ONNX node: an integer, a float or a list of integers.</summary>
internal sealed record OnnxAttributeSpec(string Name, long? Int = null, float? Float = null, EquatableArray<long> Ints = default);

/// <summary>One ONNX node of the table: operator, input and output value names, attributes.</summary>
internal sealed record OnnxNodeSpec(string OpType, EquatableArray<string> Inputs, EquatableArray<string> Outputs, EquatableArray<OnnxAttributeSpec> Attributes);

/// <summary>A tensor fixed at build time: float values (a body's numbers) or int64 ones (shapes, axes, slice bounds).</summary>
internal sealed record OnnxConstantSpec(string Name, EquatableArray<long> Dims, EquatableArray<float> Floats, EquatableArray<long> Ints, bool IsFloat);

/// <summary>
/// What an op's ONNX rule (<see cref="Ops.OpDef.Onnx"/>) writes with: the names of the node's inputs and output, and
/// nodes, helper values and int64 constants to add. One instance per graph; <see cref="For"/> points it at a node.
/// </summary>
internal sealed class OnnxSpelling
{
    private readonly Dictionary<int, string> _names;
    private readonly HashSet<string> _taken;
    private readonly IReadOnlyList<Node> _graph;
    private Node _node = null!;

    public OnnxSpelling(Dictionary<int, string> names, IReadOnlyList<Node> graph)
    {
        _names = names;
        _graph = graph;
        _taken = new HashSet<string>(names.Values);
    }

    public List<OnnxNodeSpec> Nodes { get; } = new();
    public List<OnnxConstantSpec> Constants { get; } = new();
    /// <summary>Why the op just spelled has no ONNX form after all (a case its rule cannot write), or null.</summary>
    public string? Refusal { get; private set; }

    public void Refuse(string why) => Refusal ??= why;

    public OnnxSpelling For(Node node)
    {
        _node = node;
        return this;
    }

    /// <summary>The value name of the node's <paramref name="i"/>-th input.</summary>
    public string In(int i) => _names[_node.Inputs[i]];
    public IEnumerable<string> Ins => _node.Inputs.Select(i => _names[i]);
    /// <summary>The shape of the node's <paramref name="i"/>-th input.</summary>
    public Shape InShape(int i) => _graph[_node.Inputs[i]].Shape;
    /// <summary>The value name of the node's output.</summary>
    public string Out => _names[_node.Id];

    /// <summary>A fresh name for a value between the nodes one op lowers to.</summary>
    public string Temp(string what) => Unique($"{Out}_{what}", _taken);

    public void Node(string opType, IEnumerable<string> inputs, string output, params OnnxAttributeSpec[] attributes)
        => Nodes.Add(new OnnxNodeSpec(opType, EquatableArray.From(inputs), EquatableArray.Of(output), EquatableArray.From(attributes)));

    /// <summary>A node of the op's own inputs and output: <c>Exp(x) → y</c>.</summary>
    public void Same(string opType, params OnnxAttributeSpec[] attributes) => Node(opType, Ins, Out, attributes);

    /// <summary>A node of one input and a fresh output, returned: a step between the nodes one op lowers to.</summary>
    public string Step(string opType, string what, IEnumerable<string> inputs, params OnnxAttributeSpec[] attributes)
    {
        string name = Temp(what);
        Node(opType, inputs, name, attributes);
        return name;
    }

    /// <summary>
    /// An image op of ONNX, which reads and writes NCHW, around our NHWC values: the input transposed to NCHW, the op
    /// (<paramref name="write"/>, given the NCHW input's name and the name of the NCHW output to write), the output
    /// transposed back. ONNX Runtime's transpose optimiser cancels the pairs between two image ops.
    /// </summary>
    public void Nchw(System.Action<string, string> write)
    {
        string nchw = Step("Transpose", "nchw", new[] { In(0) }, Ints("perm", 0, 3, 1, 2));
        string result = Temp("result_nchw");
        write(nchw, result);
        Node("Transpose", new[] { result }, Out, Ints("perm", 0, 2, 3, 1));
    }

    public string FloatScalar(string what, float value)
    {
        string name = Temp(what);
        Constants.Add(new OnnxConstantSpec(name, EquatableArray<long>.Empty, EquatableArray.Of(value), EquatableArray<long>.Empty, IsFloat: true));
        return name;
    }

    public string Int64s(string what, params long[] values)
    {
        string name = Temp(what);
        Constants.Add(new OnnxConstantSpec(name, EquatableArray.Of((long)values.Length), EquatableArray<float>.Empty, EquatableArray.From(values), IsFloat: false));
        return name;
    }

    public static OnnxAttributeSpec Int(string name, long value) => new(name, Int: value);
    public static OnnxAttributeSpec Float(string name, float value) => new(name, Float: value);
    public static OnnxAttributeSpec Ints(string name, params long[] values) => new(name, Ints: EquatableArray.From(values));

    /// <summary>The shape's dims for ONNX: the batch B as −1 (the op infers it), every other as it is.</summary>
    public static long[] Dims(Shape shape) => shape.Dims.Select(d => d == Shape.Batch ? -1L : d).ToArray();

    /// <summary>ONNX's pads [top, left, bottom, right] for a window over NHWC <paramref name="input"/> → <paramref name="output"/>.</summary>
    public static long[] Pads(Shape input, Shape output, Window w)
    {
        int top = Window.PadBefore(input.Dims[1], w.Height, w.Stride, w.Padding), left = Window.PadBefore(input.Dims[2], w.Width, w.Stride, w.Padding);
        int bottom = (output.Dims[1] - 1) * w.Stride + w.Height - input.Dims[1] - top, right = (output.Dims[2] - 1) * w.Stride + w.Width - input.Dims[2] - left;
        return new long[] { top, left, System.Math.Max(bottom, 0), System.Math.Max(right, 0) };
    }

    internal static string Unique(string name, HashSet<string> taken)
    {
        string unique = name;
        for (int k = 2; !taken.Add(unique); k++) unique = $"{name}_{k}";
        return unique;
    }
}
