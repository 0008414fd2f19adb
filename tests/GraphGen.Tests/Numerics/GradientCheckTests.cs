using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Numerics;

/// <summary>
/// Every gradient rule against central differences, in double precision (gradcheck: eps 1e-6, atol 1e-5,
/// rtol 1e-3). Each test builds a tiny graph around one op, differentiates it with the generator's own
/// Autodiff stage, and evaluates both with <see cref="IrInterpreter"/>.
/// </summary>
public partial class GradientCheckTests
{
    private const int Batch = 3;

    private sealed partial class TestGraph
    {
        public readonly List<Node> Nodes = new();
        public readonly List<ParameterInfo> Parameters = new();
        public readonly Dictionary<int, double[]> Leaves = new();
        private readonly SeededRandom _random = new(11);

        public int Param(params int[] dims)
        {
            int id = Add(OpKind.Parameter, Shape.Of(dims), "p" + Nodes.Count);
            Parameters.Add(new ParameterInfo(id, "p" + id, Parameters.Count, ParameterPart.Whole));
            // Values away from 0 so relu's kink is not inside the finite-difference step.
            Leaves[id] = Enumerable.Range(0, dims.Aggregate(1, (a, b) => a * b)).Select(_ => Away(_random.NextDouble() * 2 - 1)).ToArray();
            return id;
        }

        /// <summary>
        /// Takes the nodes an <see cref="IrBuilder"/> built, as the front ends build them (shapes checked, a transpose folded
        /// into its product's flag); its parameters get random values, <see cref="Batch"/> rows where a shape has B.
        /// </summary>
        public void Adopt(IrBuilder ir)
        {
            foreach (var node in ir.Nodes)
            {
                Nodes.Add(node);
                if (node.Op != OpKind.Parameter) continue;
                Parameters.Add(new ParameterInfo(node.Id, node.Name, Parameters.Count, ParameterPart.Whole));
                int count = IrInterpreter.Dims(node.Shape, Batch).Aggregate(1, (a, b) => a * b);
                Leaves[node.Id] = Enumerable.Range(0, count).Select(_ => Away(_random.NextDouble() * 2 - 1)).ToArray();
            }
        }

        public int Labels(int classes)
        {
            int id = Add(OpKind.Target, Shape.Of(Shape.Batch), "labels");
            Leaves[id] = Enumerable.Range(0, Batch).Select(i => (double)(i % classes)).ToArray();
            return id;
        }

        public int Targets(int width)
        {
            int id = Add(OpKind.Target, Shape.Rows(width), "targets");
            Leaves[id] = Enumerable.Range(0, Batch * width).Select(_ => _random.NextDouble()).ToArray();
            return id;
        }

        public int Add(OpKind op, Shape shape, string name, params int[] inputs) => AddNode(op, shape, name, false, false, inputs);

        public int Activate(ActivationKind activation, Shape shape, string name, int input)
        {
            Nodes.Add(new Node(Nodes.Count, OpKind.Activation, EquatableArray.Of(input), shape, name, "test", Activation: activation));
            return Nodes.Count - 1;
        }

        public int Constant(double value)
        {
            Nodes.Add(new Node(Nodes.Count, OpKind.Constant, EquatableArray<int>.Empty, Shape.Scalar, "c", "test", Value: value));
            return Nodes.Count - 1;
        }

        public int Along(OpKind op, Shape shape, int axis, int offset, params int[] inputs)
        {
            Nodes.Add(new Node(Nodes.Count, op, EquatableArray.Of(inputs), shape, op.ToString(), "test", Axis: axis, Offset: offset));
            return Nodes.Count - 1;
        }

        /// <summary>Ends the graph as a [Differentiable] function does: the sum of every element is the value differentiated.</summary>
        public void CheckSum(int output) => Check(output, Along(OpKind.Sum, Shape.Scalar, Node.AllAxes, 0, output));

        public int AddNode(OpKind op, Shape shape, string name, bool ta, bool tb, params int[] inputs)
        {
            Nodes.Add(new Node(Nodes.Count, op, EquatableArray.Of(inputs), shape, name, "test", ta, tb));
            return Nodes.Count - 1;
        }

        /// <summary>Random target rows that each sum to 1 (a soft one-hot).</summary>
        public int Distributions(int width)
        {
            int id = Targets(width);
            for (int r = 0; r < Batch; r++)
            {
                double sum = Leaves[id].Skip(r * width).Take(width).Sum();
                for (int j = 0; j < width; j++) Leaves[id][r * width + j] /= sum;
            }
            return id;
        }

        /// <summary>Ends the graph with a mean squared error against random targets and checks it.</summary>
        public void CheckWithMseOf(int output, Shape shape)
        {
            int flat = Add(OpKind.Reshape, Shape.Of(Batch, (int)shape.ElementsPerBatch), "flat", output);
            CheckWithMse(flat);
        }

        public void CheckWithMse(int output) => Check(output, Add(OpKind.MeanSquaredError, Shape.Scalar, "loss", output, Targets(Nodes[output].Shape.Last)));

        public void Check(int output, int loss)
        {
            var info = new ModelInfo(new TypeIdentity(null, EquatableArray<ContainingType>.Empty, "T"), 1, 1, LossKind.MeanSquaredError, false, EquatableArray<LayerInfo>.Empty);
            var graph = new ModelGraph(info, EquatableArray.From(Nodes), output, loss, EquatableArray.From(Parameters));
            var training = GradientBuilder.Differentiate(graph);
            var values = IrInterpreter.Run(training.Nodes, Leaves, Batch);
            foreach (var binding in training.Gradients)
            {
                Assert.True(binding.Gradient >= 0, $"parameter node {binding.Parameter} got no gradient");
                double[] analytic = values[binding.Gradient], theta = Leaves[binding.Parameter];
                for (int i = 0; i < theta.Length; i++)
                {
                    double saved = theta[i];
                    theta[i] = saved + 1e-6;
                    double plus = IrInterpreter.Run(Nodes, Leaves, Batch)[loss][0];
                    theta[i] = saved - 1e-6;
                    double minus = IrInterpreter.Run(Nodes, Leaves, Batch)[loss][0];
                    theta[i] = saved;
                    double numeric = (plus - minus) / 2e-6;
                    Assert.True(Math.Abs(analytic[i] - numeric) <= 1e-5 + 1e-3 * Math.Abs(numeric),
                        $"d loss / d node{binding.Parameter}[{i}]: rule gives {analytic[i]}, central differences {numeric}");
                }
            }
        }

        private static double Away(double v) => v >= 0 ? v + 0.1 : v - 0.1;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void MatMul(bool transposeA, bool transposeB)
    {
        var g = new TestGraph();
        int a = transposeA ? g.Param(4, Batch) : g.Param(Batch, 4);
        int b = transposeB ? g.Param(5, 4) : g.Param(4, 5);
        g.CheckWithMse(g.AddNode(OpKind.MatMul, Shape.Of(Batch, 5), "y", transposeA, transposeB, a, b));
    }

    [Theory]
    [InlineData("hᵀ·g")]
    [InlineData("(−hᵀ)·g")]
    [InlineData("(h·hᵀ)·g")]
    public void MatMulOverTheBatch(string product)
    {
        // Products whose inner dimension is the batch B (a Gram matrix, batch statistics), built by the front ends' IrBuilder:
        // K = B, the result (4, 5) without a batch axis, or (B, 5) from a (B, B) value.
        var ir = new IrBuilder();
        int h = ir.Leaf(OpKind.Parameter, Shape.Rows(4), "h", "test"), g = ir.Leaf(OpKind.Parameter, Shape.Rows(5), "g", "test");
        int ht = ir.Transpose(h, "ht", "test");
        int y = product switch
        {
            "hᵀ·g" => ir.MatMul(ht, g, "y", "test"),
            "(−hᵀ)·g" => ir.MatMul(ir.Unary(OpKind.Negate, ht, "n", "test"), g, "y", "test"),
            _ => ir.MatMul(ir.MatMul(h, ir.Transpose(h, "ht2", "test"), "pairs", "test"), g, "y", "test"),
        };
        var shape = ir[y].Shape;
        Assert.Equal(product == "(h·hᵀ)·g" ? Shape.Rows(5) : Shape.Of(4, 5), shape);
        var t = new TestGraph();
        t.Adopt(ir);
        t.CheckSum(t.Add(OpKind.Multiply, shape, "w", y, t.Param(shape.Dims.Select(d => d == Shape.Batch ? Batch : d).ToArray())));
    }

    [Fact]
    public void BiasAdd()
    {
        var g = new TestGraph();
        g.CheckWithMse(g.Add(OpKind.BiasAdd, Shape.Of(Batch, 4), "y", g.Param(Batch, 4), g.Param(4)));
    }

    public static IEnumerable<object[]> ElementwiseActivations()
        => Enum.GetValues<ActivationKind>().Where(a => a != ActivationKind.Softmax).Select(a => new object[] { a.ToString() });

    [Theory]
    [MemberData(nameof(ElementwiseActivations))]
    public void Activation(string activation)
    {
        var g = new TestGraph();
        g.CheckWithMse(g.Activate(Enum.Parse<ActivationKind>(activation), Shape.Of(Batch, 4), "y", g.Param(Batch, 4)));
    }

    [Fact]
    public void Softmax()
    {
        var g = new TestGraph();
        g.CheckWithMse(g.Add(OpKind.Softmax, Shape.Of(Batch, 4), "y", g.Param(Batch, 4)));
    }

    [Fact]
    public void CategoricalCrossEntropy()
    {
        var g = new TestGraph();
        int probs = g.Add(OpKind.Softmax, Shape.Of(Batch, 4), "p", g.Param(Batch, 4));
        g.Check(probs, g.Add(OpKind.CategoricalCrossentropy, Shape.Scalar, "loss", probs, g.Distributions(4)));
    }

    [Fact]
    public void BinaryCrossEntropy()
    {
        var g = new TestGraph();
        int probs = g.Activate(ActivationKind.Sigmoid, Shape.Of(Batch, 3), "p", g.Param(Batch, 3));
        g.Check(probs, g.Add(OpKind.BinaryCrossentropy, Shape.Scalar, "loss", probs, g.Targets(3)));
    }

    [Fact]
    public void MeanAbsoluteError()
    {
        var g = new TestGraph();
        int y = g.Param(Batch, 3);
        g.Check(y, g.Add(OpKind.MeanAbsoluteError, Shape.Scalar, "loss", y, g.Targets(3)));
    }

    [Fact]
    public void SoftmaxCrossEntropy()
    {
        var g = new TestGraph();
        int probs = g.Add(OpKind.Softmax, Shape.Of(Batch, 4), "p", g.Param(Batch, 4));
        g.Check(probs, g.Add(OpKind.SparseCategoricalCrossentropy, Shape.Scalar, "loss", probs, g.Labels(4)));
    }

    [Fact]
    public void AddAndGradientAccumulation()
    {
        var g = new TestGraph();
        int x = g.Param(Batch, 4);
        int relu = g.Activate(ActivationKind.Relu, Shape.Of(Batch, 4), "r", x);
        int tanh = g.Activate(ActivationKind.Tanh, Shape.Of(Batch, 4), "t", x);
        g.CheckWithMse(g.Add(OpKind.Add, Shape.Of(Batch, 4), "y", relu, tanh));
    }

    [Fact]
    public void DenseStackAsLowered()
    {
        // x·W1 + b1 → tanh → ·W2 + b2 → sigmoid → ·W3 + b3 → softmax → cross-entropy: the Dense lowering's shape.
        var g = new TestGraph();
        int x = g.Param(Batch, 5), h = x, width = 5;
        foreach (var (units, act) in new[] { (4, ActivationKind.Tanh), (3, ActivationKind.Gelu), (4, ActivationKind.Softmax) })
        {
            int w = g.Param(width, units), b = g.Param(units);
            int z = g.Add(OpKind.BiasAdd, Shape.Of(Batch, units), "z", g.Add(OpKind.MatMul, Shape.Of(Batch, units), "xw", h, w), b);
            h = act == ActivationKind.Softmax ? g.Add(OpKind.Softmax, Shape.Of(Batch, units), "a", z) : g.Activate(act, Shape.Of(Batch, units), "a", z);
            width = units;
        }
        g.Check(h, g.Add(OpKind.SparseCategoricalCrossentropy, Shape.Scalar, "loss", h, g.Labels(4)));
    }

    // ---- The general ops of [Forward] and [Differentiable] bodies ----

    [Theory]
    [InlineData("Add")]
    [InlineData("Subtract")]
    [InlineData("Multiply")]
    [InlineData("Divide")]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    public void BroadcastingBinary(string op)
    {
        // (B, 2, 4) with (4), with (2, 1) and with a scalar constant: every broadcast sums its gradient back.
        var kind = Enum.Parse<OpKind>(op);
        var g = new TestGraph();
        var shape = Shape.Of(Batch, 2, 4);
        int x = g.Param(Batch, 2, 4);
        int a = g.Add(kind, shape, "a", x, g.Param(4));
        int b = g.Add(kind, shape, "b", g.Param(2, 1), a);
        g.CheckWithMseOf(g.Add(kind, shape, "c", b, g.Constant(1.7)), shape);
    }

    [Theory]
    [InlineData("Negate")]
    [InlineData("Exp")]
    [InlineData("Log")]
    [InlineData("Sqrt")]
    [InlineData("Square")]
    public void Unary(string op)
    {
        var g = new TestGraph();
        int x = g.Param(Batch, 4);
        // Log and Sqrt read a positive input: x² + 0.5.
        int positive = g.Add(OpKind.Add, Shape.Of(Batch, 4), "p", g.Add(OpKind.Square, Shape.Of(Batch, 4), "s", x), g.Constant(0.5));
        g.CheckWithMse(g.Add(Enum.Parse<OpKind>(op), Shape.Of(Batch, 4), "y", positive));
    }

    [Fact]
    public void AbsAwayFromItsKink()
    {
        // Parameters are at least 0.1 from 0, so |x| is differentiable within the finite-difference step.
        var g = new TestGraph();
        int x = g.Param(Batch, 5);
        g.CheckWithMse(g.Add(OpKind.Abs, Shape.Of(Batch, 5), "y", g.Add(OpKind.Multiply, Shape.Of(Batch, 5), "x3", x, g.Constant(3))));
    }

    [Fact]
    public void MaxSharesItsGradientEquallyAmongTiedMaxima()
    {
        // max over [1, 3, 3] and [2, 0, 5]: d/dx is ½ at each tied 3 and 1 at the lone 5 (as TF's reduce_max and torch.amax).
        var g = new TestGraph();
        int x = g.Param(2, 3);
        g.Leaves[x] = new[] { 1.0, 3, 3, 2, 0, 5 };
        int max = g.Along(OpKind.Max, Shape.Of(2), 1, 0, x);
        int loss = g.Along(OpKind.Sum, Shape.Scalar, Node.AllAxes, 0, max);
        var info = new ModelInfo(new TypeIdentity(null, EquatableArray<ContainingType>.Empty, "T"), 1, 1, LossKind.MeanSquaredError, false, EquatableArray<LayerInfo>.Empty);
        var training = GradientBuilder.Differentiate(new ModelGraph(info, EquatableArray.From(g.Nodes), loss, loss, EquatableArray.From(g.Parameters)));
        var values = IrInterpreter.Run(training.Nodes, g.Leaves, Batch);
        Assert.Equal(new[] { 0, 0.5, 0.5, 0, 0, 1 }, values[Assert.Single(training.Gradients).Gradient]);
    }

    [Theory]
    [InlineData("Maximum", new[] { 0.0, 1, 1 }, new[] { 1.0, 0, 0 })]
    [InlineData("Minimum", new[] { 1.0, 0, 1 }, new[] { 0.0, 1, 0 })]
    public void MaximumAndMinimumSendATieToTheFirstOperand(string op, double[] da, double[] db)
    {
        // a = [1, 5, 2], b = [2, 3, 2]: the tie at index 2 goes to a, as tf.maximum and tf.minimum send it.
        var g = new TestGraph();
        int a = g.Param(3), b = g.Param(3);
        g.Leaves[a] = new[] { 1.0, 5, 2 };
        g.Leaves[b] = new[] { 2.0, 3, 2 };
        int y = g.Add(Enum.Parse<OpKind>(op), Shape.Of(3), "y", a, b);
        int loss = g.Along(OpKind.Sum, Shape.Scalar, Node.AllAxes, 0, y);
        var info = new ModelInfo(new TypeIdentity(null, EquatableArray<ContainingType>.Empty, "T"), 1, 1, LossKind.MeanSquaredError, false, EquatableArray<LayerInfo>.Empty);
        var training = GradientBuilder.Differentiate(new ModelGraph(info, EquatableArray.From(g.Nodes), loss, loss, EquatableArray.From(g.Parameters)));
        var values = IrInterpreter.Run(training.Nodes, g.Leaves, Batch);
        Assert.Equal(da, values[training.Gradients[0].Gradient]);
        Assert.Equal(db, values[training.Gradients[1].Gradient]);
    }

    [Fact]
    public void TransposeAndReshape()
    {
        var g = new TestGraph();
        int t = g.Add(OpKind.Transpose, Shape.Of(4, 6), "t", g.Param(6, 4));
        g.CheckSum(g.Add(OpKind.Reshape, Shape.Of(2, 12), "r", g.Add(OpKind.Multiply, Shape.Of(4, 6), "m", t, g.Param(4, 6))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void ConcatAlongEachAxis(int axis)
    {
        var g = new TestGraph();
        int[] first = { 2, 3, 4 }, second = { 2, 3, 4 };
        second[axis] = 5;
        var joined = first.ToArray();
        joined[axis] = first[axis] + second[axis];
        int a = g.Param(first), b = g.Param(second);
        int c = g.Along(OpKind.Concat, Shape.Of(joined), axis, 0, a, b);
        g.CheckSum(g.Add(OpKind.Multiply, Shape.Of(joined), "m", c, g.Param(joined)));
    }

    [Theory]
    [InlineData("Sum", 0)]
    [InlineData("Sum", 1)]
    [InlineData("Mean", 1)]
    [InlineData("Mean", 2)]
    [InlineData("Mean", Node.AllAxes)]
    [InlineData("Max", 0)]
    [InlineData("Max", 2)]
    [InlineData("Max", Node.AllAxes)]
    public void Reductions(string op, int axis)
    {
        var g = new TestGraph();
        int[] dims = { 3, 4, 2 };
        var reduced = axis == Node.AllAxes ? Shape.Scalar : Shape.Of(dims.Where((_, i) => i != axis).ToArray());
        int x = g.Param(dims);
        int r = g.Along(Enum.Parse<OpKind>(op), reduced, axis, 0, g.Add(OpKind.Multiply, Shape.Of(dims), "xx", x, x));
        g.CheckSum(g.Add(OpKind.Multiply, reduced, "w", r, reduced.Rank == 0 ? g.Constant(0.3) : g.Param(reduced.Dims.ToArray())));
    }

    [Fact]
    public void ScalarResultReadTwice()
    {
        // f(x, y) = x·y + x / y for scalars: a [Differentiable] function of floats, differentiated from the seed 1.
        var g = new TestGraph();
        int x = g.Param(), y = g.Param();
        int f = g.Add(OpKind.Add, Shape.Scalar, "f", g.Add(OpKind.Multiply, Shape.Scalar, "xy", x, y), g.Add(OpKind.Divide, Shape.Scalar, "q", x, y));
        g.Check(f, f);
    }
}
