using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using Xunit;

namespace GraphGen.Tests.Numerics;

/// <summary>The image ops' gradient rules (Conv2D, MaxPool2D) by central differences, on ragged images of a batch of 3.</summary>
public partial class GradientCheckTests
{
    [Theory]
    [InlineData(7, 6, 3, 3, 1, false)]
    [InlineData(7, 6, 3, 5, 2, true)]
    [InlineData(5, 5, 2, 1, 1, false)]
    [InlineData(6, 7, 1, 3, 2, false)]
    public void Conv2D(int height, int width, int channels, int kernel, int stride, bool same)
    {
        var ir = new IrBuilder();
        int x = ir.Leaf(OpKind.Parameter, Shape.Of(Shape.Batch, height, width, channels), "x", "test");
        int k = ir.Leaf(OpKind.Parameter, Shape.Of(kernel, kernel, channels, 2), "k", "test");
        int y = ir.Conv2D(x, k, stride, same ? PaddingKind.Same : PaddingKind.Valid, "y", "test");
        Check(ir, y);
    }

    [Theory]
    [InlineData(6, 5, 2, 2, 2)]
    [InlineData(7, 7, 3, 3, 2)]
    [InlineData(5, 6, 1, 2, 1)]
    public void MaxPool2D(int height, int width, int channels, int pool, int stride)
    {
        var ir = new IrBuilder();
        int x = ir.Leaf(OpKind.Parameter, Shape.Of(Shape.Batch, height, width, channels), "x", "test");
        Check(ir, ir.MaxPool2D(x, pool, stride, "y", "test"));
    }

    /// <summary>Σ w ⊙ y with random w, so every output has its own weight in the loss.</summary>
    private static void Check(IrBuilder ir, int y)
    {
        var shape = ir[y].Shape;
        var t = new TestGraph();
        t.Adopt(ir);
        t.CheckSum(t.Add(OpKind.Multiply, shape, "w", y, t.Param(shape.Dims.Select(d => d == Shape.Batch ? Batch : d).ToArray())));
    }
}
