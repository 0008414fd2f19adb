using GraphGen.Generators.Graph;
using GraphGen.Tests.Models;

namespace GraphGen.Tests.Numerics;

/// <summary>
/// Evaluates any IR graph (forward and gradient ops) in double precision with plain loops: the slow,
/// obviously-correct reference the gradient rules are checked against.
/// </summary>
internal static partial class IrInterpreter
{
    /// <summary>Values of every node; leaves come from <paramref name="leaves"/> (labels as doubles).</summary>
    public static double[][] Run(IReadOnlyList<Node> nodes, IReadOnlyDictionary<int, double[]> leaves, int batch)
    {
        var values = new double[nodes.Count][];
        foreach (var node in nodes)
            values[node.Id] = node.Op == OpKind.Constant ? new[] { node.Value } : node.IsLeaf ? leaves[node.Id] : Evaluate(node, values, nodes, batch);
        return values;
    }

    public static int[] Dims(Shape shape, int batch) => shape.Dims.Select(d => d == Shape.Batch ? batch : d).ToArray();

    private static double[] Evaluate(Node n, double[][] v, IReadOnlyList<Node> nodes, int batch)
    {
        double[] In(int i) => v[n.Inputs[i]];
        int[] InDims(int i) => Dims(nodes[n.Inputs[i]].Shape, batch);
        int rows = n.Shape.Rank == 0 ? 1 : Dims(n.Shape, batch)[0];
        int cols = n.Shape.Rank == 2 ? Dims(n.Shape, batch)[1] : 1;
        switch (n.Op)
        {
            case OpKind.MatMul:
            {
                int[] da = InDims(0), db = InDims(1);
                int m = n.TransposeA ? da[1] : da[0], k = n.TransposeA ? da[0] : da[1], nn = n.TransposeB ? db[0] : db[1];
                var c = new double[m * nn];
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < nn; j++)
                        for (int p = 0; p < k; p++)
                            c[i * nn + j] += (n.TransposeA ? In(0)[p * m + i] : In(0)[i * k + p]) * (n.TransposeB ? In(1)[j * k + p] : In(1)[p * nn + j]);
                return c;
            }
            case OpKind.BiasAdd: return Map2(In(0), (x, i) => x + In(1)[i % cols]);
            case OpKind.Add: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), (a, b) => a + b);
            case OpKind.Subtract: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), (a, b) => a - b);
            case OpKind.Multiply: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), (a, b) => a * b);
            case OpKind.Divide: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), (a, b) => a / b);
            case OpKind.Negate: return Map2(In(0), (x, _) => -x);
            case OpKind.Exp: return Map2(In(0), (x, _) => Math.Exp(x));
            case OpKind.Log: return Map2(In(0), (x, _) => Math.Log(x));
            case OpKind.Sqrt: return Map2(In(0), (x, _) => Math.Sqrt(x));
            case OpKind.Square: return Map2(In(0), (x, _) => x * x);
            case OpKind.Abs: return Map2(In(0), (x, _) => Math.Abs(x));
            case OpKind.Sign: return Map2(In(0), (x, _) => Math.Sign(x));
            case OpKind.Maximum: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), Math.Max);
            case OpKind.Minimum: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), Math.Min);
            case OpKind.GreaterEqual: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), (a, b) => a >= b ? 1 : 0);
            case OpKind.Equal: return Broadcast(In(0), InDims(0), In(1), InDims(1), Dims(n.Shape, batch), (a, b) => a == b ? 1 : 0);
            case OpKind.Reshape: return (double[])In(0).Clone();
            case OpKind.Transpose:
            {
                int[] d = InDims(0);
                var t = new double[d[0] * d[1]];
                for (int i = 0; i < d[0]; i++)
                    for (int j = 0; j < d[1]; j++) t[j * d[0] + i] = In(0)[i * d[1] + j];
                return t;
            }
            case OpKind.Concat:
            {
                // Walk the output; each index along the axis belongs to one input.
                int[] d = Dims(n.Shape, batch);
                var y = new double[d.Aggregate(1, (a, b) => a * b)];
                int outer = d.Take(n.Axis).Aggregate(1, (a, b) => a * b), unit = d.Skip(n.Axis + 1).Aggregate(1, (a, b) => a * b);
                for (int o = 0; o < outer; o++)
                {
                    int along = 0;
                    for (int p = 0; p < n.Inputs.Count; p++)
                    {
                        int w = InDims(p)[n.Axis];
                        for (int k = 0; k < w * unit; k++) y[(o * d[n.Axis] + along) * unit + k] = In(p)[o * w * unit + k];
                        along += w;
                    }
                }
                return y;
            }
            case OpKind.Slice:
            {
                int[] d = InDims(0), od = Dims(n.Shape, batch);
                int outer = d.Take(n.Axis).Aggregate(1, (a, b) => a * b), unit = d.Skip(n.Axis + 1).Aggregate(1, (a, b) => a * b);
                var y = new double[od.Aggregate(1, (a, b) => a * b)];
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < od[n.Axis] * unit; k++) y[o * od[n.Axis] * unit + k] = In(0)[(o * d[n.Axis] + n.Offset) * unit + k];
                return y;
            }
            case OpKind.Sum or OpKind.Mean:
            {
                var (outer, count, inner) = Around(InDims(0), n.Axis);
                var y = new double[outer * inner];
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < count; k++)
                        for (int i = 0; i < inner; i++) y[o * inner + i] += In(0)[(o * count + k) * inner + i] / (n.Op == OpKind.Mean ? count : 1);
                return y;
            }
            case OpKind.Max:
            {
                var (outer, count, inner) = Around(InDims(0), n.Axis);
                var y = Enumerable.Repeat(double.NegativeInfinity, outer * inner).ToArray();
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < count; k++)
                        for (int i = 0; i < inner; i++) y[o * inner + i] = Math.Max(y[o * inner + i], In(0)[(o * count + k) * inner + i]);
                return y;
            }
            case OpKind.ExpandSum or OpKind.ExpandMean:
            {
                var (outer, count, inner) = Around(Dims(n.Shape, batch), n.Axis);
                var y = new double[outer * count * inner];
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < count; k++)
                        for (int i = 0; i < inner; i++) y[(o * count + k) * inner + i] = In(0)[o * inner + i] / (n.Op == OpKind.ExpandMean ? count : 1);
                return y;
            }
            case OpKind.SumTo:
            {
                // Every source element adds into the target element it broadcast from.
                int[] from = InDims(0), to = Dims(n.Shape, batch);
                var y = new double[to.Aggregate(1, (a, b) => a * b)];
                for (int i = 0; i < In(0).Length; i++) y[BroadcastIndex(i, from, to)] += In(0)[i];
                return y;
            }
            case OpKind.Activation: return Map2(In(0), (x, _) => ReferenceMath.Activate((Activation)(int)n.Activation, x));
            case OpKind.Softmax:
            {
                var y = new double[rows * cols];
                for (int r = 0; r < rows; r++)
                {
                    double max = Enumerable.Range(0, cols).Max(j => In(0)[r * cols + j]), sum = 0;
                    for (int j = 0; j < cols; j++) sum += y[r * cols + j] = Math.Exp(In(0)[r * cols + j] - max);
                    for (int j = 0; j < cols; j++) y[r * cols + j] /= sum;
                }
                return y;
            }
            case OpKind.SparseCategoricalCrossentropy:
            {
                int classes = InDims(0)[1];
                double loss = 0;
                for (int r = 0; r < batch; r++) loss -= Math.Log(In(0)[r * classes + (int)In(1)[r]]);
                return new[] { loss / batch };
            }
            case OpKind.CategoricalCrossentropy:
                return new[] { -In(0).Select((p, i) => In(1)[i] * Math.Log(p)).Sum() / batch };
            case OpKind.BinaryCrossentropy:
                return new[] { -In(0).Select((p, i) => In(1)[i] * Math.Log(p) + (1 - In(1)[i]) * Math.Log(1 - p)).Sum() / In(0).Length };
            case OpKind.MeanSquaredError:
                return new[] { In(0).Select((y, i) => (y - In(1)[i]) * (y - In(1)[i])).Sum() / In(0).Length };
            case OpKind.MeanAbsoluteError:
                return new[] { In(0).Select((y, i) => Math.Abs(y - In(1)[i])).Sum() / In(0).Length };
            case OpKind.ColumnSum:
            {
                int[] d = InDims(0);
                var s = new double[d[1]];
                for (int r = 0; r < d[0]; r++)
                    for (int j = 0; j < d[1]; j++) s[j] += In(0)[r * d[1] + j];
                return s;
            }
            case OpKind.ActivationGrad:
            {
                // The rule saved the output y (or, for gelu, the input x); recover x to take the textbook derivative.
                var activation = (Activation)(int)n.Activation;
                bool savedInput = GraphGen.Generators.Ops.Activations.Of(n.Activation).DerivativeFromInput;
                return Map2(In(0), (g, i) => g * ReferenceMath.Derivative(activation, savedInput ? In(1)[i] : Inverse(activation, In(1)[i])));
            }
            case OpKind.SoftmaxGrad:
            {
                var dx = new double[rows * cols];
                for (int r = 0; r < rows; r++)
                {
                    double dot = 0;
                    for (int j = 0; j < cols; j++) dot += In(0)[r * cols + j] * In(1)[r * cols + j];
                    for (int j = 0; j < cols; j++) dx[r * cols + j] = In(1)[r * cols + j] * (In(0)[r * cols + j] - dot);
                }
                return dx;
            }
            case OpKind.CrossEntropyGrad:
            {
                var dp = new double[rows * cols];
                for (int r = 0; r < rows; r++)
                {
                    int label = (int)In(1)[r];
                    dp[r * cols + label] = -1.0 / (batch * In(0)[r * cols + label]);
                }
                return dp;
            }
            case OpKind.CategoricalCrossentropyGrad: return Map2(In(0), (p, i) => -In(1)[i] / (batch * p));
            case OpKind.BinaryCrossentropyGrad: return Map2(In(0), (p, i) => (p - In(1)[i]) / (p * (1 - p) * In(0).Length));
            case OpKind.MeanSquaredErrorGrad: return Map2(In(0), (y, i) => 2 * (y - In(1)[i]) / In(0).Length);
            case OpKind.MeanAbsoluteErrorGrad: return Map2(In(0), (y, i) => Math.Sign(y - In(1)[i]) / (double)In(0).Length);
            // Training mode: the mask of seed 0, step 0 and the op's stream, as the kernel draws it; the batch's statistics.
            case OpKind.Dropout or OpKind.DropoutGrad:
                return Map2(In(0), (x, i) => GraphGen.Cpu.DropoutKernels.Keeps(0, 0, n.Offset, i, (float)n.Value) ? x / (1 - (double)(float)n.Value) : 0);
            case OpKind.BatchNormStatistics:
            {
                int channels = n.Shape.Last, count = In(0).Length / channels;
                var s = new double[2 * channels];
                for (int i = 0; i < In(0).Length; i++) s[i % channels] += In(0)[i] / count;
                var variance = new double[channels];
                for (int i = 0; i < In(0).Length; i++) variance[i % channels] += Math.Pow(In(0)[i] - s[i % channels], 2) / count;
                for (int c = 0; c < channels; c++) s[channels + c] = 1 / Math.Sqrt(variance[c] + n.Epsilon);
                return s;
            }
            case OpKind.BatchNormalize:
            {
                int channels = In(2).Length;
                return Map2(In(0), (x, i) => In(2)[i % channels] * (x - In(1)[i % channels]) * In(1)[channels + i % channels] + In(3)[i % channels]);
            }
            case OpKind.BatchNormGammaGrad or OpKind.BatchNormBetaGrad:
            {
                int channels = n.Shape.Last;
                var stats = n.Op == OpKind.BatchNormBetaGrad ? In(1) : In(2);
                var sums = new double[channels];
                for (int i = 0; i < In(0).Length; i++)
                    sums[i % channels] += In(0)[i] * (n.Op == OpKind.BatchNormBetaGrad ? 1 : (In(1)[i] - stats[i % channels]) * stats[channels + i % channels]);
                return sums;
            }
            case OpKind.BatchNormInputGrad:
            {
                // dx = γ·inverse/N (N·dy − Σ dy − x̂ Σ dy ⊙ x̂), over the N rows of each channel.
                double[] dy = In(0), x = In(1), stats = In(2), gamma = In(3);
                int channels = gamma.Length, count = dy.Length / channels;
                var sumDy = new double[channels];
                var sumDyXhat = new double[channels];
                double Xhat(int i) => (x[i] - stats[i % channels]) * stats[channels + i % channels];
                for (int i = 0; i < dy.Length; i++)
                {
                    sumDy[i % channels] += dy[i];
                    sumDyXhat[i % channels] += dy[i] * Xhat(i);
                }
                return Map2(dy, (g, i) => gamma[i % channels] * stats[channels + i % channels] / count * (count * g - sumDy[i % channels] - Xhat(i) * sumDyXhat[i % channels]));
            }
            default: return Image(n, v, nodes, batch) ?? throw new NotSupportedException(n.Op.ToString());
        }
    }

    private static double[] Broadcast(double[] a, int[] aDims, double[] b, int[] bDims, int[] outDims, Func<double, double, double> f)
    {
        var y = new double[outDims.Aggregate(1, (p, d) => p * d)];
        for (int i = 0; i < y.Length; i++) y[i] = f(a[BroadcastIndex(i, outDims, aDims)], b[BroadcastIndex(i, outDims, bDims)]);
        return y;
    }

    /// <summary>The flat index in an operand of shape <paramref name="to"/> that flat index i of the broadcast shape <paramref name="from"/> reads.</summary>
    private static int BroadcastIndex(int i, int[] from, int[] to)
    {
        int index = 0, stride = 1;
        for (int d = 1; d <= from.Length; d++)
        {
            int coordinate = i % from[^d];
            i /= from[^d];
            if (d <= to.Length)
            {
                if (to[^d] != 1) index += coordinate * stride;
                stride *= to[^d];
            }
        }
        return index;
    }

    private static (int Outer, int Count, int Inner) Around(int[] dims, int axis)
        => axis == Node.AllAxes ? (1, dims.Aggregate(1, (a, b) => a * b), 1)
            : (dims.Take(axis).Aggregate(1, (a, b) => a * b), dims[axis], dims.Skip(axis + 1).Aggregate(1, (a, b) => a * b));

    /// <summary>x from y = activation(x), for the activations whose backward pass keeps y.</summary>
    private static double Inverse(Activation activation, double y) => activation switch
    {
        Activation.Tanh => Math.Atanh(y),
        Activation.Sigmoid => Math.Log(y / (1 - y)),
        Activation.LeakyRelu => y > 0 ? y : y / 0.2,
        Activation.Elu => y > 0 ? y : Math.Log(y + 1),
        Activation.Softplus => Math.Log(Math.Exp(y) - 1),
        _ => y, // relu: the sign is all the derivative needs; linear: unused
    };

    private static double[] Map2(double[] x, Func<double, int, double> f)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = f(x[i], i);
        return y;
    }
}
