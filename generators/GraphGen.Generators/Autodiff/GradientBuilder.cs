using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Autodiff;

/// <summary>
/// Reverse-mode differentiation over a <see cref="ModelGraph"/>: visits nodes from the loss back to the
/// parameters, applies each op's rule from <see cref="GradientRules"/>, and sums gradients where a value feeds
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
        foreach (var node in _nodes)
            _needsGradient[node.Id] = node.Op == OpKind.Parameter || node.Inputs.Any(i => _needsGradient[i]);
    }

    public static TrainingGraph Differentiate(ModelGraph graph)
    {
        var builder = new GradientBuilder(graph);
        for (int id = graph.Loss; id >= 0; id--)
        {
            var node = builder._nodes[id];
            if (node.IsLeaf || !builder._needsGradient[id]) continue;
            int outputGradient;
            if (id == graph.Loss) outputGradient = LossSeed;
            else if (!builder._gradients.TryGetValue(id, out outputGradient)) continue; // does not reach the loss
            if (!GradientRules.Table.TryGetValue(node.Op, out var rule))
                throw new NotSupportedException($"No gradient rule for {node.Op} (node '{node.Name}').");
            rule(builder, node, outputGradient);
        }
        var bindings = graph.Parameters
            .Select(p => new GradientBinding(p.Node, builder._gradients.TryGetValue(p.Node, out int g) ? g : -1));
        return new TrainingGraph(graph, EquatableArray.From(builder._nodes), EquatableArray.From(bindings));
    }

    public Node Node(int id) => _nodes[id];

    public bool NeedsGradient(int id) => _needsGradient[id];

    /// <summary>Adds a gradient node named after the value it is the gradient of.</summary>
    public int Emit(OpKind op, Shape shape, string layer, int first, int second = int.MinValue, int inputOf = -1, ActivationKind activation = ActivationKind.Linear)
    {
        var inputs = second == int.MinValue ? new[] { first } : new[] { first, second };
        return Add(new Node(_nodes.Count, op, EquatableArray.Of(inputs), shape, "d_" + _nodes[inputOf].Name, layer, Activation: activation));
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
            gradient = Add(new Node(_nodes.Count, OpKind.Add, EquatableArray.Of(existing, gradient), node.Shape, "d_" + node.Name + "_sum", node.Layer));
        }
        _gradients[target] = gradient;
    }

    private int Add(Node node)
    {
        _nodes.Add(node);
        return node.Id;
    }
}
