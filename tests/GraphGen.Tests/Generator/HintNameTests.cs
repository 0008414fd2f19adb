using System.Text.RegularExpressions;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>The generated files' names: short, filename-safe, and fixed by the declaration itself.</summary>
public class HintNameTests
{
    private const string Overloads = """
        using GraphGen;
        namespace Demo;
        public static partial class Ops
        {
            [Differentiable] public static Tensor Scale([Shape(2, 3)] Tensor x, float k) => x * k;
            [Differentiable] public static float Scale(float x, float k) => x * k;
            [Differentiable] public static float Square(float x) => x * x;
        }
        """;

    private static List<string> HintNames(params string[] sources)
    {
        var run = GeneratorHarness.Run(sources);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Errors);
        return run.Result.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void GradientFilesAreNamedByTypeAndMethod()
    {
        var names = HintNames(TestSources.Tape);
        Assert.Equal(["Demo.Tape.Affine.Gradient.g.cs", "Demo.Tape.Line.Gradient.g.cs", "Demo.Tape.Normalized.Gradient.g.cs"], names);
        Assert.All(names, n => Assert.Matches(@"^[\w.\-]+$", n)); // no parentheses, commas or spaces
    }

    [Fact]
    public void OverloadsAreToldApartByTheirArgumentsWhateverTheOrder()
    {
        string[] expected = ["Demo.Ops.Scale-2x3-float.Gradient.g.cs", "Demo.Ops.Scale-float-float.Gradient.g.cs", "Demo.Ops.Square.Gradient.g.cs"];
        Assert.Equal(expected, HintNames(Overloads));
        // Declared the other way round, beside a new method of another name, and with a body edited: the same names.
        var lines = Overloads.Split('\n').ToList();
        (lines[4], lines[5]) = (lines[5].Replace("x * k", "k * x"), lines[4]);
        lines.Insert(6, "    [Differentiable] public static float Cube(float x) => x * x * x;");
        Assert.Equal(expected.Prepend("Demo.Ops.Cube.Gradient.g.cs").Order(StringComparer.Ordinal), HintNames(string.Join('\n', lines)));
    }

    [Fact]
    public void BothOverloadsCanBeCalled()
    {
        var run = GeneratorHarness.Run(Overloads, """
            using GraphGen;
            public static class Usage
            {
                public static float Run(Tensor x) => Demo.Ops.ScaleGradient(x, 2f).dk + Demo.Ops.ScaleGradient(1f, 2f).dk;
            }
            """);
        Assert.Empty(run.Errors);
    }

    [Fact]
    public void ARejectedOverloadOfAnotherTypeGetsAHashedName()
    {
        var run = GeneratorHarness.Run(Overloads.Replace("public static float Square(float x) => x * x;", "public static float Scale(int x) => x;"));
        var names = run.Result.Results.Single().GeneratedSources.Select(s => s.HintName).ToList();
        Assert.Equal(3, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Contains(names, n => Regex.IsMatch(n, @"^Demo\.Ops\.Scale-h[0-9a-f]{8}\.Gradient\.g\.cs$"));
    }

    [Fact]
    public void AGenericModelAndAPlainOneOfTheSameNameGetTwoFiles()
    {
        var run = GeneratorHarness.Run("""
            using GraphGen;
            namespace Demo;
            [Model][Input(4)] public partial class Net { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
            [Model][Input(4)] public partial class Net<T> { [Dense(2, Activation.Softmax)] public partial DenseLayer Out { get; } }
            """);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.Contains("Demo.Net.g.cs", run.Result.Results.Single().GeneratedSources.Select(s => s.HintName));
        Assert.Contains("Demo.Net-1.g.cs", run.Result.Results.Single().GeneratedSources.Select(s => s.HintName));
    }
}
