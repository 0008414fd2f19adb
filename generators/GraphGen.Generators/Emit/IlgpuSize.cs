using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Emit;

/// <summary>
/// A size a generated ILGPU kernel computes with: <see cref="Fixed"/> × B^<see cref="Batches"/>, B being the kernel's
/// <c>batch</c> argument (the launch's batch rows). A size without B is a constant of the kernel's body; one with B
/// makes the kernel take <c>int batch</c> (see <see cref="IlgpuKernelMethod.TakesBatch"/>), wherever B stands in a shape.
/// </summary>
internal readonly record struct IlgpuSize(long Fixed, int Batches)
{
    public static readonly IlgpuSize One = new(1, 0);

    public static IlgpuSize Of(int dim) => dim == Shape.Batch ? new IlgpuSize(1, 1) : new IlgpuSize(dim, 0);

    public static IlgpuSize Of(IEnumerable<int> dims) => dims.Aggregate(One, (size, d) => size * Of(d));

    public static IlgpuSize operator *(IlgpuSize a, IlgpuSize b) => new(a.Fixed * b.Fixed, a.Batches + b.Batches);

    public bool IsOne => Fixed == 1 && Batches == 0;

    /// <summary>The size as a C# expression: "12", "batch", "batch * 4", "batch * batch".</summary>
    public override string ToString()
    {
        if (Batches == 0) return Fixed.ToString(CultureInfo.InvariantCulture);
        string rows = string.Join(" * ", Enumerable.Repeat("batch", Batches));
        return Fixed == 1 ? rows : $"{rows} * {Fixed.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The expression safe as an operand of / and %: a product in parentheses.</summary>
    public string Factor => Batches == 0 || (Batches == 1 && Fixed == 1) ? ToString() : $"({this})";
}
