using GraphGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>
/// The pipeline models have value equality and hold no spans, so edits that do not touch a model, or only move
/// its text, leave every step after parsing cached; the diagnostics, their own output, still move with the text.
/// </summary>
public class IncrementalTests
{
    private static readonly string[] ModelStepsAfterParsing =
    {
        ModelGenerator.Steps.Graph, ModelGenerator.Steps.Autodiff, ModelGenerator.Steps.Fusion, ModelGenerator.Steps.Emit,
        ModelGenerator.Steps.IlgpuEmit, ModelGenerator.Steps.OnnxEmit, ModelGenerator.Steps.Diagnostics,
    };

    private static readonly string[] FunctionStepsAfterParsing =
    {
        ModelGenerator.Steps.FunctionGraph, ModelGenerator.Steps.FunctionAutodiff, ModelGenerator.Steps.FunctionFusion,
        ModelGenerator.Steps.FunctionEmit, ModelGenerator.Steps.FunctionDiagnostics,
    };

    private static readonly string[] Steps =
    {
        ModelGenerator.Steps.Parse, ModelGenerator.Steps.Spec, ModelGenerator.Steps.Locations, ModelGenerator.Steps.Graph,
        ModelGenerator.Steps.Autodiff, ModelGenerator.Steps.Fusion, ModelGenerator.Steps.Emit,
        ModelGenerator.Steps.IlgpuEmit, ModelGenerator.Steps.OnnxEmit, ModelGenerator.Steps.Diagnostics,
        ModelGenerator.Steps.FunctionParse, ModelGenerator.Steps.FunctionSpec, ModelGenerator.Steps.FunctionLocations,
        ModelGenerator.Steps.FunctionGraph, ModelGenerator.Steps.FunctionAutodiff, ModelGenerator.Steps.FunctionFusion,
        ModelGenerator.Steps.FunctionEmit, ModelGenerator.Steps.FunctionDiagnostics,
    };

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        // A Dense model, [Forward] models and [Differentiable] functions, then an edit elsewhere.
        var compilation = GeneratorHarness.Compilation(TestSources.Reference, TestSources.Forward, TestSources.Tape,
            "namespace Other { public class Helper { public int A => 1; } }");
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);

        var unrelated = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Other { public class Helper { public int A => 2; public int B => 3; } }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in Steps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} was not tracked");
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void EditToTheModelRerunsThePipeline()
    {
        var compilation = GeneratorHarness.Compilation(TestSources.Reference);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(TestSources.Reference.Replace("Dense(512", "Dense(256"), GeneratorHarness.ParseOptions, tree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var emit = result.TrackedSteps[ModelGenerator.Steps.Emit].SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, emit);
        Assert.Contains("256", result.GeneratedSources.Single(s => s.HintName == "Demo.MnistClassifier.g.cs").SourceText.ToString());
        var ilgpu = result.TrackedSteps[ModelGenerator.Steps.IlgpuEmit].SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, ilgpu);
        Assert.Contains("sum += source[r * 256 + col];", result.GeneratedSources.Single(s => s.HintName == "Demo.MnistClassifier.ilgpu.g.cs").SourceText.ToString());
        var onnx = result.TrackedSteps[ModelGenerator.Steps.OnnxEmit].SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, onnx);
        Assert.Contains("(B, 256)", result.GeneratedSources.Single(s => s.HintName == "Demo.MnistClassifier.onnx.g.cs").SourceText.ToString());
    }

    [Fact]
    public void EditToAForwardBodyRerunsItsModelOnly()
    {
        var compilation = GeneratorHarness.Compilation(TestSources.Forward);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(
            TestSources.Forward.Replace("var h = x + Op.Relu(", "var h = x - Op.Relu("), GeneratorHarness.ParseOptions, tree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var emit = result.TrackedSteps[ModelGenerator.Steps.Emit].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, emit.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Contains("h = x − h_relu", result.GeneratedSources.Single(s => s.HintName == "Demo.Residual.g.cs").SourceText.ToString());
    }

    // ---- text that moves: a comment and blank lines above a declaration, in its own file ----

    private const string Inserted = "// Three lines above the declaration: a comment and two blank lines.\n\n\n";

    [Theory]
    [InlineData(0, "[Model(")]    // the Dense model
    [InlineData(1, "[Model]")]    // the first [Forward] model, so every model of the file moves
    [InlineData(1, "[Model(Loss = Loss.MeanSquaredError)]")] // a [Forward] model further down: those above it stay put
    public void LinesInsertedAboveAModelLeaveGraphToEmitCached(int file, string above)
    {
        var (before, after) = RunWithEdit(file, s => InsertAbove(s, above), TestSources.Reference, TestSources.Forward, TestSources.Tape);

        AssertRan(after, ModelGenerator.Steps.Parse, ModelGenerator.Steps.Locations); // the edit reached the parser
        AssertCached(after, ModelGenerator.Steps.Spec); // re-run, to the same spec
        AssertNotRun(after, ModelStepsAfterParsing);
        AssertSameSources(before, after);
    }

    [Theory]
    [InlineData("public static partial class Tape")] // the type: every function of it moves
    [InlineData("[Differentiable]\n    public static Tensor Affine")] // one function among others
    public void LinesInsertedAboveAFunctionLeaveItsGraphToEmitCached(string above)
    {
        var (before, after) = RunWithEdit(2, s => InsertAbove(s, above), TestSources.Reference, TestSources.Forward, TestSources.Tape);

        AssertRan(after, ModelGenerator.Steps.FunctionParse, ModelGenerator.Steps.FunctionLocations);
        AssertCached(after, ModelGenerator.Steps.FunctionSpec);
        AssertNotRun(after, FunctionStepsAfterParsing);
        AssertSameSources(before, after);
    }

    /// <summary>A Graph warning (GG0118), a Graph warning about a [Parameter] (GG0115), a Dense Graph warning (GG0018) and a parse warning (GG0117).</summary>
    private const string Warned = """
        using GraphGen;

        namespace Demo;

        [Model]
        public partial class Mixer
        {
            [Parameter(4, 3)] public partial Parameter W { get; }
            [Parameter(3)] public partial Parameter Unused { get; }

            [Forward]
            public Tensor Call([Shape(4)] Tensor x)
            {
                var h = Op.Tanh(Op.MatMul(x, W));
                return Op.Softmax(Op.Mean(h, 0) + h);
            }
        }

        [Model][Input(4)]
        public partial class One { [Dense(1, Activation.Softmax)] public partial DenseLayer Out { get; } }

        public static partial class Tape
        {
            [Differentiable]
            public static float Half(float x, float ignored) => x / 2;
        }
        """;

    [Theory]
    [InlineData("[Model]")]                  // above every declaration of the file
    [InlineData("        var h = Op.Tanh")]  // inside the [Forward] body, below its parameters and above the mixing point
    [InlineData("[Model][Input(4)]")]        // between the declarations: those above stay put
    public void DiagnosticsMoveWithTheText(string above)
    {
        var (before, after) = RunWithEdit(0, s => InsertAbove(s, above), Warned);
        string[] ids = { "GG0115", "GG0118", "GG0018", "GG0117" };
        Assert.Equal(ids.OrderBy(i => i), before.Diagnostics.Select(d => d.Id).OrderBy(i => i));
        Assert.Equal(ids.OrderBy(i => i), after.Diagnostics.Select(d => d.Id).OrderBy(i => i)); // each once: none stale
        int inserted = Inserted.Count(c => c == '\n');
        string text = Warned.Replace("\r\n", "\n");
        int editLine = text.Substring(0, text.IndexOf(above, StringComparison.Ordinal)).Count(c => c == '\n');
        string edited = InsertAbove(Warned, above);
        foreach (string id in ids)
        {
            var old = before.Diagnostics.Single(d => d.Id == id).Location;
            var moved = after.Diagnostics.Single(d => d.Id == id).Location;
            int shift = old.GetLineSpan().StartLinePosition.Line >= editLine ? inserted : 0;
            Assert.Equal(old.GetLineSpan().StartLinePosition.Line + shift, moved.GetLineSpan().StartLinePosition.Line);
            Assert.Equal(old.GetLineSpan().Span.Start.Character, moved.GetLineSpan().Span.Start.Character);
            Assert.Equal(old.SourceSpan.Length, moved.SourceSpan.Length);
            Assert.Equal(text.Substring(old.SourceSpan.Start, old.SourceSpan.Length), edited.Substring(moved.SourceSpan.Start, moved.SourceSpan.Length));
        }
        // The warnings come from the Graph stage (GG0018, GG0115, GG0118) and parsing (GG0117); no stage after parsing re-ran.
        AssertNotRun(after, ModelStepsAfterParsing);
        AssertNotRun(after, FunctionStepsAfterParsing);
    }

    /// <summary>
    /// What the stages pass on holds no span, syntax or symbol (those would defeat the caching above, or keep a
    /// compilation alive): only the location table, which the diagnostics' output alone reads, holds spans.
    /// </summary>
    [Fact]
    public void PipelineTypesHoldNoSpansSyntaxOrSymbols()
    {
        var generator = typeof(ModelGenerator).Assembly;
        var locationInfo = generator.GetType("GraphGen.Generators.Model.LocationInfo", throwOnError: true)!;
        var spans = new[] { locationInfo, generator.GetType("GraphGen.Generators.Model.LocationTable", throwOnError: true)! };
        var forbidden = new[]
        {
            locationInfo, typeof(Location), typeof(SyntaxNode), typeof(SyntaxToken), typeof(SyntaxTree), typeof(ISymbol),
            typeof(Microsoft.CodeAnalysis.Text.TextSpan), typeof(Microsoft.CodeAnalysis.Text.LinePositionSpan), typeof(SemanticModel), typeof(Compilation),
        };
        bool Holds(Type t) => forbidden.Any(f => f.IsAssignableFrom(t)) || (t.IsArray && Holds(t.GetElementType()!))
            || (t.IsGenericType && t.GetGenericArguments().Any(Holds));
        string[] stages = { "Model", "Graph", "Autodiff", "Fusion", "Emit" };
        var types = generator.GetTypes().Where(t => stages.Any(s => t.Namespace == "GraphGen.Generators." + s) && !t.Name.Contains('<')
            && !spans.Contains(t) && t.Name != "Parsed`1").ToList();
        Assert.Contains(types, t => t.Name == "ModelSpec");
        var found = types.SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public
                | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(f => Holds(f.FieldType)).Select(f => $"{t.Name}.{f.Name}: {f.FieldType.Name}"));
        Assert.Empty(found);
    }

    private static string InsertAbove(string source, string above)
    {
        string text = source.Replace("\r\n", "\n");
        int at = text.IndexOf(above, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{above}' is not in the source");
        return text.Insert(at, Inserted);
    }

    /// <summary>The generator run on <paramref name="sources"/>, and run again with file <paramref name="file"/> edited.</summary>
    private static (GeneratorRunResult Before, GeneratorRunResult After) RunWithEdit(int file, Func<string, string> edit, params string[] sources)
    {
        var compilation = GeneratorHarness.Compilation(sources.Select(s => s.Replace("\r\n", "\n")).ToArray());
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        var before = driver.GetRunResult().Results.Single();
        var tree = compilation.SyntaxTrees.ElementAt(file);
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(edit(sources[file]), GeneratorHarness.ParseOptions, tree.FilePath));
        var after = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Empty(before.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        return (before, after);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} was not tracked");
        var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    private static void AssertCached(GeneratorRunResult result, params string[] steps)
    {
        foreach (string step in steps)
            Assert.All(Reasons(result, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
    }

    /// <summary>Cached: the step did not run at all (its input was the same), as against Unchanged (it ran, to the same output).</summary>
    private static void AssertNotRun(GeneratorRunResult result, params string[] steps)
    {
        foreach (string step in steps)
            Assert.All(Reasons(result, step), r => Assert.True(r == IncrementalStepRunReason.Cached, $"{step}: {r}"));
    }

    private static void AssertRan(GeneratorRunResult result, params string[] steps)
    {
        foreach (string step in steps) Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, step));
    }

    private static void AssertSameSources(GeneratorRunResult before, GeneratorRunResult after)
    {
        Assert.NotEmpty(before.GeneratedSources);
        Assert.Equal(before.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())),
            after.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
    }
}
