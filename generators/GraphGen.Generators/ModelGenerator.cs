using System.Linq;
using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphGen.Generators;

/// <summary>
/// The entry point: wires the named stages Parsing → Graph → Autodiff → Fusion → Emit. Each stage's output is
/// an equatable record, so an edit that does not touch a model leaves every step cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (the incremental-cache test reads them).</summary>
    public static class Steps
    {
        public const string Parse = "GraphGen.Parse";
        public const string Graph = "GraphGen.Graph";
        public const string Autodiff = "GraphGen.Autodiff";
        public const string Fusion = "GraphGen.Fusion";
        public const string Emit = "GraphGen.Emit";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(ModelParser.ModelAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                ModelParser.Parse)
            .WithTrackingName(Steps.Parse);
        var graphs = specs.Select(GraphBuilder.Build).WithTrackingName(Steps.Graph);
        var training = graphs.Select(static (g, _) => g.Then("autodiff", GradientBuilder.Differentiate)).WithTrackingName(Steps.Autodiff);
        var plans = training.Select(static (t, _) => t.Then("fusion", FusionPipeline.Fuse)).WithTrackingName(Steps.Fusion);
        var sources = plans.Select(static (p, _) => p.Then("emit", CSharpEmitter.Emit)).WithTrackingName(Steps.Emit);
        context.RegisterSourceOutput(sources, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (result.Value is { } source) output.AddSource(source.HintName, source.Text);
        });
    }
}
