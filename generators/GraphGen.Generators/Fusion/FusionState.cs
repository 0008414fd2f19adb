using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// A kernel chosen by a pass but not yet bound to storage: the node ids it reads and writes, where it runs
/// (the id of the last node it covers, which keeps graph order), and how to build it once storage is known.
/// </summary>
internal sealed record PendingKernel(int Position, int[] Reads, int[] Writes, Func<Func<int, Operand>, Kernel> Build);

/// <summary>The nodes being fused, who consumes each, which are already covered by a kernel, and the kernels so far.</summary>
internal sealed class FusionState
{
    private readonly List<int>[] _consumers;
    private readonly bool[] _covered;

    public FusionState(IReadOnlyList<Node> nodes)
    {
        Nodes = nodes;
        _consumers = nodes.Select(_ => new List<int>()).ToArray();
        _covered = new bool[nodes.Count];
        foreach (var node in nodes)
            foreach (int input in node.Inputs.Distinct())
                _consumers[input].Add(node.Id);
    }

    public IReadOnlyList<Node> Nodes { get; }
    public List<PendingKernel> Kernels { get; } = new();

    public Node this[int id] => Nodes[id];

    public IEnumerable<Node> Uncovered(params OpKind[] ops) => Nodes.Where(n => !_covered[n.Id] && ops.Contains(n.Op)).ToList();

    public bool IsCovered(int id) => _covered[id];

    public IReadOnlyList<int> Consumers(int id) => _consumers[id];

    /// <summary>The one node that reads <paramref name="id"/>, if exactly one does.</summary>
    public bool TrySingleConsumer(int id, out Node consumer)
    {
        consumer = _consumers[id].Count == 1 ? Nodes[_consumers[id][0]] : null!;
        return consumer is not null;
    }

    public void Add(int[] covers, int[] reads, int[] writes, Func<Func<int, Operand>, Kernel> build)
    {
        foreach (int id in covers)
        {
            if (_covered[id]) throw new InvalidOperationException($"Node '{Nodes[id].Name}' is covered by two kernels.");
            _covered[id] = true;
        }
        Kernels.Add(new PendingKernel(covers.Max(), reads, writes, build));
    }
}
