using GraphGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>The pipeline models have value equality, so edits that do not touch a model leave every step cached.</summary>
public class IncrementalTests
{
    private static readonly string[] Steps =
    {
        ModelGenerator.Steps.Parse, ModelGenerator.Steps.Graph, ModelGenerator.Steps.Autodiff,
        ModelGenerator.Steps.Fusion, ModelGenerator.Steps.Emit, ModelGenerator.Steps.CudaEmit,
        ModelGenerator.Steps.FunctionParse, ModelGenerator.Steps.FunctionGraph, ModelGenerator.Steps.FunctionAutodiff,
        ModelGenerator.Steps.FunctionFusion, ModelGenerator.Steps.FunctionEmit,
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
        var cuda = result.TrackedSteps[ModelGenerator.Steps.CudaEmit].SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.Contains(IncrementalStepRunReason.Modified, cuda);
        Assert.Contains("if (col >= 256) return;", result.GeneratedSources.Single(s => s.HintName == "Demo.MnistClassifier.cuda.g.cs").SourceText.ToString());
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
}
