using System.Runtime.CompilerServices;
using GraphGen.Testing;
using GraphGen.Tests.Models;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>
/// <see cref="GeneratedCode"/> reads a model's generated C# back from the PDB of the build that compiled it: the test
/// models of this assembly, against the generator run over the same declarations.
/// </summary>
public class GeneratedCodeTests
{
    [Fact]
    public void TheTextInThePdbIsWhatTheGeneratorWritesForTheDeclaration()
    {
        var run = GeneratorHarness.Run(File.ReadAllText(Path.Combine(Path.GetDirectoryName(ThisFile())!, "../Models/TestModels.cs")));
        string expected = run.GeneratedText("GraphGen.Tests.Models.MnistReference.g.cs");
        Assert.Equal(expected, GeneratedCode.Of<MnistReference>());
    }

    [Fact]
    public void OtherGeneratedFilesAreFoundByHintName()
    {
        Assert.Equal("GraphGen.Tests.Models.MnistReference.g.cs", GeneratedCode.HintName(typeof(MnistReference)));
        string ilgpu = GeneratedCode.Read(typeof(MnistReference).Assembly, "GraphGen.Tests.Models.MnistReference.ilgpu.g.cs");
        Assert.Contains("CreateIlgpuProgram() => new IlgpuPlan();", ilgpu);
    }

    [Fact]
    public void AMissingFileIsAnErrorListingWhatWasGenerated()
    {
        var error = Assert.Throws<GeneratedCodeNotFoundException>(
            () => GeneratedCode.Read(typeof(MnistReference).Assembly, "GraphGen.Tests.Models.Nope.g.cs"));
        Assert.Contains("No generated source GraphGen.Tests.Models.Nope.g.cs in ", error.Message);
        Assert.Contains("GraphGen.Tests.pdb", error.Message);
        Assert.Contains("GraphGen.Tests.Models.MnistReference.g.cs", error.Message);
    }

    [Fact]
    public void AnAssemblyWithoutAPdbIsAnErrorThatSaysWhatToSet()
    {
        var error = Assert.Throws<GeneratedCodeNotFoundException>(() => GeneratedCode.Read(typeof(object).Assembly, "X.g.cs"));
        Assert.Contains("has no portable PDB", error.Message);
        Assert.Contains("<DebugType>portable</DebugType>", error.Message);
    }

    [Fact]
    public void MatchGeneratedComparesWithTheNamespaceQualifiedSnapshot()
    {
        string folder = Path.Combine(Path.GetTempPath(), "graphgen-generated-" + Guid.NewGuid().ToString("N"));
        string fakeCaller = Path.Combine(folder, "Test.cs");
        Directory.CreateDirectory(folder);
        try
        {
            var error = Assert.Throws<SnapshotMismatchException>(() => Snapshot.MatchGenerated<MnistReference>(callerFile: fakeCaller));
            Assert.StartsWith("No snapshot yet", error.Message);
            string received = Path.Combine(folder, "Snapshots", "GraphGen.Tests.Models.MnistReference.received.cs");
            File.Move(received, received.Replace(".received.cs", ".verified.cs"));
            Snapshot.MatchGenerated<MnistReference>(callerFile: fakeCaller);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ACallerPathThatIsNoFolderHereIsAClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Snapshot.Match("text", "case", callerFile: "/_/tests/Test.cs"));
        Assert.Contains("PathMap", error.Message);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
