using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// The plan as text after a pass, for contributors (the GraphGenDumpPlan build property): each program's kernels in
/// order with their operands as ids (%12 is node 12's value, buf3 a buffer, hidden.weight a parameter, ∂hidden.weight
/// its gradient), what each pass decided, and the buffers once planned.
/// </summary>
internal static class PlanDump
{
    public static IEnumerable<string> Render(Planning planning)
    {
        foreach (var program in planning.Programs)
        {
            yield return $"  {program.Name} ({program.Kernels.Count} kernels)";
            foreach (var kernel in program.Kernels) yield return "    " + Kernel(kernel, planning);
        }
        var decisions = new List<string>();
        if (planning.IsModel)
            decisions.Add("optimizer after the step: " + (planning.UpdatedAfterStep.Count == 0 ? "none"
                : string.Join(", ", planning.UpdatedAfterStep.Select(p => planning.Graph.Forward.Parameters[p].Name))));
        foreach (string decision in decisions) yield return "  " + decision;
        for (int b = 0; b < planning.Buffers.Count; b++)
            yield return $"  buf{b} {planning.Buffers[b].Shape}: {planning.Buffers[b].Holds}";
    }

    private static string Kernel(Kernel kernel, Planning planning)
    {
        string name = kernel.GetType().Name.Replace("Kernel", "");
        string detail = kernel switch
        {
            GemmKernel g => $" {(g.TransposeA ? "T" : "N")}{(g.TransposeB ? "T" : "N")} m={Dim(g.M)} n={Dim(g.N)} k={Dim(g.K)}"
                + (g.Epilogue.Kind == EpilogueKind.None ? "" : $" epilogue={g.Epilogue.Kind}({g.Epilogue.Activation})"),
            TensorKernel t => " " + t.Op,
            _ => "",
        };
        string reads = string.Join(", ", kernel.Reads.Select(o => Operand(o, planning)));
        string writes = string.Join(", ", kernel.Writes.Select(o => Operand(o, planning)));
        return $"{name}{detail} [{kernel.Layer}] {reads} → {writes}    # {kernel.Math}";
    }

    private static string Operand(Operand o, Planning planning) => o.Kind switch
    {
        OperandKind.Input => "x",
        OperandKind.Targets => "targets",
        OperandKind.Value => $"%{o.Id}",
        OperandKind.Buffer => $"buf{o.Id}",
        OperandKind.ParameterValue => planning.Graph.Forward.Parameters[o.Id].Name,
        OperandKind.ParameterGradient => "∂" + planning.Graph.Forward.Parameters[o.Id].Name,
        _ => o.Number.ToString("R", CultureInfo.InvariantCulture),
    } + (o.Kind == OperandKind.Constant ? "" : o.Shape.ToString());

    private static string Dim(int d) => d == Shape.Batch ? "B" : d.ToString(CultureInfo.InvariantCulture);
}
