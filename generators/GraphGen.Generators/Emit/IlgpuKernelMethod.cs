using System.Collections.Generic;
using System.Linq;

namespace GraphGen.Generators.Emit;

/// <summary>How an ILGPU kernel's threads cover its work: one per value, per row, or per column.</summary>
internal enum IlgpuGrid { Values, Rows, Columns }

/// <summary>
/// One generated ILGPU kernel: a static method whose first parameter is the thread's index (<see cref="Grid"/> says of
/// what), then its views and scalars, and the body one thread runs. The sequence methods launch it through the
/// delegate field <see cref="Field"/>, which Load fills.
/// </summary>
internal sealed record IlgpuKernelMethod(string Name, string Summary, IlgpuGrid Grid, IReadOnlyList<(string Type, string Name)> Parameters,
    IReadOnlyList<string> Body)
{
    public const string Index = "global::ILGPU.Index1D";

    public static string View(string element) => $"global::ILGPU.ArrayView<{element}>";

    /// <summary>The index parameter's name: <c>i</c> over values, <c>r</c> over rows, <c>col</c> over columns.</summary>
    public string IndexName => Grid switch { IlgpuGrid.Rows => "r", IlgpuGrid.Columns => "col", _ => "i" };

    /// <summary>The delegate field Load sets: "_hiddenBiasRelu".</summary>
    public string Field => "_" + char.ToLowerInvariant(Name[0]) + Name.Substring(1);

    /// <summary>The type arguments of the loaded delegate (and of LoadAutoGroupedStreamKernel): the index, then each parameter's type.</summary>
    public string TypeArguments => string.Join(", ", new[] { Index }.Concat(Parameters.Select(p => p.Type)));

    public string Signature => $"private static void {Name}({Index} {IndexName}, {string.Join(", ", Parameters.Select(p => p.Type + " " + p.Name))})";

    /// <summary>What makes two kernels the same kernel, whatever their name: the grid, the parameters and the body.</summary>
    public string Key => Grid + "|" + string.Join(",", Parameters.Select(p => p.Type + " " + p.Name)) + "|" + string.Join("\n", Body);

    public void Write(CodeWriter w)
    {
        w.Line($"/// <summary>{Summary}</summary>")
         .Open(Signature);
        foreach (string line in Body) w.Line(line);
        w.Close();
    }
}
