using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace GraphGen.Tests.Generator;

/// <summary>
/// The generator on thousands of seeded declarations (<see cref="DeclarationFuzzer"/>). Every case: the generator
/// never throws (no CS8785, no GG0099), every GG diagnostic lies inside an input file, and code the generator emitted
/// (a rejected model's throwing stubs too) compiles wherever the user's own code does. Valid cases compile with no
/// error at all and get a file per model; cases that break a GG rule get a GG error, and no partial member is left
/// without its part (CS9248) unless no partial part can reopen the type.
/// CI runs <see cref="FastCases"/>; the full run is GRAPHGEN_FUZZ_CASES=10000 dotnet test --filter GeneratorFuzzTests.
/// </summary>
public class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int FastCases = 600;

    [Fact]
    public void EveryDeclarationKeepsTheInvariants()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("GRAPHGEN_FUZZ_CASES"), out int n) && n > 0 ? n : FastCases;
        var failures = new List<string>();
        var counts = new Dictionary<FuzzExpectation, int>();
        int generatorErrors = 0;
        for (int seed = 0; seed < cases && failures.Count < 10; seed++)
        {
            var fuzz = DeclarationFuzzer.Create(seed);
            counts[fuzz.Expectation] = counts.GetValueOrDefault(fuzz.Expectation) + 1;
            string? problem = Check(fuzz, out bool hadGeneratorError);
            if (hadGeneratorError) generatorErrors++;
            if (problem is not null)
                failures.Add($"seed {seed} ({fuzz.Expectation}; {fuzz.Description}): {problem}\n{string.Join("\n// ---- next file\n", fuzz.Sources)}");
        }
        output.WriteLine($"{cases} declarations: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key}"))}; " +
            $"{generatorErrors} drew a GG error; {failures.Count} broke an invariant");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        // The grammar must keep producing every kind of case, or the fuzz test quietly stops testing one of them.
        Assert.All(Enum.GetValues<FuzzExpectation>(), e => Assert.True(counts.GetValueOrDefault(e) >= cases / 20, $"only {counts.GetValueOrDefault(e)} {e} cases"));
    }

    [Fact]
    public void AForwardBodyCSharpCannotBindIsLeftToTheCompiler()
    {
        // Found by the fuzz test: the body's unknown name left the model with neither a program nor layers, and the
        // graph stage indexed an empty layer list (GG0099). Now there is no model to build, and C# reports the name.
        var run = GeneratorHarness.Run("""
            using GraphGen;
            [Model]
            public sealed partial class Net
            {
                [Parameter(4, 3)] public partial Parameter W { get; }
                [Forward] public Tensor Call([Shape(4)] Tensor x) => Op.Softmax(Op.MatMul(x, W) + Nowhere);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(run.Errors, d => d.Id == "CS0103" && d.GetMessage().Contains("Nowhere"));
    }

    /// <summary>Runs the generator on one case; null when every invariant holds, else what broke.</summary>
    private static string? Check(FuzzCase fuzz, out bool hadGeneratorError)
    {
        var compilation = GeneratorHarness.Compilation(fuzz.Sources);
        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var outputCompilation, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        hadGeneratorError = generatorDiagnostics.Any(d => d.Id.StartsWith("GG", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);

        if (result.Results.Single().Exception is { } exception) return $"the generator threw {exception}";
        if (generatorDiagnostics.FirstOrDefault(d => d.Id is "CS8785" or "GG0099") is { } crash) return $"internal error: {crash}";

        // The generator's models hold paths and spans, not syntax trees, so its locations are file locations: the path
        // must name an input file and the span must lie inside it.
        var inputs = compilation.SyntaxTrees.ToDictionary(t => t.FilePath, t => t.Length);
        foreach (var d in generatorDiagnostics)
        {
            if (!d.Id.StartsWith("GG", StringComparison.Ordinal)) return $"a diagnostic that is not GG: {d}";
            if (d.Location == Location.None || !inputs.TryGetValue(d.Location.GetLineSpan().Path, out int length))
                return $"{d.Id} is not located in an input file: {d}";
            if (d.Location.SourceSpan.End > length || d.Location.SourceSpan.IsEmpty && length > 0 && d.Location.SourceSpan.Start == 0 && d.Id != "GG0005")
                return $"{d.Id} has no real span in its file: {d.Location.SourceSpan} of {length}";
        }

        var generatedTrees = result.GeneratedTrees.ToImmutableHashSet();
        var errors = outputCompilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        // Generated code compiles, a rejected model's throwing stubs too: no error inside it unless the user's code is broken too.
        bool userErrors = errors.Any(d => !generatedTrees.Contains(d.Location.SourceTree!));
        if (!userErrors && errors.FirstOrDefault(d => generatedTrees.Contains(d.Location.SourceTree!)) is { } broken)
            return $"generated code does not compile: {broken}\n{broken.Location.SourceTree}";
        // A rejected model keeps its partial members, so its GG errors show alone; only a type no partial part can reopen has none.
        // (GG0016 stops parsing before GG0011 is checked, hence the description.)
        if (fuzz.Expectation == FuzzExpectation.GeneratorError && !fuzz.Description.Contains("GG0001") && !fuzz.Description.Contains("GG0011")
            && errors.FirstOrDefault(d => d.Id == "CS9248") is { } buried)
            return $"a rejected model's partial member was left without its part: {buried}";

        switch (fuzz.Expectation)
        {
            case FuzzExpectation.Valid:
                if (errors.Count > 0 || hadGeneratorError)
                    return $"a valid declaration failed: {string.Join("; ", generatorDiagnostics.Concat(errors).Take(5))}";
                int models = fuzz.Sources.Sum(s => s.Split("[Model(").Length - 1);
                if (result.GeneratedTrees.Length < models) return $"{models} models but {result.GeneratedTrees.Length} generated files";
                break;
            case FuzzExpectation.GeneratorError:
                if (!hadGeneratorError) return $"no GG error for a broken rule; diagnostics: {string.Join("; ", generatorDiagnostics.Concat(errors).Take(5))}";
                break;
        }
        return null;
    }
}
