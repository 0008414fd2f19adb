using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using GraphGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace GraphGen.Tests.Generator;

/// <summary>Runs the generator through CSharpGeneratorDriver on test sources compiled against this framework's assemblies.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DenseLayer).Assembly.Location)
            .Append(typeof(ILGPU.Context).Assembly.Location) // the runtime's dependency, which the generated ILGPU program uses
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();

    public static CSharpCompilation Compilation(params string[] sources)
        => CSharpCompilation.Create("TestModels",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Model{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new ModelGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once: its result, the compilation with the generated code, and every diagnostic of both.</summary>
    public static GeneratorRun Run(params string[] sources)
    {
        var compilation = Compilation(sources);
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorRun(driver.GetRunResult(), output, generatorDiagnostics, output.GetDiagnostics());
    }

    /// <summary>
    /// Compiles <paramref name="compilation"/> (generated code included) and loads it in a collectible context of its
    /// own: GraphGen itself resolves to the test's copy.
    /// </summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        if (!emitted.Success) throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        stream.Position = 0;
        return new AssemblyLoadContext("graphgen-test-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
    }

    /// <summary>Takes the span marked [|like this|] out of a source: the clean source and the span.</summary>
    public static (string Source, TextSpan Span) Marked(string marked)
    {
        var match = Regex.Match(marked, @"\[\|(.*?)\|\]", RegexOptions.Singleline);
        if (!match.Success) throw new ArgumentException("No [|…|] marker in the source.");
        string source = marked.Remove(match.Index, match.Length).Insert(match.Index, match.Groups[1].Value);
        return (source, new TextSpan(match.Index, match.Groups[1].Length));
    }
}

internal sealed record GeneratorRun(GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<Diagnostic> CompilationDiagnostics)
{
    public string GeneratedText(string hintName)
        => Result.Results.Single().GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    public IEnumerable<Diagnostic> Errors => CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
