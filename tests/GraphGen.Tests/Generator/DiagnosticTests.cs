using GraphGen.Generators.Diagnostics;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>One test per diagnostic: the right id, at the exact span marked [|…|] in the source (here and in DiagnosticTests.*.cs).</summary>
public partial class DiagnosticTests
{
    private static Diagnostic AssertReported(string id, string marked)
    {
        var (source, span) = GeneratorHarness.Marked("using GraphGen;\n" + marked);
        var run = GeneratorHarness.Run(source);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785"); // the generator never throws
        var found = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(found.Count == 1, $"Expected one {id}, got: {string.Join("; ", run.GeneratorDiagnostics)}");
        Assert.Equal("Model0.cs", found[0].Location.GetLineSpan().Path);
        Assert.Equal(span, found[0].Location.SourceSpan);
        Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("GG", d.Id));
        return found[0];
    }

    [Fact]
    public void GG0001_ClassNotPartial() => AssertReported("GG0001", """
        [Model][Input(4)]
        public class [|Net|] { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0002_NoLayers() => Assert.Contains("no layers", AssertReported("GG0002", """
        [Model][Input(4)]
        public partial class [|Net|] { public int NotALayer { get; } }
        """).GetMessage());

    [Fact]
    public void GG0003_ZeroUnits() => Assert.Contains("0 units", AssertReported("GG0003", """
        [Model][Input(4)]
        public partial class Net { [Dense([|0|], Activation.Softmax)] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Fact]
    public void GG0003_NegativeUnitsByName() => AssertReported("GG0003", """
        [Model(Loss = Loss.MeanSquaredError)][Input(4)]
        public partial class Net { [Dense([|units: -3|])] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0004_NonPositiveInputWidth() => AssertReported("GG0004", """
        [Model][Input([|-1|])]
        public partial class Net { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0005_MissingInput() => AssertReported("GG0005", """
        [Model]
        public partial class [|Net|] { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0006_SoftmaxNotOnLastLayer() => AssertReported("GG0006", """
        [Model][Input(4)]
        public partial class Net
        {
            [Dense(8, [|Activation.Softmax|])] public partial DenseLayer Hidden { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """);

    [Fact]
    public void GG0007_MeanSquaredErrorOnSoftmax() => Assert.Contains("element-wise activation", AssertReported("GG0007", """
        [Model([|Loss = Loss.MeanSquaredError|])][Input(4)]
        public partial class Net { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Fact]
    public void GG0007_CrossEntropyWithoutSoftmax() => Assert.Contains("softmax output", AssertReported("GG0007", """
        [[|Model|]][Input(4)]
        public partial class Net { [Dense(2, Activation.Relu)] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Fact]
    public void GG0007_BinaryCrossEntropyNeedsSigmoid() => Assert.Contains("sigmoid output", AssertReported("GG0007", """
        [Model([|Loss = Loss.BinaryCrossentropy|])][Input(4)]
        public partial class Net { [Dense(1, Activation.Tanh)] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Fact]
    public void GG0007_FromLogitsNeedsLinearOutput() => Assert.Contains("FromLogits = true", AssertReported("GG0007", """
        [Model([|Loss = Loss.CategoricalCrossentropy|], FromLogits = true)][Input(4)]
        public partial class Net { [Dense(3, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Fact]
    public void GG0019_InvalidInitializer() => Assert.Contains("he_nromal", AssertReported("GG0019", """
        [Model][Input(4)]
        public partial class Net { [Dense(3, Activation.Softmax, [|WeightInitializer = "he_nromal"|])] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Theory]
    [InlineData("uniform:1:0", "MIN must be below MAX")]
    [InlineData("normal:0", "use normal or normal:MEAN:STD")]
    [InlineData("constant:x", "'x' is not a finite number")]
    [InlineData("zeros:1", "takes no arguments")]
    public void GG0019_InitializerArgumentsAreChecked(string spec, string problem) => Assert.Contains(problem, AssertReported("GG0019", $$"""
        [Model][Input(4)]
        public partial class Net { [Dense(3, Activation.Softmax, [|BiasInitializer = "{{spec}}"|])] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Fact]
    public void GG0020_FromLogitsOnRegression() => AssertReported("GG0020", """
        [Model(Loss = Loss.MeanSquaredError, [|FromLogits = true|])][Input(4)]
        public partial class Net { [Dense(1)] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0008_DuplicateLayerName() => AssertReported("GG0008", """
        [Model][Input(4)]
        public partial class Net
        {
            [Dense(8, Activation.Relu, Name = "block")] public partial DenseLayer A { get; }
            [Dense(2, Activation.Softmax, [|Name = "block"|])] public partial DenseLayer B { get; }
        }
        """);

    [Fact]
    public void GG0008_ExplicitNameCollidesWithDefault() => AssertReported("GG0008", """
        [Model][Input(4)]
        public partial class Net
        {
            [Dense(8, Activation.Relu)] public partial DenseLayer Hidden { get; }
            [Dense(2, Activation.Softmax, [|Name = "hidden"|])] public partial DenseLayer Out { get; }
        }
        """);

    [Theory]
    [InlineData("[Dense(2, Activation.Softmax)] public DenseLayer [|Out|] { get; set; }", "not partial")]
    [InlineData("[Dense(2, Activation.Softmax)] public partial int [|Out|] { get; }", "type is 'int'")]
    [InlineData("[Dense(2, Activation.Softmax)] public static partial DenseLayer [|Out|] { get; }", "static")]
    [InlineData("[Dense(2, Activation.Softmax)] public partial DenseLayer [|Out|] { get; set; }", "setter")]
    public void GG0009_LayerPropertyForm(string member, string reason) => Assert.Contains(reason, AssertReported("GG0009", $$"""
        [Model][Input(4)]
        public partial class Net { {{member}} }
        """).GetMessage());

    [Fact]
    public void GG0010_GenericModel() => AssertReported("GG0010", """
        [Model][Input(4)]
        public partial class [|Net|]<T> { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0011_ContainingTypeNotPartial() => Assert.Contains("'Outer'", AssertReported("GG0011", """
        public class Outer
        {
            [Model][Input(4)]
            public partial class [|Net|] { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        }
        """).GetMessage());

    [Fact]
    public void GG0012_BaseClass() => AssertReported("GG0012", """
        public class Base { }
        [Model][Input(4)]
        public partial class Net : [|Base|] { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0013_UndefinedActivation() => Assert.Contains("42", AssertReported("GG0013", """
        [Model][Input(4)]
        public partial class Net { [Dense(2, [|(Activation)42|])] public partial DenseLayer Out { get; } }
        """).GetMessage());

    [Fact]
    public void GG0013_UndefinedLoss() => AssertReported("GG0013", """
        [Model([|Loss = (Loss)7|])][Input(4)]
        public partial class Net { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0014_LayerTooLarge() => AssertReported("GG0014", """
        [Model][Input(100000)]
        public partial class Net { [[|Dense(100000, Activation.Softmax)|]] public partial DenseLayer Out { get; } }
        """);

    [Fact]
    public void GG0015_InvalidLayerName() => AssertReported("GG0015", """
        [Model][Input(4)]
        public partial class Net { [Dense(2, Activation.Softmax, [|Name = "a.b"|])] public partial DenseLayer Out { get; } }
        """);

    [Theory]
    [InlineData("public partial record [|Net|]")]
    [InlineData("public static partial class [|Net|]")]
    [InlineData("public abstract partial class [|Net|]")]
    public void GG0016_ModelMustBeAPlainClass(string declaration) => AssertReported("GG0016", $$"""
        [Model][Input(4)]
        {{declaration}} { }
        """);

    [Fact]
    public void GG0017_LayerPropertyWithoutDense() => AssertReported("GG0017", """
        [Model][Input(4)]
        public partial class Net
        {
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
            public partial DenseLayer [|Forgotten|] { get; }
        }
        """);

    [Fact]
    public void GG0018_SoftmaxOverOneUnitWarnsAndStillGenerates()
    {
        var diagnostic = AssertReported("GG0018", """
            [Model][Input(4)]
            public partial class Net { [Dense(1, [|Activation.Softmax|])] public partial DenseLayer Out { get; } }
            """);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
    }

    [Fact]
    public void GG0099_AnExceptionInAStageBecomesALocatedDiagnostic()
    {
        var locations = new LocationTable("T:Net", EquatableArray.Of(new LocationInfo("Model0.cs", new Microsoft.CodeAnalysis.Text.TextSpan(5, 3), default)));
        var start = new StageResult<string>("value", EquatableArray<DiagnosticInfo>.Empty, "Net", new Site(0));
        var failed = start.Then<string>("fusion", _ => throw new InvalidOperationException("boom"));
        Assert.Null(failed.Value);
        var diagnostic = Assert.Single(failed.Diagnostics).ToDiagnostic(locations);
        Assert.Equal("GG0099", diagnostic.Id);
        Assert.Contains("fusion", diagnostic.GetMessage());
        Assert.Contains("boom", diagnostic.GetMessage());
        Assert.Equal(5, diagnostic.Location.SourceSpan.Start);
    }

    // ---- [Forward] and [Differentiable] ----

    /// <summary>A [Forward] model around <paramref name="body"/>, with W (4, 3), B (3) and W2 (64, 50).</summary>
    internal static string ForwardModel(string body, string members = "") => $$"""
        [Model]
        public partial class Net
        {
            [Parameter(4, 3)] public partial Parameter W { get; }
            [Parameter(3)] public partial Parameter B { get; }
            {{members}}
            [Forward]
            public Tensor Call([Shape(4)] Tensor x)
            {
                {{body}}
            }
        }
        """;

    [Fact]
    public void GG0101_UnsupportedStatement() => Assert.Contains("'if (x == null) return x;'", AssertReported("GG0101", ForwardModel("""
        [|if (x == null) return x;|]
        return Op.Softmax(Op.MatMul(x, W) + B);
        """)).GetMessage());

    [Fact]
    public void GG0101_CallToAnotherMethod() => Assert.Contains("a call to 'Net.Helper'", AssertReported("GG0101", ForwardModel("""
        return Op.Softmax([|Helper(x)|]);
        """, "private static Tensor Helper(Tensor t) => t;")).GetMessage());

    [Fact]
    public void GG0102_FieldIsNotATensorOfTheModel() => AssertReported("GG0102", ForwardModel("""
        return Op.Softmax(Op.MatMul(x, [|Extra|]) + B);
        """, "private static readonly Tensor Extra = new Tensor(4, 3);"));

    [Fact]
    public void GG0103_ParameterPropertyOfWrongType() => Assert.Contains("its type is 'int'", AssertReported("GG0103", ForwardModel("""
        return Op.Softmax(Op.MatMul(x, W) + B);
        """, "[Parameter(2)] public partial int [|Count|] { get; }")).GetMessage());

    [Fact]
    public void GG0103_ParameterInDenseModel() => AssertReported("GG0103", """
        [Model][Input(4)]
        public partial class Net
        {
            [Parameter(2)] public partial Parameter [|Extra|] { get; }
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
        }
        """);

    [Fact]
    public void GG0104_ZeroDimension() => Assert.Contains("(4, 0) has a dimension below 1", AssertReported("GG0104", ForwardModel("""
        return Op.Softmax(Op.MatMul(x, W) + B);
        """, "[[|Parameter(4, 0)|]] public partial Parameter Empty { get; }")).GetMessage());

    [Fact]
    public void GG0105_ShapesDoNotBroadcast() => Assert.Contains("Operator + of (B, 3) and (2)", AssertReported("GG0105", ForwardModel("""
        return Op.Softmax([|Op.MatMul(x, W) + Short|]);
        """, "[Parameter(2)] public partial Parameter Short { get; }")).GetMessage());

    [Fact]
    public void GG0106_MatMulOfAVector() => Assert.Contains("'B' has shape (3)", AssertReported("GG0106", ForwardModel("""
        return Op.Softmax([|Op.MatMul(x, B)|]);
        """)).GetMessage());

    [Fact]
    public void GG0107_MatMulInnerDimensions() => Assert.Contains("MatMul of (B, 3) and (64, 50): inner dimensions 3 and 64 differ", AssertReported("GG0107", ForwardModel("""
        var h = Op.Tanh(Op.MatMul(x, W) + B);
        return Op.Softmax([|Op.MatMul(h, W2)|]);
        """, "[Parameter(64, 50)] public partial Parameter W2 { get; }")).GetMessage());

    [Fact]
    public void GG0108_ReshapeLosesValues() => Assert.Contains("4 values per sample cannot become 5", AssertReported("GG0108", ForwardModel("""
        return Op.Softmax(Op.MatMul([|Op.Reshape(x, -1, 5)|], W) + B);
        """)).GetMessage());

    [Fact]
    public void GG0109_AxisOutOfRange() => AssertReported("GG0109", ForwardModel("""
        return Op.Softmax([|Op.Sum(x, 2)|]);
        """));

    [Fact]
    public void GG0110_ConcatOfMismatchedPieces() => Assert.Contains("dimension 0 differs (B and 4)", AssertReported("GG0110", ForwardModel("""
        return Op.Softmax([|Op.Concat(x, W)|]);
        """)).GetMessage());

    [Fact]
    public void GG0111_ForwardReturnsAFloat() => AssertReported("GG0111", """
        [Model]
        public partial class Net { [Forward] public float [|Call|]([Shape(4)] Tensor x) => 0; }
        """);

    [Fact]
    public void GG0111_ArgumentWithoutShape() => Assert.Contains("needs its shape", AssertReported("GG0111", """
        [Model]
        public partial class Net
        {
            [Parameter(4, 2)] public partial Parameter W { get; }
            [Forward] public Tensor Call(Tensor [|x|]) => Op.Softmax(Op.MatMul(x, W));
        }
        """).GetMessage());

    [Fact]
    public void GG0112_OutputIsNotOneRowPerSample() => Assert.Contains("returns (B)", AssertReported("GG0112", ForwardModel("""
        return [|Op.Sum(x, 1)|];
        """)).GetMessage());

    [Fact]
    public void GG0113_DifferentiableNotStatic() => AssertReported("GG0113", """
        public partial class Functions { [Differentiable] public float [|Twice|](float x) => 2 * x; }
        """);

    [Fact]
    public void GG0113_TypeNotPartial() => Assert.Contains("must be partial", AssertReported("GG0113", """
        public static class Functions { [Differentiable] public static float [|Twice|](float x) => 2 * x; }
        """).GetMessage());

    [Fact]
    public void GG0114_AxisNotConstant() => AssertReported("GG0114", ForwardModel("""
        return Op.Softmax(Op.MatMul(Op.Reshape(Op.Sum(Op.Reshape(x, -1, 2, 2), [|Axis|]), -1, 4), W) + B);
        """, "private static int Axis = 1;"));

    [Fact]
    public void GG0115_ParameterNeverRead()
    {
        var diagnostic = AssertReported("GG0115", ForwardModel("""
            return Op.Softmax(Op.MatMul(x, W) + B);
            """, "[Parameter(3)] public partial Parameter [|Unused|] { get; }"));
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
    }

    [Fact]
    public void GG0116_DenseAndForward() => AssertReported("GG0116", """
        [Model]
        public partial class [|Net|]
        {
            [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; }
            [Parameter(4, 2)] public partial Parameter W { get; }
            [Forward] public Tensor Call([Shape(4)] Tensor x) => Op.Softmax(Op.MatMul(x, W));
        }
        """);

    [Fact]
    public void ForwardModelWithoutProblemsHasNoDiagnostics()
    {
        var run = GeneratorHarness.Run("using GraphGen;\n" + ForwardModel("return Op.Softmax(Op.MatMul(x, W) + B);"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Errors);
    }

    [Fact]
    public void EveryDescriptorIsTestedAndTracked()
    {
        string tests = string.Concat(Directory.GetFiles(Path.GetDirectoryName(ThisFile())!, "DiagnosticTests*.cs").Select(File.ReadAllText));
        string releases = File.ReadAllText(Path.Combine(Path.GetDirectoryName(ThisFile())!, "../../../generators/GraphGen.Generators/AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            Assert.Contains($"{descriptor.Id}_", tests);
            Assert.Contains(descriptor.Id + " |", releases);
        }
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
