using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Ops;

/// <summary>
/// The one table of ops: every entry of every family (element-wise, layout, reductions, the neural-network ops and
/// losses), looked up by kind (Graph, Autodiff, Fusion, Emit) or by the <c>GraphGen.Op</c> method a body calls
/// (Parsing). Adding an op is one entry here, its runtime kernel and its tests (README: "Adding an op").
/// </summary>
internal static class OpTable
{
    private static readonly Dictionary<OpKind, OpDef> s_byKind;
    private static readonly Dictionary<string, OpDef> s_bySpelling;

    static OpTable()
    {
        var all = ElementwiseOps.All.Concat(LayoutOps.All).Concat(ReductionOps.All).Concat(NeuralOps.All).Concat(ImageOps.All).Concat(RegularizationOps.All).ToList();
        s_byKind = all.ToDictionary(d => d.Kind);
        s_bySpelling = all.Where(d => d.Spelling is not null).ToDictionary(d => d.Spelling!, StringComparer.Ordinal);
    }

    public static IEnumerable<OpDef> All => s_byKind.Values;

    public static OpDef Of(OpKind kind)
        => s_byKind.TryGetValue(kind, out var def) ? def : throw new NotSupportedException($"{kind} has no entry in the op table.");

    /// <summary>The op a <c>GraphGen.Op</c> method names (activations are in <see cref="Activations"/>).</summary>
    public static bool TryBySpelling(string method, out OpDef def) => s_bySpelling.TryGetValue(method, out def!);
}
