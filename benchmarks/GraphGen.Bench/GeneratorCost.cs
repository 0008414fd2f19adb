using System.Collections.Immutable;
using System.Diagnostics;
using GraphGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GraphGen.Bench;

/// <summary>The generator's cost on a project of N models: a full run, and a rerun after an unrelated edit.</summary>
public sealed record GeneratorFigures(int Models, double FullRunMs, double UnrelatedEditMs, bool EditLeftEveryStepCached, int GeneratedFiles);

/// <summary>
/// Drives the generator as the compiler does (CSharpGeneratorDriver), on N copies of the reference model in their
/// own namespaces. Timings are warm (the generator already JIT-compiled), as in a compiler server or the IDE.
/// </summary>
public static class GeneratorCost
{
    private static readonly CSharpParseOptions s_parse = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> s_references =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DenseLayer).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();

    public static GeneratorFigures Measure(int models, int repeats = 5)
    {
        Run(Compilation(2), out _); // JIT the generator and Roslyn's paths first
        double full = double.MaxValue, edit = double.MaxValue;
        bool cached = true;
        int files = 0;
        for (int r = 0; r < repeats; r++)
        {
            var compilation = Compilation(models);
            var clock = Stopwatch.StartNew();
            var driver = Run(compilation, out _);
            full = Math.Min(full, clock.Elapsed.TotalMilliseconds);
            files = driver.GetRunResult().GeneratedTrees.Length;

            var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText($"class Unrelated{r} {{ int X => {r}; }}", s_parse, path: "Unrelated.cs"));
            clock.Restart();
            driver = driver.RunGenerators(edited);
            edit = Math.Min(edit, clock.Elapsed.TotalMilliseconds);
            cached &= driver.GetRunResult().Results.Single().TrackedSteps
                .Where(s => s.Key.StartsWith("GraphGen.", StringComparison.Ordinal))
                .SelectMany(s => s.Value).SelectMany(step => step.Outputs)
                .All(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        }
        return new GeneratorFigures(models, full, edit, cached, files);
    }

    private static GeneratorDriver Run(Compilation compilation, out Compilation output)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: s_parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        return driver.RunGeneratorsAndUpdateCompilation(compilation, out output, out _);
    }

    private static CSharpCompilation Compilation(int models) => CSharpCompilation.Create("BenchModels",
        Enumerable.Range(0, models).Select(i => CSharpSyntaxTree.ParseText($$"""
            using GraphGen;
            namespace Models{{i}};
            [Model(Loss = Loss.SparseCategoricalCrossentropy)]
            [Input(784)]
            public sealed partial class Classifier
            {
                [Dense({{256 + i}}, Activation.Relu)] public partial DenseLayer Hidden { get; }
                [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
            }
            """, s_parse, path: $"Model{i}.cs")),
        s_references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
}
