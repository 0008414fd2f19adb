using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Graph;

/// <summary>A shape problem found while building the graph; the front end reports it at the expression at fault.</summary>
internal sealed class ShapeException(DiagnosticDescriptor descriptor, params string[] arguments) : Exception(string.Format(descriptor.MessageFormat.ToString(), arguments))
{
    public DiagnosticDescriptor Descriptor { get; } = descriptor;
    public string[] Arguments { get; } = arguments;
}

/// <summary>
/// Builds IR nodes for both front ends, inferring each shape and checking it (NumPy broadcasting, matrix products,
/// reshapes, axes). Dense layers and [Forward] bodies call the same methods, so they lower to the same graph:
/// <c>x·W + b</c> written by hand becomes the BiasAdd a Dense layer makes, and a transpose read by a MatMul
/// becomes the product's transpose flag.
/// </summary>
internal sealed class IrBuilder
{
    private readonly List<Node> _nodes = new();

    public IReadOnlyList<Node> Nodes => _nodes;
    public Node this[int id] => _nodes[id];

    public int Leaf(OpKind op, Shape shape, string name, string layer) => Add(new Node(_nodes.Count, op, EquatableArray<int>.Empty, shape, name, layer));

    public int Constant(double value, string name, string layer)
        => Add(new Node(_nodes.Count, OpKind.Constant, EquatableArray<int>.Empty, Shape.Scalar, name, layer, Value: value));

    /// <summary>a + b, a − b, a ⊙ b or a / b with NumPy broadcasting; a matrix plus a row vector is a BiasAdd.</summary>
    public int Binary(OpKind op, int a, int b, string name, string layer, string symbol)
    {
        var shape = Broadcast(_nodes[a].Shape, _nodes[b].Shape, symbol);
        if (op == OpKind.Add && IsBias(a, b)) return Node(OpKind.BiasAdd, shape, name, layer, a, b);
        if (op == OpKind.Add && IsBias(b, a)) return Node(OpKind.BiasAdd, shape, name, layer, b, a);
        return Node(op, shape, name, layer, a, b);
    }

    /// <summary>A loss of the output against the targets: a scalar.</summary>
    public int Loss(OpKind op, int output, int targets) => Node(op, Shape.Scalar, "loss", "loss", output, targets);

    public int MatMul(int a, int b, string name, string layer)
    {
        Shape sa = _nodes[a].Shape, sb = _nodes[b].Shape;
        RequireRank(a, 2, "MatMul", "matrices (rank 2); use Op.Reshape for vectors");
        RequireRank(b, 2, "MatMul", "matrices (rank 2); use Op.Reshape for vectors");
        // Inner dimensions B and B contract over the batch (hᵀ·h, a Gram matrix): one GEMM with K = batch rows.
        int inner = sa.Dims[1], rows = sb.Dims[0];
        if (inner != rows)
        {
            string hint = inner == Shape.Batch
                ? $"; B, the batch size, is not fixed at {rows}: contract over the batch with a value of B rows "
                  + "(Op.MatMul(Op.Transpose(h), g) for g of shape (B, k)), or multiply each sample as Op.MatMul(h, W)"
                : rows == Shape.Batch ? $"; B, the batch size, is not fixed at {inner}: to multiply each sample, put the batched value first (Op.MatMul(x, W))" : "";
            throw new ShapeException(MatMulMismatch, sa.ToString(), sb.ToString(), Dim(inner), Dim(rows), hint);
        }
        var shape = Shape.Of(sa.Dims[0], sb.Dims[1]);
        // Read a transposed operand in place: one GEMM with a transpose flag, never a copy (one flag at most).
        bool transposeB = _nodes[b].Op == OpKind.Transpose, transposeA = !transposeB && _nodes[a].Op == OpKind.Transpose;
        return Add(new Node(_nodes.Count, OpKind.MatMul,
            EquatableArray.Of(transposeA ? _nodes[a].Inputs[0] : a, transposeB ? _nodes[b].Inputs[0] : b), shape, name, layer, transposeA, transposeB));
    }

    /// <summary>
    /// conv(x, kernel) over NHWC images: x (B, H, W, C), kernel (kh, kw, C, F) as Keras lays it out, each output
    /// pixel the sum over its window and the channels; (B, outH, outW, F) with Keras's output sizes.
    /// </summary>
    public int Conv2D(int x, int kernel, int stride, PaddingKind padding, string name, string layer)
    {
        Shape sx = _nodes[x].Shape, sk = _nodes[kernel].Shape;
        RequireImages(x, "Conv2D");
        if (sk.Rank != 4 || sk.HasBatch)
            throw new ShapeException(RankMismatch, "Conv2D", "a kernel of shape (kernel height, kernel width, input channels, filters)", _nodes[kernel].Name, sk.ToString());
        if (sk.Dims[2] != sx.Dims[3])
            throw new ShapeException(InvalidShape, _nodes[kernel].Name, $"the kernel {sk} reads {sk.Dims[2]} channels but '{_nodes[x].Name}' {sx} has {sx.Dims[3]}");
        var window = new Window(sk.Dims[0], sk.Dims[1], stride, padding);
        var (height, width) = Slide(x, window, "Conv2D");
        return Add(new Node(_nodes.Count, OpKind.Conv2D, EquatableArray.Of(x, kernel), Shape.Of(Shape.Batch, height, width, sk.Dims[3]), name, layer, Window: window));
    }

    /// <summary>The maximum of each pool × pool window of NHWC images, per channel (valid windows).</summary>
    public int MaxPool2D(int x, int pool, int stride, string name, string layer)
    {
        RequireImages(x, "MaxPool2D");
        var window = new Window(pool, pool, stride, PaddingKind.Valid);
        var (height, width) = Slide(x, window, "MaxPool2D");
        return Add(new Node(_nodes.Count, OpKind.MaxPool2D, EquatableArray.Of(x), Shape.Of(Shape.Batch, height, width, _nodes[x].Shape.Dims[3]), name, layer, Window: window));
    }

    /// <summary>x + b with b (channels) added to every pixel: a convolution's bias, whose gradient is a column sum over B·H·W rows.</summary>
    public int ChannelBias(int x, int bias, string name, string layer) => Node(OpKind.BiasAdd, _nodes[x].Shape, name, layer, x, bias);

    private void RequireImages(int x, string op)
    {
        var shape = _nodes[x].Shape;
        if (shape.Rank != 4 || shape.Dims[0] != Shape.Batch || shape.Dims.Skip(1).Contains(Shape.Batch))
            throw new ShapeException(RankMismatch, op, "a batch of NHWC images, (B, height, width, channels)", _nodes[x].Name, shape.ToString());
    }

    private (int Height, int Width) Slide(int x, Window window, string op)
    {
        var shape = _nodes[x].Shape;
        if (window.Height <= 0 || window.Width <= 0 || window.Stride <= 0)
            throw new ShapeException(InvalidShape, _nodes[x].Name, $"{op} needs a window and a stride of at least 1 (got {window.Height}×{window.Width}, stride {window.Stride})");
        if (window.Padding == PaddingKind.Valid && (window.Height > shape.Dims[1] || window.Width > shape.Dims[2]))
            throw new ShapeException(InvalidShape, _nodes[x].Name, $"{op}'s {window.Height}×{window.Width} window does not fit in its {shape.Dims[1]}×{shape.Dims[2]} images (valid padding)");
        return (Window.Output(shape.Dims[1], window.Height, window.Stride, window.Padding), Window.Output(shape.Dims[2], window.Width, window.Stride, window.Padding));
    }

    public int Transpose(int a, string name, string layer)
    {
        RequireRank(a, 2, "Transpose", "a matrix (rank 2)");
        return Node(OpKind.Transpose, Shape.Transpose(_nodes[a].Shape), name, layer, a);
    }

    /// <summary>
    /// Reshapes to <paramref name="dims"/>, one of which may be −1 (inferred), as NumPy does. A batched value keeps
    /// its batch dimension first, written −1: <c>Op.Reshape(images, -1, 64)</c> turns (B, 8, 8) into (B, 64).
    /// </summary>
    public int Reshape(int a, IReadOnlyList<int> dims, string name, string layer)
    {
        var source = _nodes[a].Shape;
        string target = "(" + string.Join(", ", dims) + ")";
        if (dims.Count(d => d == -1) > 1 || dims.Any(d => d == 0 || d < -1))
            throw new ShapeException(ReshapeMismatch, source.ToString(), target, "dimensions must be positive, with at most one −1 to infer");
        if (source.HasBatch && (source.Dims[0] != Shape.Batch || source.Dims.Skip(1).Contains(Shape.Batch)))
            throw new ShapeException(RankMismatch, "Reshape", "the batch dimension B once, as the first axis (Op.Transpose a (n, B) value back first; "
                + "reduce a (B, B) value over one axis, as in Op.Sum(v, 1))", _nodes[a].Name, source.ToString());
        long known = dims.Where(d => d != -1).Aggregate(1L, (p, d) => p * d);
        long elements = source.ElementsPerBatch;
        int[] resolved = dims.ToArray();
        if (source.HasBatch)
        {
            if (dims.Count == 0 || dims[0] != -1)
                throw new ShapeException(ReshapeMismatch, source.ToString(), target, "a batched value keeps B first: write it as −1, as in Op.Reshape(x, -1, …)");
            if (known != elements)
                throw new ShapeException(ReshapeMismatch, source.ToString(), target, $"{elements} values per sample cannot become {known}");
            resolved[0] = Shape.Batch;
        }
        else if (Array.IndexOf(resolved, -1) is int unknown and >= 0)
        {
            if (elements % known != 0)
                throw new ShapeException(ReshapeMismatch, source.ToString(), target, $"{elements} values do not divide by {known}");
            resolved[unknown] = (int)(elements / known);
        }
        else if (known != elements)
            throw new ShapeException(ReshapeMismatch, source.ToString(), target, $"{elements} values cannot become {known}");
        var shape = Shape.Of(resolved);
        if (shape.Equals(source)) return a;
        if (_nodes[a].Op == OpKind.Reshape) a = _nodes[a].Inputs[0]; // one reshape of the original values
        return _nodes[a].Shape.Equals(shape) ? a : Node(OpKind.Reshape, shape, name, layer, a);
    }

    public int Concat(IReadOnlyList<int> parts, int axis, string name, string layer)
    {
        var first = _nodes[parts[0]].Shape;
        int resolved = ResolveAxis("Concat", axis, first);
        long total = 0;
        foreach (int part in parts)
        {
            var shape = _nodes[part].Shape;
            if (shape.Rank != first.Rank)
                throw new ShapeException(ConcatMismatch, axis.ToString(), first.ToString(), shape.ToString(), $"ranks {first.Rank} and {shape.Rank} differ");
            for (int d = 0; d < shape.Rank; d++)
            {
                if (d == resolved) continue;
                if (shape.Dims[d] != first.Dims[d])
                    throw new ShapeException(ConcatMismatch, axis.ToString(), first.ToString(), shape.ToString(),
                        $"dimension {d} differs ({Dim(first.Dims[d])} and {Dim(shape.Dims[d])}){NotFixed(first.Dims[d], shape.Dims[d])}");
            }
            if (shape.Dims[resolved] == Shape.Batch)
                throw new ShapeException(ConcatMismatch, axis.ToString(), first.ToString(), shape.ToString(),
                    "pieces cannot be stacked along the batch axis, which has no fixed length; join them along another axis (side by side in each row)");
            total += shape.Dims[resolved];
        }
        if (parts.Count == 1) return parts[0];
        var dims = first.Dims.ToArray();
        dims[resolved] = checked((int)total);
        return Add(new Node(_nodes.Count, OpKind.Concat, EquatableArray.From(parts), Shape.Of(dims), name, layer, Axis: resolved));
    }

    public int Slice(int a, int axis, int offset, int length, string name, string layer)
    {
        var dims = _nodes[a].Shape.Dims.ToArray();
        dims[axis] = length;
        return Add(new Node(_nodes.Count, OpKind.Slice, EquatableArray.Of(a), Shape.Of(dims), name, layer, Axis: axis, Offset: offset));
    }

    public int Activation(ActivationKind activation, int a, string name, string layer)
        => Add(new Node(_nodes.Count, OpKind.Activation, EquatableArray.Of(a), _nodes[a].Shape, name, layer, Activation: activation));

    public int Softmax(int a, string name, string layer)
    {
        RequireRank(a, 1, "Softmax", "at least one axis (it normalises the last)", atLeast: true);
        return Node(OpKind.Softmax, _nodes[a].Shape, name, layer, a);
    }

    /// <summary>
    /// Inverted dropout of <paramref name="a"/> at <paramref name="rate"/> (checked in [0, 1) where it was written). Each
    /// dropout gets a stream of its own (its number among the graph's dropouts), so two of them never share a mask.
    /// </summary>
    public int Dropout(int a, double rate, string name, string layer)
    {
        int stream = _nodes.Count(n => n.Op == OpKind.Dropout);
        return Add(new Node(_nodes.Count, OpKind.Dropout, EquatableArray.Of(a), _nodes[a].Shape, name, layer, Offset: stream, Value: rate));
    }

    /// <summary>
    /// Batch normalisation of <paramref name="x"/> over every axis but the last (its C channels: (B, C), or NHWC (B, H, W, C)),
    /// as Keras's BatchNormalization(axis=−1): γ, β and the moving statistics are (C) vectors. Two nodes: the statistics
    /// ((2, C): mean, 1/√(var + ε)) and the normalisation that reads them; the Fusion stage lowers the statistics the
    /// training way (the batch's, updating the moving averages with <paramref name="momentum"/>) or the inference way.
    /// </summary>
    public int BatchNormalization(int x, int gamma, int beta, int movingMean, int movingVariance, double momentum, double epsilon, string name, string layer)
    {
        var shape = _nodes[x].Shape;
        if (shape.Rank < 2 || shape.Dims[0] != Shape.Batch || shape.Dims.Skip(1).Contains(Shape.Batch))
            throw new ShapeException(RankMismatch, "BatchNormalization", "a batch of samples, (B, …, C), with B first and once", _nodes[x].Name, shape.ToString());
        int channels = shape.Last;
        foreach (int vector in new[] { gamma, beta, movingMean, movingVariance })
            if (!_nodes[vector].Shape.Equals(Shape.Of(channels)))
                throw new ShapeException(RankMismatch, "BatchNormalization", $"γ, β, the moving mean and the moving variance of shape ({channels}), one value per channel (the last axis of {shape})",
                    _nodes[vector].Name, _nodes[vector].Shape.ToString());
        int statistics = Add(new Node(_nodes.Count, OpKind.BatchNormStatistics, EquatableArray.Of(x, movingMean, movingVariance), Shape.Of(2, channels),
            name + "_statistics", layer, Value: momentum, Epsilon: epsilon));
        return Node(OpKind.BatchNormalize, shape, name, layer, x, statistics, gamma, beta);
    }

    /// <summary>−x, e^x, ln x, √x or x².</summary>
    public int Unary(OpKind op, int a, string name, string layer) => Node(op, _nodes[a].Shape, name, layer, a);

    /// <summary>Σ or mean over <paramref name="axis"/>, or over every axis to a scalar for <see cref="Node.AllAxes"/>.</summary>
    public int Reduce(OpKind op, int a, int axis, string name, string layer)
    {
        var shape = _nodes[a].Shape;
        if (axis == Graph.Node.AllAxes)
            return Add(new Node(_nodes.Count, op, EquatableArray.Of(a), Shape.Scalar, name, layer, Axis: Graph.Node.AllAxes));
        int resolved = ResolveAxis(op.ToString(), axis, shape);
        var dims = shape.Dims.Where((_, i) => i != resolved).ToArray();
        return Add(new Node(_nodes.Count, op, EquatableArray.Of(a), Shape.Of(dims), name, layer, Axis: resolved));
    }

    /// <summary>
    /// Drops what the named values do not need (a local never used, a transpose folded into a product) and
    /// renumbers. Leaves stay, so an unread parameter still has its node (and no gradient).
    /// </summary>
    public (List<Node> Nodes, Func<int, int> Map) Prune(params int[] roots)
    {
        var keep = new bool[_nodes.Count];
        foreach (int root in roots) if (root >= 0) keep[root] = true;
        for (int id = _nodes.Count - 1; id >= 0; id--)
        {
            if (_nodes[id].IsLeaf) keep[id] = true;
            if (!keep[id]) continue;
            foreach (int input in _nodes[id].Inputs) keep[input] = true;
        }
        var map = new int[_nodes.Count];
        var kept = new List<Node>();
        for (int id = 0; id < _nodes.Count; id++)
        {
            map[id] = -1;
            if (!keep[id]) continue;
            map[id] = kept.Count;
            var node = _nodes[id];
            kept.Add(node with { Id = kept.Count, Inputs = EquatableArray.From(node.Inputs.Select(i => map[i])) });
        }
        return (kept, id => id < 0 ? id : map[id]);
    }

    private bool IsBias(int matrix, int vector)
    {
        Shape m = _nodes[matrix].Shape, v = _nodes[vector].Shape;
        // A convolution's result plus a vector of its channels is its bias, as a layer's is (one fused kernel).
        bool rows = m.Rank == 2 || (_nodes[matrix].Op == OpKind.Conv2D);
        return rows && v.Rank == 1 && v.Dims[0] == m.Last && v.Dims[0] != Shape.Batch;
    }

    private static Shape Broadcast(Shape a, Shape b, string symbol)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 1; i <= rank; i++)
        {
            int da = i <= a.Rank ? a.Dims[a.Rank - i] : 1, db = i <= b.Rank ? b.Dims[b.Rank - i] : 1;
            if (da == db || db == 1) dims[rank - i] = da;
            else if (da == 1) dims[rank - i] = db;
            else throw new ShapeException(BroadcastMismatch, symbol, a.ToString(), b.ToString(),
                $"dimension {Dim(da)} and {Dim(db)} differ (counting from the last axis, axis −{i}) and neither is 1{NotFixed(da, db)}"
                + (a.Rank == 1 && da == Shape.Batch || b.Rank == 1 && db == Shape.Batch ? "; a value per sample, (B), broadcasts across a row as (B, 1): Op.Reshape(v, -1, 1)" : ""));
        }
        return Shape.Of(dims);
    }

    private void RequireRank(int id, int rank, string op, string what, bool atLeast = false)
    {
        var shape = _nodes[id].Shape;
        if (atLeast ? shape.Rank < rank : shape.Rank != rank)
            throw new ShapeException(RankMismatch, op, what, _nodes[id].Name, shape.ToString());
    }

    private static int ResolveAxis(string op, int axis, Shape shape)
    {
        int resolved = axis < 0 ? axis + shape.Rank : axis;
        if (resolved < 0 || resolved >= shape.Rank)
            throw new ShapeException(AxisOutOfRange, op, axis.ToString(), shape.ToString(), Math.Max(0, shape.Rank - 1).ToString());
        return resolved;
    }

    private static string Dim(int d) => d == Shape.Batch ? "B" : d.ToString();

    /// <summary>Why B differs from a number n: "; B, the batch size, is not fixed at n" (nothing when both or neither are B).</summary>
    private static string NotFixed(int a, int b)
        => (a == Shape.Batch) == (b == Shape.Batch) ? "" : $"; B, the batch size, is not fixed at {(a == Shape.Batch ? b : a)}";

    private int Node(OpKind op, Shape shape, string name, string layer, params int[] inputs)
        => Add(new Node(_nodes.Count, op, EquatableArray.Of(inputs), shape, name, layer));

    private int Add(Node node)
    {
        _nodes.Add(node);
        return node.Id;
    }
}
