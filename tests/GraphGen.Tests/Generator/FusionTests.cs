using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>The fusion passes and the buffer plan on graphs the Dense front end does not produce.</summary>
public class FusionTests
{
    private static readonly ModelInfo Info = new(new TypeIdentity(null, EquatableArray<ContainingType>.Empty, "T"), 4, 4,
        LossKind.MeanSquaredError, false, EquatableArray<LayerInfo>.Empty);

    [Fact]
    public void ValueFeedingTwoOpsIsLoweredWithUnfusedKernelsAndAGradientSum()
    {
        // y = relu(x·W) + tanh(x·W): the activations cannot fold into the GEMM (its output has two readers).
        var nodes = new List<Node>();
        int Add(OpKind op, Shape shape, string name, params int[] inputs)
        {
            nodes.Add(new Node(nodes.Count, op, EquatableArray.Of(inputs), shape, name, "block"));
            return nodes.Count - 1;
        }
        int Activate(ActivationKind activation, string name, int input)
        {
            nodes.Add(new Node(nodes.Count, OpKind.Activation, EquatableArray.Of(input), Shape.Rows(4), name, "block", Activation: activation));
            return nodes.Count - 1;
        }
        int x = Add(OpKind.Input, Shape.Rows(4), "x");
        int w = Add(OpKind.Parameter, Shape.Of(4, 4), "w");
        int xw = Add(OpKind.MatMul, Shape.Rows(4), "xw", x, w);
        int relu = Activate(ActivationKind.Relu, "r", xw);
        int tanh = Activate(ActivationKind.Tanh, "t", xw);
        int y = Add(OpKind.Add, Shape.Rows(4), "y", relu, tanh);
        int t = Add(OpKind.Target, Shape.Rows(4), "targets");
        int loss = Add(OpKind.MeanSquaredError, Shape.Scalar, "loss", y, t);
        var graph = new ModelGraph(Info, EquatableArray.From(nodes), y, loss,
            EquatableArray.Of(new ParameterInfo(w, "w", 0, ParameterPart.Whole)));

        var plan = FusionPipeline.Fuse(GradientBuilder.Differentiate(graph));

        Assert.Contains(plan.Training, k => k is ActivateKernel { Activation: ActivationKind.Relu });
        Assert.Contains(plan.Training, k => k is ActivationBackwardKernel { Activation: ActivationKind.Tanh });
        Assert.Contains(plan.Training, k => k is TensorKernel { Op: OpKind.Add, Math: "d_xw_sum = d_xw + d_xw" });
        Assert.Contains(plan.Training, k => k is RegressionLossKernel { Squared: true });
        var weightGradient = Assert.Single(plan.Training.OfType<GemmKernel>(), g => g.TransposeA);
        Assert.Equal(OperandKind.ParameterGradient, weightGradient.C.Kind);
        Assert.Equal(0, weightGradient.C.Id); // parameter 0's gradient
        // No input gradient: x is data.
        Assert.DoesNotContain(plan.Training.OfType<GemmKernel>(), g => g.TransposeB);
        Assert.Equal(4, plan.Inference.Count); // x·W, relu, tanh, add
    }

    [Fact]
    public void BuffersAreReusedOnceTheirValueIsDead()
    {
        // Four equal-width tanh layers: backward gradients reuse buffers the forward pass has finished with.
        var nodes = new List<Node>();
        var parameters = new List<ParameterInfo>();
        int Add(OpKind op, Shape shape, string name, params int[] inputs)
        {
            nodes.Add(new Node(nodes.Count, op, EquatableArray.Of(inputs), shape, name, name));
            return nodes.Count - 1;
        }
        int h = Add(OpKind.Input, Shape.Rows(8), "x");
        for (int l = 0; l < 4; l++)
        {
            int w = Add(OpKind.Parameter, Shape.Of(8, 8), $"l{l}.weight");
            int b = Add(OpKind.Parameter, Shape.Of(8), $"l{l}.bias");
            parameters.Add(new ParameterInfo(w, $"l{l}.weight", l, ParameterPart.Weight));
            parameters.Add(new ParameterInfo(b, $"l{l}.bias", l, ParameterPart.Bias));
            int z = Add(OpKind.BiasAdd, Shape.Rows(8), $"l{l}_z", Add(OpKind.MatMul, Shape.Rows(8), $"l{l}_xw", h, w), b);
            nodes.Add(new Node(nodes.Count, OpKind.Activation, EquatableArray.Of(z), Shape.Rows(8), $"l{l}_out", $"l{l}", Activation: ActivationKind.Tanh));
            h = nodes.Count - 1;
        }
        int t = Add(OpKind.Target, Shape.Rows(8), "targets");
        int loss = Add(OpKind.MeanSquaredError, Shape.Scalar, "loss", h, t);
        var graph = new ModelGraph(Info, EquatableArray.From(nodes), h, loss, EquatableArray.From(parameters));

        var plan = FusionPipeline.Fuse(GradientBuilder.Differentiate(graph));

        // 4 forward outputs + 4 backward gradients would need 8 buffers without reuse.
        Assert.True(plan.Buffers.Count < 8, string.Join("; ", plan.Buffers.Select(b => b.Holds)));
        Assert.Contains(plan.Buffers, b => b.Holds.Contains(", then "));
        // No kernel writes a buffer it also reads (the GEMM epilogue reads its auxiliary while storing).
        foreach (var gemm in plan.Training.OfType<GemmKernel>())
            Assert.NotEqual(gemm.C, gemm.Epilogue.Auxiliary);
    }
}
