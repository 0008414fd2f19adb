using Xunit;

namespace GraphGen.Tests.Packaging;

/// <summary>
/// The README's user story on the packed packages, with its text taken from the README so the two cannot drift: the
/// quick start builds as a fresh console project (warnings as errors), and the snapshot test of "Snapshot-testing your
/// model", in a fresh xunit project beside it, fails with "No snapshot yet", passes once the received file is
/// accepted, and fails with the README's line diff after a model edit.
/// </summary>
[Collection(PackagingCollection.Name)]
public class ReadmePackageTests(PackedPackages packages)
{
    private const string Section = "Snapshot-testing your model";
    private const string Before = "[Dense(512, Activation.Relu)]", After = "[Dense(256, Activation.Relu)]";

    [Fact]
    [Trait("Category", "Packaging")]
    public void TheQuickStartBuildsAndItsSnapshotTestCatchesAModelEdit()
    {
        string quickStart = Readme.QuickStart().Code;
        string app = packages.ConsoleProject("MnistApp", quickStart);
        string tests = Path.Combine(packages.Work, "MnistApp.Tests");
        Directory.CreateDirectory(tests);
        string project = Readme.InSection(Section, "xml").Code;
        Assert.Contains($"<PackageReference Include=\"GraphGen.Testing\" Version=\"{packages.Version}\" />", project);
        File.WriteAllText(Path.Combine(tests, "MnistApp.Tests.csproj"), project);
        File.WriteAllText(Path.Combine(tests, "ModelSnapshotTests.cs"), Readme.InSection(Section, "csharp").Code);
        string snapshots = Path.Combine(tests, "Snapshots");

        // The first run builds both projects and finds no snapshot: it fails, and writes what it received.
        var (exitCode, output) = PackedPackages.DotNet(tests, "test");
        Assert.True(exitCode != 0 && output.Contains("No snapshot yet"), $"the first run should fail for want of a snapshot:\n{output}");
        Assert.True(File.Exists(Path.Combine(app, "bin/Debug/net10.0/MnistApp.dll")), "the quick start did not build");
        string received = Path.Combine(snapshots, "MnistClassifier.received.cs");
        // What the build compiled, read from its PDB, is what the generator writes for the README's block.
        string generated = SnippetCompiler.ConsoleFile(quickStart).Output.SyntaxTrees.Single(t => t.FilePath.EndsWith("/MnistClassifier.g.cs")).ToString();
        Assert.Equal(GraphGen.Testing.Snapshot.Normalize(generated), File.ReadAllText(received));

        // Accepted as the README says (renamed), the snapshot passes.
        File.Move(received, Path.Combine(snapshots, "MnistClassifier.verified.cs"));
        PackedPackages.Succeed(tests, "test");

        // A model edit fails the test with a line diff; every line the README shows of it is in the output.
        string program = Path.Combine(app, "Program.cs");
        Assert.Contains(Before, quickStart);
        File.WriteAllText(program, quickStart.Replace(Before, After));
        (exitCode, output) = PackedPackages.DotNet(tests, "test");
        Assert.True(exitCode != 0, $"the edited model should fail its snapshot test:\n{output}");
        var shown = Readme.Blocks().First(b => b.Line > Readme.InSection(Section, "csharp").Line && b.Info.Length == 0);
        foreach (string part in shown.Code.Split('\n').SelectMany(l => l.Split('…')).Where(p => p.Trim().Length > 0))
            Assert.True(output.Contains(part), $"the README's diff shows '{part}', which the output lacks:\n{output}");
        Assert.Contains("\n-     private readonly global::GraphGen.DenseLayer _hidden; // hidden: weight (784, 512), bias (512)\n", output);
        Assert.Contains("\n+     private readonly global::GraphGen.DenseLayer _hidden; // hidden: weight (784, 256), bias (256)\n", output);
    }
}
