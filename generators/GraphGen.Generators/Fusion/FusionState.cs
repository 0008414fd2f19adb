using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// One program being fused (the training step, or Predict): its nodes, who consumes each, which are already covered
/// by a kernel, and the kernels so far with the node each runs at (the last it covers, which keeps graph order).
/// Operands are ids from the start: <see cref="At"/> gives a leaf or a parameter's gradient its place, any other
/// node a <see cref="OperandKind.Value"/> that the buffer plan binds later.
/// </summary>
internal sealed class FusionState
{
    private readonly List<int>[] _consumers;
    private readonly bool[] _covered;
    private readonly List<(int Position, Kernel Kernel)> _formed = new();
    private readonly Func<int, Operand> _at;

    public FusionState(string name, IReadOnlyList<Node> nodes, Func<int, Operand> at)
    {
        Name = name;
        Nodes = nodes;
        _at = at;
        _consumers = nodes.Select(_ => new List<int>()).ToArray();
        _covered = new bool[nodes.Count];
        foreach (var node in nodes)
            foreach (int input in node.Inputs.Distinct())
                _consumers[input].Add(node.Id);
    }

    /// <summary>"training" or "inference", for the plan dump.</summary>
    public string Name { get; }
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>The kernels in graph order; passes after kernel forming rewrite them in place.</summary>
    public List<Kernel> Kernels { get; private set; } = new();

    public Node this[int id] => Nodes[id];

    public Operand At(int id) => _at(id);

    public IEnumerable<Node> Uncovered(params OpKind[] ops) => Nodes.Where(n => !_covered[n.Id] && ops.Contains(n.Op)).ToList();

    public bool IsCovered(int id) => _covered[id];

    public IReadOnlyList<int> Consumers(int id) => _consumers[id];

    /// <summary>The one node that reads <paramref name="id"/>, if exactly one does.</summary>
    public bool TrySingleConsumer(int id, out Node consumer)
    {
        consumer = _consumers[id].Count == 1 ? Nodes[_consumers[id][0]] : null!;
        return consumer is not null;
    }

    /// <summary>Claims <paramref name="covers"/> for <paramref name="kernel"/>, which runs where the last of them stands.</summary>
    public void Add(int[] covers, Kernel kernel)
    {
        foreach (int id in covers)
        {
            if (_covered[id]) throw new InvalidOperationException($"Node '{Nodes[id].Name}' is covered by two kernels.");
            _covered[id] = true;
        }
        _formed.Add((covers.Max(), kernel));
        Kernels = _formed.OrderBy(k => k.Position).Select(k => k.Kernel).ToList();
    }

    public void Replace(Func<Kernel, Kernel> map) => Kernels = Kernels.Select(map).ToList();
}
