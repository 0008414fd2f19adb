using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using Xunit;

namespace GraphGen.Tests.Numerics;

/// <summary>
/// Dropout (with a fixed mask: seed 0, step 0, its stream) and training-mode batch normalisation (the gradient through
/// the batch's mean and variance included) against central differences, as the front ends build them.
/// </summary>
public partial class GradientCheckTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void DropoutWithItsMask(double rate)
    {
        var g = new TestGraph();
        var ir = new IrBuilder();
        int x = ir.Leaf(OpKind.Parameter, Shape.Of(Batch, 5), "x", "test");
        int w = ir.Leaf(OpKind.Parameter, Shape.Of(Batch, 5), "w", "test");
        int first = ir.Dropout(x, rate, "first", "test");
        int second = ir.Dropout(first, rate, "second", "test"); // a stream of its own: another mask
        ir.Binary(OpKind.Multiply, second, w, "weighted", "test", "*");
        g.Adopt(ir);
        Assert.NotEqual(g.Nodes[first].Offset, g.Nodes[second].Offset);
        g.CheckSum(g.Nodes.Count - 1);
    }

    [Theory]
    [InlineData(new[] { Shape.Batch, 4 })]
    [InlineData(new[] { Shape.Batch, 2, 3, 4 })] // NHWC: per channel over B, H and W
    public void BatchNormalisationThroughTheBatchsStatistics(int[] dims)
    {
        var g = new TestGraph();
        var ir = new IrBuilder();
        int channels = dims[^1];
        int x = ir.Leaf(OpKind.Parameter, Shape.Of(dims), "x", "test");
        int gamma = ir.Leaf(OpKind.Parameter, Shape.Of(channels), "gamma", "test");
        int beta = ir.Leaf(OpKind.Parameter, Shape.Of(channels), "beta", "test");
        int mean = ir.Leaf(OpKind.Parameter, Shape.Of(channels), "moving_mean", "test");
        int variance = ir.Leaf(OpKind.Parameter, Shape.Of(channels), "moving_variance", "test");
        int normal = ir.BatchNormalization(x, gamma, beta, mean, variance, 0.99, 1e-3, "normal", "test");
        int w = ir.Leaf(OpKind.Parameter, Shape.Of(dims), "w", "test");
        ir.Binary(OpKind.Multiply, normal, w, "weighted", "test", "*");
        g.Adopt(ir);
        // The moving statistics are state: no gradient, and (in training) no part in the value.
        g.Freeze(mean, variance);
        g.CheckSum(g.Nodes.Count - 1);
    }

    private sealed partial class TestGraph
    {
        /// <summary>Marks parameters as not trainable, as <c>[Parameter(…, Trainable = false)]</c> does.</summary>
        public void Freeze(params int[] nodes)
        {
            for (int i = 0; i < Parameters.Count; i++)
                if (nodes.Contains(Parameters[i].Node)) Parameters[i] = Parameters[i] with { Trainable = false };
        }
    }
}
