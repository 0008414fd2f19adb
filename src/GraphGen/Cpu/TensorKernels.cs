using System.ComponentModel;
using System.Numerics.Tensors;

namespace GraphGen.Cpu;

// Hidden from IntelliSense: the generated code's kernels (Op's eager methods call them inside the runtime); a model's user never calls them.

/// <summary>
/// The general tensor kernels of [Forward] and [Differentiable] code and of the eager <see cref="Op"/> methods:
/// element-wise arithmetic with NumPy broadcasting and its reverse (summing back to an operand's shape), transpose,
/// block copies for concat and slice, and reductions over an axis with their expansions. Shapes come as dimension
/// lists (the generated code passes them as stack-allocated collection expressions); buffers are row-major and may
/// be longer than the shape needs. The common layouts take TensorPrimitives' vectorised paths; others an index walk.
/// The element-wise maximum and minimum, the comparison masks their gradients use, sign and the maximum over an axis
/// are in TensorKernels.Compare.cs.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class TensorKernels
{
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<AddOp>(a, aDims, b, bDims, c, cDims);

    public static void Subtract(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<SubtractOp>(a, aDims, b, bDims, c, cDims);

    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<MultiplyOp>(a, aDims, b, bDims, c, cDims);

    public static void Divide(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        => Binary<DivideOp>(a, aDims, b, bDims, c, cDims);

    /// <summary>The shape NumPy broadcasting gives two shapes, or an exception naming both.</summary>
    public static int[] BroadcastShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        for (int i = 1; i <= rank; i++)
        {
            int da = i <= a.Length ? a[^i] : 1, db = i <= b.Length ? b[^i] : 1;
            dims[rank - i] = da == db || db == 1 ? da : da == 1 ? db
                : throw new ArgumentException($"Shapes {Format(a)} and {Format(b)} do not broadcast: dimension {da} and {db} differ at axis −{i} and neither is 1.");
        }
        return dims;
    }

    /// <summary>Σ of <paramref name="source"/> over the axes broadcasting added or stretched, into <paramref name="destination"/>'s shape.</summary>
    public static void SumTo(ReadOnlySpan<float> source, ReadOnlySpan<int> sourceDims, Span<float> destination, ReadOnlySpan<int> destinationDims)
    {
        if (!Broadcasts(sourceDims, destinationDims, sourceDims))
            throw new ArgumentException($"Shape {Format(destinationDims)} does not broadcast to {Format(sourceDims)}, so a gradient cannot sum back to it.");
        int total = Count(sourceDims, source.Length, nameof(source)), count = Count(destinationDims, destination.Length, nameof(destination));
        var dst = destination[..count];
        if (total == count)
        {
            source[..total].CopyTo(dst);
            return;
        }
        if (count == 1)
        {
            dst[0] = TensorPrimitives.Sum(source[..total]);
            return;
        }
        dst.Clear();
        if (IsSuffix(destinationDims, sourceDims))
        {
            for (int row = 0; row < total; row += count) TensorPrimitives.Add(dst, source.Slice(row, count), dst);
            return;
        }
        Span<int> strides = stackalloc int[sourceDims.Length];
        AlignedStrides(destinationDims, sourceDims, strides);
        Span<int> index = stackalloc int[sourceDims.Length];
        for (int i = 0; i < total; i++)
        {
            int offset = 0;
            for (int d = 0; d < index.Length; d++) offset += index[d] * strides[d];
            dst[offset] += source[i];
            Increment(index, sourceDims);
        }
    }

    /// <summary>destination (cols × rows) = sourceᵀ for source (rows × cols).</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        Kernels.CheckRows(source, rows, cols, nameof(source));
        Kernels.CheckRows(destination, cols, rows, nameof(destination));
        const int Block = 32; // tiles that stay in L1 on both sides
        for (int i0 = 0; i0 < rows; i0 += Block)
            for (int j0 = 0; j0 < cols; j0 += Block)
                for (int i = i0; i < Math.Min(i0 + Block, rows); i++)
                    for (int j = j0; j < Math.Min(j0 + Block, cols); j++)
                        destination[j * rows + i] = source[i * cols + j];
    }

    /// <summary>
    /// Copies <paramref name="rows"/> runs of <paramref name="width"/> values, run r from source[r·sourceStride + sourceOffset]
    /// to destination[r·destinationStride + destinationOffset]: one piece of a concat, or a slice.
    /// </summary>
    public static void CopyBlock(ReadOnlySpan<float> source, int sourceStride, int sourceOffset, Span<float> destination, int destinationStride,
        int destinationOffset, int rows, int width)
    {
        if (rows < 0 || width < 0 || sourceOffset + width > sourceStride || destinationOffset + width > destinationStride)
            throw new ArgumentOutOfRangeException(nameof(width), $"Runs of {width} at offsets {sourceOffset} and {destinationOffset} do not fit strides {sourceStride} and {destinationStride}.");
        if (rows > 0 && (source.Length < (long)(rows - 1) * sourceStride + sourceOffset + width || destination.Length < (long)(rows - 1) * destinationStride + destinationOffset + width))
            throw new ArgumentException($"Buffers too short for {rows} runs of {width} values.");
        for (int r = 0; r < rows; r++)
            source.Slice(r * sourceStride + sourceOffset, width).CopyTo(destination.Slice(r * destinationStride + destinationOffset, width));
    }

    /// <summary>
    /// destination[o, i] = scale · Σ_k source[o, k, i] for source seen as (outer, count, inner): a sum (scale 1) or a
    /// mean (scale 1/count) over one axis.
    /// </summary>
    public static void Sum(ReadOnlySpan<float> source, Span<float> destination, int outer, int count, int inner, float scale)
    {
        CheckBlocks(source, destination, outer, count, inner);
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                destination[o] = scale * TensorPrimitives.Sum(source.Slice(o * count, count));
                continue;
            }
            var row = destination.Slice(o * inner, inner);
            row.Clear();
            for (int k = 0; k < count; k++) TensorPrimitives.Add(row, source.Slice((o * count + k) * inner, inner), row);
            if (scale != 1f) TensorPrimitives.Multiply(row, scale, row);
        }
    }

    /// <summary>destination[o, k, i] = scale · source[o, i]: the gradient of <see cref="Sum"/>, repeating along the axis it removed.</summary>
    public static void Expand(ReadOnlySpan<float> source, Span<float> destination, int outer, int count, int inner, float scale)
    {
        CheckBlocks(destination, source, outer, count, inner);
        for (int o = 0; o < outer; o++)
        {
            var from = source.Slice(o * inner, inner);
            for (int k = 0; k < count; k++) TensorPrimitives.Multiply(from, scale, destination.Slice((o * count + k) * inner, inner));
        }
    }

    private static void Binary<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<int> aDims, ReadOnlySpan<float> b, ReadOnlySpan<int> bDims, Span<float> c, ReadOnlySpan<int> cDims)
        where TOp : IBinaryOp
    {
        if (!Broadcasts(aDims, bDims, cDims))
            throw new ArgumentException($"Shapes {Format(aDims)} and {Format(bDims)} broadcast to {Format(BroadcastShape(aDims, bDims))}, not {Format(cDims)}.");
        int na = Count(aDims, a.Length, nameof(a)), nb = Count(bDims, b.Length, nameof(b)), n = Count(cDims, c.Length, nameof(c));
        if (na == n && nb == n) TOp.Apply(a[..n], b[..n], c[..n]);
        else if (nb == 1) TOp.Apply(a[..n], b[0], c[..n]);
        else if (na == 1) TOp.Apply(a[0], b[..n], c[..n]);
        else if (IsSuffix(bDims, cDims) && na == n)
            for (int row = 0; row < n; row += nb) TOp.Apply(a.Slice(row, nb), b[..nb], c.Slice(row, nb));
        else if (IsSuffix(aDims, cDims) && nb == n)
            for (int row = 0; row < n; row += na) TOp.Apply(a[..na], b.Slice(row, na), c.Slice(row, na));
        else
        {
            Span<int> aStrides = stackalloc int[cDims.Length], bStrides = stackalloc int[cDims.Length], index = stackalloc int[cDims.Length];
            AlignedStrides(aDims, cDims, aStrides);
            AlignedStrides(bDims, cDims, bStrides);
            for (int i = 0; i < n; i++)
            {
                int ia = 0, ib = 0;
                for (int d = 0; d < index.Length; d++)
                {
                    ia += index[d] * aStrides[d];
                    ib += index[d] * bStrides[d];
                }
                c[i] = TOp.Apply(a[ia], b[ib]);
                Increment(index, cDims);
            }
        }
    }

    /// <summary>Whether a and b broadcast to exactly c (checked without allocating: this runs every training step).</summary>
    private static bool Broadcasts(ReadOnlySpan<int> a, ReadOnlySpan<int> b, ReadOnlySpan<int> c)
    {
        if (c.Length != Math.Max(a.Length, b.Length)) return false;
        for (int i = 1; i <= c.Length; i++)
        {
            int da = i <= a.Length ? a[^i] : 1, db = i <= b.Length ? b[^i] : 1;
            int expected = da == db || db == 1 ? da : da == 1 ? db : -1;
            if (expected != c[^i]) return false;
        }
        return true;
    }

    /// <summary>Strides of an operand over the full shape's axes, right-aligned, 0 along axes it is broadcast over.</summary>
    private static void AlignedStrides(ReadOnlySpan<int> operand, ReadOnlySpan<int> full, Span<int> strides)
    {
        int stride = 1;
        for (int i = 1; i <= full.Length; i++)
        {
            int dim = i <= operand.Length ? operand[^i] : 1;
            strides[full.Length - i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
    }

    private static void Increment(Span<int> index, ReadOnlySpan<int> dims)
    {
        for (int d = index.Length - 1; d >= 0; d--)
        {
            if (++index[d] < dims[d]) return;
            index[d] = 0;
        }
    }

    /// <summary>Whether <paramref name="part"/> equals the last axes of <paramref name="full"/> (leading 1s ignored).</summary>
    private static bool IsSuffix(ReadOnlySpan<int> part, ReadOnlySpan<int> full)
    {
        while (part.Length > 0 && part[0] == 1) part = part[1..];
        return part.Length <= full.Length && full[^part.Length..].SequenceEqual(part);
    }

    private static int Count(ReadOnlySpan<int> dims, int available, string name)
    {
        long count = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(name, $"Shape {Format(dims)} has a negative dimension.");
            count *= d;
        }
        if (count > available) throw new ArgumentException($"'{name}' holds {available} values; shape {Format(dims)} needs {count}.", name);
        return (int)count;
    }

    private static void CheckBlocks(ReadOnlySpan<float> full, ReadOnlySpan<float> reduced, int outer, int count, int inner)
    {
        if (outer < 0 || count <= 0 || inner <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"Invalid blocks ({outer}, {count}, {inner}).");
        if (full.Length < (long)outer * count * inner || reduced.Length < (long)outer * inner)
            throw new ArgumentException($"Buffers of {full.Length} and {reduced.Length} values are too short for ({outer}, {count}, {inner}).");
    }

    internal static string Format(ReadOnlySpan<int> dims) => "(" + string.Join(", ", dims.ToArray()) + ")";

    private interface IBinaryOp
    {
        static abstract float Apply(float a, float b);
        static abstract void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c);
        static abstract void Apply(ReadOnlySpan<float> a, float b, Span<float> c);
        static abstract void Apply(float a, ReadOnlySpan<float> b, Span<float> c);
    }

    private readonly struct AddOp : IBinaryOp
    {
        public static float Apply(float a, float b) => a + b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Add(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Add(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Add(b, a, c);
    }

    private readonly struct SubtractOp : IBinaryOp
    {
        public static float Apply(float a, float b) => a - b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Subtract(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Subtract(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Subtract(a, b, c);
    }

    private readonly struct MultiplyOp : IBinaryOp
    {
        public static float Apply(float a, float b) => a * b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Multiply(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Multiply(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Multiply(b, a, c);
    }

    private readonly struct DivideOp : IBinaryOp
    {
        public static float Apply(float a, float b) => a / b;
        public static void Apply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Divide(a, b, c);
        public static void Apply(ReadOnlySpan<float> a, float b, Span<float> c) => TensorPrimitives.Divide(a, b, c);
        public static void Apply(float a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Divide(a, b, c);
    }
}
