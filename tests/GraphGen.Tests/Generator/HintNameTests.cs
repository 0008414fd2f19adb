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
}
