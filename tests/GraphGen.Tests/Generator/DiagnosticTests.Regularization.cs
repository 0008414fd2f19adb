using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>The diagnostics of dropout and batch normalisation in [Forward] and [Differentiable] bodies.</summary>
public partial class DiagnosticTests
{
    private const string BatchNormState = """
        [Parameter(3, Init = "ones")] public partial Parameter Gamma { get; }
        [Parameter(3)] public partial Parameter Beta { get; }
        [Parameter(3, Trainable = false)] public partial Parameter Mean { get; }
        [Parameter(3, Trainable = false, Init = "ones")] public partial Parameter Variance { get; }
        """;

    [Fact]
    public void GG0119_DropoutRateOutsideZeroToOneAtTheArgument() => Assert.Equal(
        "The rate argument of Op.Dropout is 1: a dropout rate is the fraction of values dropped, in [0, 1)",
        AssertReported("GG0119", ForwardModel("""
            var h = Op.Dropout(Op.MatMul(x, W) + B, [|1f|]);
            return Op.Softmax(h);
            """)).GetMessage());

    [Fact]
    public void GG0119_BatchNormalizationMomentumAtTheNamedArgument() => Assert.StartsWith("The momentum argument of Op.BatchNormalization is 1.5",
        AssertReported("GG0119", ForwardModel("""
            var h = Op.BatchNormalization(Op.MatMul(x, W) + B, Gamma, Beta, Mean, Variance, momentum: [|1.5f|]);
            return Op.Softmax(h);
            """, BatchNormState)).GetMessage());

    [Fact]
    public void GG0119_DropoutLayerRateAtTheAttributeArgument() => Assert.Equal(
        "The rate argument of [Dropout] on 'drop' is 1.5: a dropout rate is the fraction of values dropped, in [0, 1)",
        AssertReported("GG0119", """
            [Model]
            [Input(4)]
            public partial class Net
            {
                [Dense(8, Activation.Relu)] public partial DenseLayer Hidden { get; }
                [Dropout([|1.5|])] public partial Layer Drop { get; }
                [Dense(2, Activation.Softmax)] public partial DenseLayer Output { get; }
            }
            """).GetMessage());

    [Fact]
    public void GG0119_BatchNormalizationLayerEpsilonAtTheNamedArgument() => Assert.StartsWith(
        "The Epsilon argument of [BatchNormalization] on 'norm' is 0: epsilon is a positive number",
        AssertReported("GG0119", """
            [Model]
            [Input(4)]
            public partial class Net
            {
                [Dense(8)] public partial DenseLayer Hidden { get; }
                [BatchNormalization([|Epsilon = 0|])] public partial BatchNormalizationLayer Norm { get; }
                [Dense(2, Activation.Softmax)] public partial DenseLayer Output { get; }
            }
            """).GetMessage());

    [Fact]
    public void GG0114_ANonConstantRate() => Assert.Contains("The rate argument of Op.Dropout must be a compile-time constant", AssertReported("GG0114", ForwardModel("""
            float rate = 0.5f;
            return Op.Softmax(Op.Dropout(Op.MatMul(x, W) + B, [|rate|]));
            """)).GetMessage());

    [Fact]
    public void GG0106_BatchNormalizationStateOfAnotherWidth() => Assert.Equal(
        "BatchNormalization needs γ, β, the moving mean and the moving variance of shape (3), one value per channel (the last axis of (B, 3)), but 'W' has shape (4, 3)",
        AssertReported("GG0106", ForwardModel("""
            return Op.Softmax([|Op.BatchNormalization(Op.MatMul(x, W) + B, W, Beta, Mean, Variance)|]);
            """, BatchNormState)).GetMessage());

    [Fact]
    public void BatchNormalizationDoesNotMixRowsInPredict()
    {
        // Training normalises with the batch's statistics, but Predict with the moving ones: rows stay apart there (no GG0118).
        var run = GeneratorHarness.Run("using GraphGen;\n" + ForwardModel("""
            return Op.Softmax(Op.Dropout(Op.BatchNormalization(Op.MatMul(x, W) + B, Gamma, Beta, Mean, Variance), 0.5f));
            """, BatchNormState));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Errors);
        string code = run.GeneratedText("Net.g.cs");
        Assert.DoesNotContain("MixesBatchRows", code);
        Assert.Contains("BatchNormKernels.InferenceStatistics", code);
        Assert.Contains("BatchNormKernels.TrainingStatistics", code);
        Assert.Contains("new global::GraphGen.Parameter(\"Mean\", [3], null, trainable: false)", code);
        // The ILGPU program lowers them too: the CPU's dropout hash with the host's seed and step, the batch statistics per channel.
        string ilgpu = run.GeneratedText("Net.ilgpu.g.cs");
        Assert.Contains("override global::GraphGen.Ilgpu.IlgpuProgram? CreateIlgpuProgram() => new IlgpuPlan();", ilgpu);
        Assert.Contains("global::GraphGen.Cpu.DropoutKernels.Key(seed, step, 0)", ilgpu);
        Assert.Contains("s.DropoutSeed, s.DropoutStep", ilgpu);
        Assert.Contains("movingMean[col] = movingMean[col] * 0.99f + mean * (1f - 0.99f);", ilgpu);
    }

    [Fact]
    public void GG0101_DropoutInADifferentiableFunction() => Assert.StartsWith("Op.Dropout (it trains and predicts differently", AssertReported("GG0101", """
        public static partial class Functions
        {
            [Differentiable]
            public static Tensor F([Shape(3)] Tensor x) => [|Op.Dropout(x, 0.5f)|];
        }
        """).GetMessage());
}
