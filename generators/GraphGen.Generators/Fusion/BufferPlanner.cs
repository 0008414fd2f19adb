using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// "plan-buffers", the last pass: gives every value a kernel writes an activation buffer. Buffers are planned by
/// liveness over the training step's kernel order: a buffer whose value is read for the last time is free for the
/// next value of the same shape, so the backward pass reuses what the forward pass no longer needs. The model output
/// is never reused. Predict's values are the training step's own (the same node ids), so they share its buffers.
/// </summary>
internal static class BufferPlanner
{
    public static void Plan(Planning planning)
    {
        var kernels = planning.Training.Kernels;
        var lastRead = new Dictionary<int, int>();
        for (int i = 0; i < kernels.Count; i++)
            foreach (var read in kernels[i].Reads.Where(o => o.Kind == OperandKind.Value)) lastRead[read.Id] = i;

        var holds = new List<List<string>>();
        var free = new List<int>();
        for (int i = 0; i < kernels.Count; i++)
        {
            foreach (var write in kernels[i].Writes.Where(o => o.Kind == OperandKind.Value))
            {
                if (planning.BufferOf.ContainsKey(write.Id)) continue;
                var node = planning.Graph.Nodes[write.Id];
                int index = free.FindIndex(b => planning.Buffers[b].Shape.Equals(node.Shape));
                int buffer;
                if (index >= 0)
                {
                    buffer = free[index];
                    free.RemoveAt(index);
                }
                else
                {
                    buffer = planning.Buffers.Count;
                    planning.Buffers.Add(new BufferInfo(node.Name, node.Shape, ""));
                    holds.Add(new List<string>());
                }
                holds[buffer].Add(node.Name);
                planning.BufferOf[write.Id] = buffer;
            }
            // Free after the writes: a kernel never writes into a buffer it is still reading.
            foreach (int value in kernels[i].Operands.Where(o => o.Kind == OperandKind.Value).Select(o => o.Id).Distinct())
            {
                if (!planning.BufferOf.TryGetValue(value, out int buffer) || value == planning.Output) continue;
                if (!lastRead.TryGetValue(value, out int last) || last <= i) free.Add(buffer);
            }
        }
        for (int b = 0; b < planning.Buffers.Count; b++)
            planning.Buffers[b] = planning.Buffers[b] with { Holds = string.Join(", then ", holds[b]) };
        foreach (var program in planning.Programs) program.Replace(k => k.Map(planning.Bind));
    }
}
