using GraphGen.Generators.Graph;

namespace GraphGen.Tests.Numerics;

/// <summary>
/// Evaluates any IR graph (forward and gradient ops) in double precision with plain loops: the slow,
/// obviously-correct reference the gradient rules are checked against.
/// </summary>
internal static class IrInterpreter
{
    /// <summary>Values of every node; leaves come from <paramref name="leaves"/> (labels as doubles).</summary>
    public static double[][] Run(IReadOnlyList<Node> nodes, IReadOnlyDictionary<int, double[]> leaves, int batch)
    {
        var values = new double[nodes.Count][];
        foreach (var node in nodes)
            values[node.Id] = node.IsLeaf ? leaves[node.Id] : Evaluate(node, values, nodes, batch);
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
            case OpKind.Add: return Map2(In(0), (x, i) => x + In(1)[i]);
            case OpKind.Relu: return Map2(In(0), (x, _) => Math.Max(x, 0));
            case OpKind.Tanh: return Map2(In(0), (x, _) => Math.Tanh(x));
            case OpKind.Sigmoid: return Map2(In(0), (x, _) => 1 / (1 + Math.Exp(-x)));
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
            case OpKind.MeanSquaredError:
                return new[] { In(0).Select((y, i) => (y - In(1)[i]) * (y - In(1)[i])).Sum() / In(0).Length };
            case OpKind.ColumnSum:
            {
                int[] d = InDims(0);
                var s = new double[d[1]];
                for (int r = 0; r < d[0]; r++)
                    for (int j = 0; j < d[1]; j++) s[j] += In(0)[r * d[1] + j];
                return s;
            }
            case OpKind.ReluGrad: return Map2(In(0), (g, i) => In(1)[i] > 0 ? g : 0);
            case OpKind.TanhGrad: return Map2(In(0), (g, i) => g * (1 - In(1)[i] * In(1)[i]));
            case OpKind.SigmoidGrad: return Map2(In(0), (g, i) => g * In(1)[i] * (1 - In(1)[i]));
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
            case OpKind.MeanSquaredErrorGrad: return Map2(In(0), (y, i) => 2 * (y - In(1)[i]) / In(0).Length);
            default: throw new NotSupportedException(n.Op.ToString());
        }
    }

    private static double[] Map2(double[] x, Func<double, int, double> f)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = f(x[i], i);
        return y;
    }
}
