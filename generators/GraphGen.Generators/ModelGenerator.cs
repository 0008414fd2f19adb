using System.Linq;
using GraphGen.Generators.Autodiff;
using GraphGen.Generators.Diagnostics;
using GraphGen.Generators.Emit;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphGen.Generators;

/// <summary>
/// The entry point: wires the named stages Parsing → Graph → Autodiff → Fusion → Emit, once for models (Dense
/// or [Forward]) and once for [Differentiable] functions. Each stage's output is an equatable record without
/// spans: the Parsing stage numbers the places it may report at (<see cref="Site"/>) and reads their spans into a
/// location table beside the spec, which only the diagnostics' own output reads. So an edit that does not touch a
/// model, or only moves its text, leaves every step after parsing cached. The Parsing stage also reads a fallback
/// that travels with the results: where a stage rejects the declaration, the emitted file holds its members as
/// throwing stubs.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (the incremental-cache test reads them).</summary>
    public static class Steps
    {
        public const string Parse = "GraphGen.Parse";
        public const string Spec = "GraphGen.Spec";
        public const string Locations = "GraphGen.Locations";
        public const string Graph = "GraphGen.Graph";
        public const string Autodiff = "GraphGen.Autodiff";
        public const string Fusion = "GraphGen.Fusion";
        public const string Emit = "GraphGen.Emit";
        public const string IlgpuEmit = "GraphGen.IlgpuEmit";
        public const string OnnxEmit = "GraphGen.OnnxEmit";
        public const string Diagnostics = "GraphGen.Diagnostics";
        public const string FunctionParse = "GraphGen.Function.Parse";
        public const string FunctionSpec = "GraphGen.Function.Spec";
        public const string FunctionLocations = "GraphGen.Function.Locations";
        public const string FunctionGraph = "GraphGen.Function.Graph";
        public const string FunctionAutodiff = "GraphGen.Function.Autodiff";
        public const string FunctionFusion = "GraphGen.Function.Fusion";
        public const string FunctionEmit = "GraphGen.Function.Emit";
        public const string FunctionDiagnostics = "GraphGen.Function.Diagnostics";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Models: Dense layers or a [Forward] method.
        var parsedModels = context.SyntaxProvider
            .ForAttributeWithMetadataName(ModelParser.ModelAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                ModelParser.Parse)
            .WithTrackingName(Steps.Parse);
        var specs = parsedModels.Select(static (p, _) => p.Result).WithTrackingName(Steps.Spec);
        var modelLocations = parsedModels.Select(static (p, _) => p.Locations).WithTrackingName(Steps.Locations);
        var modelGraphs = specs.Select(static (p, ct) => GraphBuilder.Build(p, ct).After(p)).WithTrackingName(Steps.Graph);
        // GraphGenDumpPlan=true (an MSBuild property) adds the kernel plan after each pass to the output, for contributors.
        var dumpPlan = context.AnalyzerConfigOptionsProvider.Select(static (options, _) =>
            options.GlobalOptions.TryGetValue("build_property.GraphGenDumpPlan", out var value) && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase));
        var modelPlans = Compile(context, modelGraphs, modelLocations, dumpPlan, Steps.Autodiff, Steps.Fusion, Steps.Emit, Steps.Diagnostics);
        // The same plans as an ILGPU program: a second file per model (its diagnostics were reported with the C# above).
        // Its override's accessibility depends on whether this assembly sees GraphGen's internals (protected internal
        // there, protected elsewhere), a bool that stays the same across edits.
        var internalAccess = context.CompilationProvider.Select(static (c, _) =>
            c.GetTypeByMetadataName("GraphGen.Training.CompiledModel")?.ContainingAssembly.GivesAccessTo(c.Assembly) == true);
        var ilgpuSources = modelPlans.Combine(internalAccess)
            .Select(static (t, _) => t.Left.Then("ilgpu-emit", plan => IlgpuEmitter.Emit(plan, t.Right))).WithTrackingName(Steps.IlgpuEmit);
        context.RegisterSourceOutput(ilgpuSources, static (output, result) =>
        {
            if (result.Value is { } source) output.AddSource(source.HintName, source.Text);
        });

        // And the inference graph as a table of ONNX nodes, from the forward graph (no autodiff or fusion): a fourth
        // file, which ExportOnnx fills with the weights.
        var onnxSources = modelGraphs.Select(static (g, _) => g.Then("onnx-emit", OnnxEmitter.Emit)).WithTrackingName(Steps.OnnxEmit);
        context.RegisterSourceOutput(onnxSources, static (output, result) =>
        {
            if (result.Value is { } source) output.AddSource(source.HintName, source.Text);
        });

        // [Differentiable] functions: the same stages from the Graph on.
        var parsedFunctions = context.SyntaxProvider
            .ForAttributeWithMetadataName(FunctionParser.DifferentiableAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                FunctionParser.Parse)
            .WithTrackingName(Steps.FunctionParse);
        var functions = parsedFunctions.Select(static (p, _) => p.Result).WithTrackingName(Steps.FunctionSpec);
        var functionLocations = parsedFunctions.Select(static (p, _) => p.Locations).WithTrackingName(Steps.FunctionLocations);
        var functionGraphs = functions.Select(static (p, ct) => FunctionGraphBuilder.Build(p, ct).After(p)).WithTrackingName(Steps.FunctionGraph);
        Compile(context, functionGraphs, functionLocations, dumpPlan, Steps.FunctionAutodiff, Steps.FunctionFusion, Steps.FunctionEmit, Steps.FunctionDiagnostics);
    }

    /// <summary>
    /// Autodiff, Fusion and C# Emit over the graphs, and the diagnostics of all of them placed by their location
    /// tables; returns the kernel plans for any further output.
    /// </summary>
    private static IncrementalValuesProvider<StageResult<KernelPlan>> Compile(IncrementalGeneratorInitializationContext context,
        IncrementalValuesProvider<StageResult<ModelGraph>> graphs, IncrementalValuesProvider<LocationTable> locations, IncrementalValueProvider<bool> dumpPlan,
        string autodiffStep, string fusionStep, string emitStep, string diagnosticsStep)
    {
        var training = graphs.Select(static (g, _) => g.Then("autodiff", GradientBuilder.Differentiate)).WithTrackingName(autodiffStep);
        var plans = training.Combine(dumpPlan)
            .Select(static (t, _) => t.Left.Then("fusion", graph => FusionPipeline.Fuse(graph, dump: t.Right))).WithTrackingName(fusionStep);
        context.RegisterSourceOutput(plans, static (output, result) =>
        {
            if (result.Value is { Dump.Count: > 0 } plan) output.AddSource(PlanDumpEmitter.HintName(plan), PlanDumpEmitter.Emit(plan));
        });
        // A declaration some stage rejected still gets its members, as stubs that throw: the build then shows its diagnostics alone.
        var sources = plans.Select(static (p, _) => FallbackEmitter.OrFallback(p.Then("emit", CSharpEmitter.Emit))).WithTrackingName(emitStep);
        context.RegisterSourceOutput(sources, static (output, result) =>
        {
            if (result.Value is { } source) output.AddSource(source.HintName, source.Text);
        });
        // The diagnostics, their own output: the only one that reads spans, so text that moves re-runs it alone.
        var diagnostics = sources.Select(static (r, _) => new DeclarationDiagnostics(r.Key, r.Diagnostics)).WithTrackingName(diagnosticsStep);
        context.RegisterSourceOutput(diagnostics.Collect().Combine(locations.Collect()), DiagnosticReporter.Report);
        return plans;
    }
}
