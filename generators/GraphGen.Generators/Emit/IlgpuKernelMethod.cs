using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace GraphGen.Generators.Emit;

/// <summary>How an ILGPU kernel's threads cover its work: one per value, per row, or per column.</summary>
internal enum IlgpuGrid { Values, Rows, Columns }

/// <summary>
/// One generated ILGPU kernel: a static method whose first parameter is the thread's index (<see cref="Grid"/> says of
/// what), then its views and scalars, and the body one thread runs. The sequence methods launch it through the
/// delegate field <see cref="Field"/>, which Load fills. A body whose sizes hold B (an <see cref="IlgpuSize"/> spelled
/// over <c>batch</c>) takes the launch's batch rows as its last argument, <c>int batch</c>.
/// </summary>
internal sealed record IlgpuKernelMethod(string Name, string Summary, IlgpuGrid Grid, IReadOnlyList<(string Type, string Name)> Parameters,
    IReadOnlyList<string> Body)
{
    public const string Index = "global::ILGPU.Index1D";

    public static string View(string element) => $"global::ILGPU.ArrayView<{element}>";

    private static readonly Regex s_batch = new(@"\bbatch\b", RegexOptions.CultureInvariant);

    /// <summary>Whether the body computes with B: the kernel then takes <c>int batch</c> after its other parameters.</summary>
    public bool TakesBatch => Body.Any(line => s_batch.IsMatch(line));

    /// <summary>Every parameter after the index: the declared ones, then <c>int batch</c> where <see cref="TakesBatch"/>.</summary>
    public IEnumerable<(string Type, string Name)> AllParameters => TakesBatch ? Parameters.Append(("int", "batch")) : Parameters;

    /// <summary>The index parameter's name: <c>i</c> over values, <c>r</c> over rows, <c>col</c> over columns.</summary>
    public string IndexName => Grid switch { IlgpuGrid.Rows => "r", IlgpuGrid.Columns => "col", _ => "i" };

    /// <summary>The delegate field Load sets: "_hiddenBiasRelu".</summary>
    public string Field => "_" + char.ToLowerInvariant(Name[0]) + Name.Substring(1);

    /// <summary>The type arguments of the loaded delegate (and of LoadAutoGroupedStreamKernel): the index, then each parameter's type.</summary>
    public string TypeArguments => string.Join(", ", new[] { Index }.Concat(AllParameters.Select(p => p.Type)));

    public string Signature => $"private static void {Name}({Index} {IndexName}, {string.Join(", ", AllParameters.Select(p => p.Type + " " + p.Name))})";

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
