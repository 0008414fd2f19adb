using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// Gives every value a kernel writes a home: the input batch, the targets, a parameter's value or gradient,
/// or an activation buffer. Buffers are planned by liveness over the kernel order: a buffer whose value is
/// read for the last time is free for the next value of the same shape, so the backward pass reuses what the
/// forward pass no longer needs. Values listed in keepAlive (the model output) are never reused.
/// </summary>
internal static class BufferPlanner
{
    public static (Dictionary<int, Operand> Storage, List<BufferInfo> Buffers) Plan(
        IReadOnlyList<Node> nodes, IReadOnlyList<PendingKernel> kernels, IReadOnlyDictionary<int, string> parameterHolders,
        IReadOnlyDictionary<int, string> gradientHolders, ISet<int> keepAlive, IEnumerable<string>? takenNames = null)
    {
        var storage = new Dictionary<int, Operand>();
        foreach (var node in nodes)
        {
            switch (node.Op)
            {
                case OpKind.Input: storage[node.Id] = new Operand(OperandKind.Input, "x", node.Shape); break;
                case OpKind.Target: storage[node.Id] = new Operand(OperandKind.Targets, "targets", node.Shape); break;
                case OpKind.Parameter: storage[node.Id] = new Operand(OperandKind.ParameterValue, parameterHolders[node.Id], node.Shape); break;
                case OpKind.Constant: storage[node.Id] = new Operand(OperandKind.Constant, FloatLiteral(node.Value), node.Shape); break;
            }
        }
        foreach (var pair in gradientHolders)
            storage[pair.Key] = new Operand(OperandKind.ParameterGradient, pair.Value, nodes[pair.Key].Shape);

        var lastRead = new Dictionary<int, int>();
        for (int i = 0; i < kernels.Count; i++)
            foreach (int read in kernels[i].Reads) lastRead[read] = i;

        var buffers = new List<(string Field, Shape Shape, List<string> Holds)>();
        var free = new List<int>();
        var bufferOf = new Dictionary<int, int>();
        var fieldNames = new HashSet<string>(takenNames ?? Array.Empty<string>(), StringComparer.Ordinal);
        for (int i = 0; i < kernels.Count; i++)
        {
            foreach (int write in kernels[i].Writes)
            {
                if (storage.ContainsKey(write)) continue;
                var node = nodes[write];
                int index = free.FindIndex(b => buffers[b].Shape.Equals(node.Shape));
                int buffer;
                if (index >= 0)
                {
                    buffer = free[index];
                    free.RemoveAt(index);
                }
                else
                {
                    buffer = buffers.Count;
                    buffers.Add((UniqueField(node.Name, fieldNames), node.Shape, new List<string>()));
                }
                buffers[buffer].Holds.Add(node.Name);
                bufferOf[write] = buffer;
                storage[write] = new Operand(OperandKind.Buffer, buffers[buffer].Field, node.Shape);
            }
            // Free after the writes: a kernel never writes into a buffer it is still reading.
            foreach (int value in kernels[i].Reads.Concat(kernels[i].Writes).Distinct())
            {
                if (!bufferOf.TryGetValue(value, out int buffer) || keepAlive.Contains(value)) continue;
                if (!lastRead.TryGetValue(value, out int last) || last <= i) free.Add(buffer);
            }
        }
        return (storage, buffers.Select(b => new BufferInfo(b.Field, b.Shape, string.Join(", then ", b.Holds))).ToList());
    }

    /// <summary>A C# float expression for a constant, exact to float precision.</summary>
    internal static string FloatLiteral(double value)
    {
        float f = (float)value;
        if (float.IsNaN(f)) return "float.NaN";
        if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
        return f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f";
    }

    /// <summary>"d_hidden_out" → "_dHiddenOut", made unique.</summary>
    private static string UniqueField(string valueName, HashSet<string> taken)
    {
        var builder = new StringBuilder("_");
        bool upper = false;
        foreach (char c in valueName)
        {
            if (!char.IsLetterOrDigit(c)) { upper = builder.Length > 1; continue; }
            builder.Append(upper ? char.ToUpperInvariant(c) : builder.Length == 1 ? char.ToLowerInvariant(c) : c);
            upper = false;
        }
        string field = builder.ToString(), candidate = field;
        for (int n = 2; !taken.Add(candidate); n++) candidate = field + n;
        return candidate;
    }
}
