using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Sdk;

namespace GraphGen.Tests.Packaging;

/// <summary>
/// Every C# block of the README compiles as written, with zero errors and zero warnings (README: Contributor notes);
/// and the check itself fails on a block that does not.
/// </summary>
public class ReadmeTests
{
    public static TheoryData<int> CSharpBlockLines()
        => new(Readme.Blocks().Where(b => b.IsCSharp && !b.IsFragment).Select(b => b.Line));

    [Theory]
    [MemberData(nameof(CSharpBlockLines))]
    public void EveryCSharpBlockCompilesAsWritten(int line)
        => AssertCompiles(Readme.Blocks().Single(b => b.Line == line), Readme.QuickStart());

    [Fact]
    public void TheReadmeHasItsBlocksWhereThePackagingTestsLookForThem()
    {
        var blocks = Readme.Blocks();
        Assert.Contains("class MnistClassifier", Readme.QuickStart().Code);
        Assert.Contains(blocks, b => b.IsCSharp && b.IsFragment);
        Assert.Contains("<PackageReference Include=\"GraphGen.Testing\"", Readme.InSection("Snapshot-testing your model", "xml").Code);
        Assert.True(Readme.InSection("Snapshot-testing your model", "csharp").IsTestFile);
    }

    [Fact]
    public void TheGeneratedCodeExcerptIsLinesOfTheSnapshot()
    {
        // The fragment quotes the reference model's generated training pass: each of its lines stands in the snapshot
        // that the generator's output is checked against, so the excerpt cannot drift from what is emitted.
        var excerpt = Readme.Blocks().Single(b => b.IsCSharp && b.Code.StartsWith(CodeBlock.FragmentMarker + " lines of ForwardBackward in MnistClassifier.g.cs", StringComparison.Ordinal));
        string snapshot = File.ReadAllText(Path.Combine(Path.GetDirectoryName(Readme.Location)!, "tests/GraphGen.Tests/Snapshots/MnistClassifier.verified.cs"));
        var snapshotLines = snapshot.Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        foreach (string line in excerpt.Code.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0))
            Assert.True(snapshotLines.Contains(line), $"README line {excerpt.Line}: not in MnistClassifier.verified.cs: {line}");
    }

    [Fact]
    public void TheExtractorFindsBlocksInTablesAndUnderLongerFences()
    {
        var blocks = Readme.CodeBlocks("""
            Text.
            <table><tr><td>

            ```csharp
            class A { }
            ```

            </td><td>

            ````cs fragment-free
            // fragment: an excerpt
            ```
            ````
            </td></tr></table>

            ~~~sh
            dotnet test
            ~~~
              ```c#
              class B { }
              ```
            """);
        Assert.Equal([4, 10, 16, 19], blocks.Select(b => b.Line));
        Assert.Equal(["csharp", "cs", "sh", "c#"], blocks.Select(b => b.Language));
        Assert.Equal("class A { }", blocks[0].Code);
        Assert.Equal("// fragment: an excerpt\n```", blocks[1].Code);
        Assert.True(blocks[1].IsFragment);
        Assert.False(blocks[0].IsFragment);
        Assert.False(blocks[2].IsCSharp);
        Assert.Equal("class B { }", blocks[3].Code);
    }

    [Fact]
    public void ABlockThatStopsCompilingFailsTheCheck()
    {
        // The README's first block as it once was: types before the top-level statements, no using for RmsProp.
        var broken = new CodeBlock(9, "csharp", """
            using GraphGen;

            [Model(Loss = Loss.SparseCategoricalCrossentropy)]
            [Input(28 * 28)]
            public sealed partial class MnistClassifier
            {
                [Dense(512, Activation.Relu)]   public partial DenseLayer Hidden { get; }
                [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
            }

            var model = new MnistClassifier(seed: 42);
            model.TrainStep(new float[784], new int[1], new RmsProp());
            """);
        var error = Assert.Throws<TrueException>(() => AssertCompiles(broken, Readme.QuickStart()));
        Assert.Contains("README.md line 9", error.Message);
        Assert.Contains("CS8803", error.Message); // top-level statements must precede type declarations
        Assert.Contains("CS0246", error.Message); // RmsProp not found
    }

    [Fact]
    public void WarningsAndGeneratorDiagnosticsFailTheCheckToo()
    {
        var warned = new CodeBlock(1, "csharp", """
            using GraphGen;

            int unused = 1;

            [Model][Input(4)]
            public sealed partial class OneUnit
            {
                [Dense(1, Activation.Softmax)] public partial DenseLayer Output { get; }
            }
            """);
        var error = Assert.Throws<TrueException>(() => AssertCompiles(warned, Readme.QuickStart()));
        Assert.Contains("CS0219", error.Message); // assigned but never used
        Assert.Contains("GG0018", error.Message); // softmax over a single unit

        var shapes = new CodeBlock(1, "csharp", """
            using GraphGen;

            [Model][Input(4)]
            public sealed partial class NoUnits
            {
                [Dense(0)] public partial DenseLayer Output { get; }
            }
            """);
        Assert.Contains("GG0003", Assert.Throws<TrueException>(() => AssertCompiles(shapes, Readme.QuickStart())).Message);
    }

    [Fact]
    public void ATestFileCompilesAgainstTheQuickStartOnly()
    {
        var test = new CodeBlock(1, "csharp", """
            using GraphGen.Testing;
            using Xunit;

            public class T
            {
                [Fact] public void Known() => Snapshot.MatchGenerated<MnistClassifier>();
                [Fact] public void Unknown() => Snapshot.MatchGenerated<DigitsMlp>();
            }
            """);
        var error = Assert.Throws<TrueException>(() => AssertCompiles(test, Readme.QuickStart()));
        Assert.Contains("'DigitsMlp' could not be found", error.Message);
        Assert.DoesNotContain("MnistClassifier", error.Message);
    }

    /// <summary>Compiles the block as its kind says (a console file, or a test file beside the quick start) and lists every error and warning.</summary>
    private static void AssertCompiles(CodeBlock block, CodeBlock quickStart)
    {
        IReadOnlyList<Diagnostic> problems;
        if (block.IsTestFile)
        {
            var (app, appProblems) = SnippetCompiler.ConsoleFile(quickStart.Code);
            Assert.True(appProblems.Count == 0, $"README.md line {quickStart.Line} (the quick start) does not compile:\n{string.Join("\n", appProblems)}");
            problems = SnippetCompiler.TestFile(block.Code, app);
        }
        else
        {
            problems = SnippetCompiler.ConsoleFile(block.Code).Problems;
        }
        Assert.True(problems.Count == 0,
            $"README.md line {block.Line}: the ```{block.Info} block does not compile as written " +
            $"(or starts with '{CodeBlock.FragmentMarker} …' if it is an excerpt):\n{string.Join("\n", problems)}");
    }
}
