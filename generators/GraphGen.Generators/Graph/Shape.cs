using System;
using System.Linq;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Graph;

/// <summary>
/// A static tensor shape. <see cref="Batch"/> marks the symbolic batch dimension B; every other dimension is
/// known when the model compiles. A scalar has rank 0.
/// </summary>
internal sealed record Shape(EquatableArray<int> Dims)
{
    public const int Batch = -1;

    /// <summary>The most elements one .NET array holds (Array.MaxLength, which netstandard2.0 lacks).</summary>
    public const long MaxArrayLength = 0x7FFFFFC7;

    public static Shape Scalar { get; } = new(EquatableArray<int>.Empty);
    public static Shape Of(params int[] dims) => new(EquatableArray.Of(dims));
    /// <summary>(B, width): one row per sample.</summary>
    public static Shape Rows(int width) => Of(Batch, width);

    public int Rank => Dims.Count;
    public bool HasBatch => Dims.Contains(Batch);
    /// <summary>Elements per batch row (or in all, for a shape without B).</summary>
    public long ElementsPerBatch => Dims.Where(d => d != Batch).Aggregate(1L, (a, d) => a * d);
    public int Last => Dims[Dims.Count - 1];

    public override string ToString() => "(" + string.Join(", ", Dims.Select(d => d == Batch ? "B" : d.ToString())) + ")";

    public bool Equals(Shape? other) => other is not null && Dims.Equals(other.Dims);
    public override int GetHashCode() => Dims.GetHashCode();

    public static Shape Transpose(Shape shape)
        => shape.Rank == 2 ? Of(shape.Dims[1], shape.Dims[0]) : throw new InvalidOperationException($"Transpose of rank-{shape.Rank} shape {shape}.");
}
