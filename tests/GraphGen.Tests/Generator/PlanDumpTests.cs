using System.Collections.Immutable;
using GraphGen.Generators;
using GraphGen.Generators.Fusion;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>
/// The GraphGenDumpPlan build property: off, no plan file; on, {Model}.plan.g.cs holds the plan after every pass of
/// <see cref="FusionPipeline.Passes"/>, in their order, with what each decided, and still compiles (comments only).
/// </summary>
public class PlanDumpTests
{
    [Fact]
    public void WithoutThePropertyNoPlanIsEmitted()
    {
        var run = GeneratorHarness.Run(TestSources.Reference);
        Assert.DoesNotContain(run.Result.GeneratedTrees, t => t.FilePath.EndsWith(".plan.g.cs"));
    }

    [Fact]
    public void ThePlanAfterEachPassOfTheReferenceModelIsDumped()
    {
        var compilation = GeneratorHarness.Compilation(TestSources.Reference);
        var driver = CSharpGeneratorDriver.Create(new[] { new ModelGenerator().AsSourceGenerator() },
            parseOptions: GeneratorHarness.ParseOptions, optionsProvider: new BuildProperties("build_property.GraphGenDumpPlan", "true"));
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var plan = Assert.Single(output.SyntaxTrees, t => t.FilePath.EndsWith("MnistClassifier.plan.g.cs")).ToString();

        int at = 0;
        foreach (var (name, _) in FusionPipeline.Passes)
        {
            int next = plan.IndexOf($"// after {name}:", at, StringComparison.Ordinal);
            Assert.True(next > at, $"no dump after the pass {name}, in order");
            at = next;
        }
        Assert.Contains("Gemm TN m=784 n=512 k=B [hidden]", plan); // d hidden.weight = xᵀ·d_hidden_z
        Assert.Contains("Gemm NN m=B n=512 k=784 epilogue=BiasActivation(Relu) [hidden]", plan); // relu and the bias fold into the GEMM
        Assert.Contains("optimizer after the step: hidden.weight, hidden.bias, output.weight, output.bias", plan);
        Assert.Contains("buf0 (B, 512): hidden_out", plan);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    private sealed class BuildProperties(string key, string value) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(ImmutableDictionary<string, string>.Empty.Add(key, value));
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(ImmutableDictionary<string, string>.Empty);
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(ImmutableDictionary<string, string>.Empty);
    }

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
