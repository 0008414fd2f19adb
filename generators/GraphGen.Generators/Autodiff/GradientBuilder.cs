using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Autodiff;

/// <summary>
/// Emits the gradient of one op: given the node and the node holding d loss / d output (or
/// <see cref="GradientBuilder.LossSeed"/> for the loss itself, whose gradient is 1), it adds nodes that compute
/// d loss / d input and hands them to <see cref="GradientBuilder.Accumulate"/>. Each op's rule is in its entry of the op table.
/// </summary>
internal delegate void GradientRule(GradientBuilder g, Node node, int outputGradient);

/// <summary>
/// Reverse-mode differentiation over a <see cref="ModelGraph"/>: visits nodes from the loss back to the
/// parameters, applies each op's rule from its entry in <see cref="Ops.OpTable"/>, and sums gradients where a value feeds
/// several ops. Values that do not depend on a parameter (the input batch, the labels) get no gradient, so the
/// first layer computes no input gradient.
/// </summary>
internal sealed class GradientBuilder
{
    /// <summary>Stands for d loss / d loss = 1, which is never materialised.</summary>
    public const int LossSeed = -1;

    private readonly List<Node> _nodes;
    private readonly bool[] _needsGradient;
    private readonly Dictionary<int, int> _gradients = new();

    private GradientBuilder(ModelGraph graph)
    {
        _nodes = graph.Nodes.ToList();
        _needsGradient = new bool[_nodes.Count];
        // A parameter that is not trainable (a moving statistic) is state, as constant to the gradient as the input is.
        var frozen = new HashSet<int>(graph.Parameters.Where(p => !p.Trainable).Select(p => p.Node));
        foreach (var node in _nodes)
            _needsGradient[node.Id] = node.Op == OpKind.Parameter && !frozen.Contains(node.Id) || node.Inputs.Any(i => _needsGradient[i]);
    }

    public static TrainingGraph Differentiate(ModelGraph graph)
    {
        var builder = new GradientBuilder(graph);
        for (int id = graph.Loss; id >= 0; id--)
        {
            var node = builder._nodes[id];
            if (node.IsLeaf || !builder._needsGradient[id]) continue;
            int outputGradient;
            // A loss op folds d loss / d loss = 1 into its own rule; any other result (a [Differentiable] function's)
            // starts from 1, or from ones for a tensor, whose elements are summed as GradientTape does.
            if (id == graph.Loss) outputGradient = node.IsLoss ? LossSeed : builder.Seed(node);
            else if (!builder._gradients.TryGetValue(id, out outputGradient)) continue; // does not reach the loss
            var entry = Ops.OpTable.Of(node.Op);
            if (entry.NoGradient) continue; // zero wherever it exists: nothing flows back
            var rule = entry.Gradient ?? throw new NotSupportedException($"No gradient rule for {node.Op} (node '{node.Name}').");
            rule(builder, node, outputGradient);
        }
        // Each parameter's gradient gets a value of its own that a kernel writes: when it is a constant (d x / d x)
        // or the very value another parameter's gradient is (x + y), a copy.
        var bound = new HashSet<int>();
        var bindings = graph.Parameters.Where(p => p.Trainable).Select(p =>
        {
            if (!builder._gradients.TryGetValue(p.Node, out int g)) return new GradientBinding(p.Node, -1);
            if (builder._nodes[g].IsLeaf || !bound.Add(g))
                g = builder.Op(OpKind.Reshape, builder._nodes[p.Node].Shape, "d_" + p.Name, builder._nodes[p.Node].Scope, g);
            return new GradientBinding(p.Node, g);
        }).ToList();
        return new TrainingGraph(graph, EquatableArray.From(builder._nodes), EquatableArray.From(bindings));
    }

    public Node Node(int id) => _nodes[id];

    public bool NeedsGradient(int id) => _needsGradient[id];

    /// <summary>Adds a gradient node, named after the value <paramref name="of"/> it is the gradient of.</summary>
    public int Gradient(OpKind op, Shape shape, string layer, int first, int second = int.MinValue, int of = -1, ActivationKind activation = ActivationKind.Linear)
    {
        var inputs = second == int.MinValue ? new[] { first } : new[] { first, second };
        return Add(new Node(_nodes.Count, op, EquatableArray.Of(inputs), shape, GradientName(of), layer, Activation: activation));
    }

    /// <summary>The name of d loss / d <paramref name="value"/>: d_ and the value's name.</summary>
    public string GradientName(int value) => "d_" + _nodes[value].Name;

    /// <summary>Adds a node of any op (the rules that compose their gradient from other ops).</summary>
    public int Op(OpKind op, Shape shape, string name, string layer, int first, int second = -1, int axis = 0, int offset = 0)
    {
        var inputs = second < 0 ? new[] { first } : new[] { first, second };
        return Add(new Node(_nodes.Count, op, EquatableArray.Of(inputs), shape, name, layer, Axis: axis, Offset: offset));
    }

    /// <summary>Adds an image op's gradient node, with the window of the op it differentiates.</summary>
    public int Windowed(OpKind op, Shape shape, string name, string layer, int first, int second, Window window)
        => Add(new Node(_nodes.Count, op, EquatableArray.Of(first, second), shape, name, layer, Window: window));

    private int Seed(Node result)
    {
        int one = Constant(1.0, "one", result.Scope);
        return result.Shape.Rank == 0 ? one : Op(OpKind.ExpandSum, result.Shape, "d_" + result.Name, result.Scope, one, axis: Graph.Node.AllAxes);
    }

    /// <summary>Adds <paramref name="node"/> as it is but for its id: a gradient op with arguments of its own (a dropout's rate and stream).</summary>
    public int Emit(Node node) => Add(node with { Id = _nodes.Count });

    public int Constant(double value, string name, string layer)
        => Add(new Node(_nodes.Count, OpKind.Constant, EquatableArray<int>.Empty, Shape.Scalar, name, layer, Value: value));

    /// <summary>
    /// d loss / d operand from d loss / d result when the operand was broadcast: summed over the axes the
    /// broadcast added or stretched (nothing to do when the shapes match).
    /// </summary>
    public int Unbroadcast(int gradient, int operand, string layer)
    {
        var shape = _nodes[operand].Shape;
        return _nodes[gradient].Shape.Equals(shape) ? gradient : Op(OpKind.SumTo, shape, "d_" + _nodes[operand].Name, layer, gradient);
    }

    public int MatMul(int a, int b, bool transposeA, bool transposeB, Shape shape, string name, string layer)
        => Add(new Node(_nodes.Count, OpKind.MatMul, EquatableArray.Of(a, b), shape, name, layer, transposeA, transposeB));

    /// <summary>Records <paramref name="gradient"/> as (part of) d loss / d <paramref name="target"/>.</summary>
    public void Accumulate(int target, int gradient)
    {
        if (!_needsGradient[target]) return;
        if (_gradients.TryGetValue(target, out int existing))
        {
            var node = _nodes[target];
            gradient = Add(new Node(_nodes.Count, OpKind.Add, EquatableArray.Of(existing, gradient), node.Shape, "d_" + node.Name + "_sum", node.Scope));
        }
        _gradients[target] = gradient;
    }

    private int Add(Node node)
    {
        _nodes.Add(node);
        return node.Id;
    }
}
