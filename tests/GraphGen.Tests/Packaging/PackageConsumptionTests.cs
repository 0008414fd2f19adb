using Xunit;

namespace GraphGen.Tests.Packaging;

/// <summary>
/// What a user gets from NuGet: <c>dotnet pack src/GraphGen</c> gives one package with the runtime under lib/
/// and the generator under analyzers/dotnet/cs; a fresh console project referencing only that package declares a
/// model, builds (the generator runs from the package) and trains a step.
/// </summary>
[Collection(PackagingCollection.Name)]
public class PackageConsumptionTests(PackedPackages packages)
{
    [Fact]
    [Trait("Category", "Packaging")]
    public void AFreshProjectBuildsAndTrainsFromThePackageAlone()
    {
        string app = packages.ConsoleProject("Xor", """
            using GraphGen;
            using GraphGen.Training;

            var model = new Xor(seed: 1);
            float[] x = [0, 0, 0, 1, 1, 0, 1, 1];
            int[] y = [0, 1, 1, 0];
            float first = model.TrainStep(x, y, new Adam(0.05f));
            model.Fit(x, y, epochs: 200, batchSize: 4, optimizer: new Adam(0.05f), verbose: 0);
            Console.WriteLine($"first step loss {first:F4}; predicted {string.Join(",", model.PredictClasses(x))}");

            [Model][Input(2)]
            public sealed partial class Xor
            {
                [Dense(8, Activation.Tanh)] public partial DenseLayer Hidden { get; }
                [Dense(2, Activation.Softmax)] public partial DenseLayer Output { get; }
            }
            """);
        string output = PackedPackages.Succeed(app, "run", "-c", "Release");
        Assert.Contains("first step loss", output);
        Assert.Contains("predicted 0,1,1,0", output);
    }

    /// <summary>
    /// A NativeAOT publish for x64 compiles the kernels for the instruction set the package's targets give it,
    /// x86-64-v3 (.NET's own default has no hardware Vector256), unless the app names one; a build without PublishAot
    /// is left alone. Read from the project's evaluation, as <c>dotnet publish -r linux-x64</c> would see it.
    /// </summary>
    [Fact]
    [Trait("Category", "Packaging")]
    public void ANativeAotPublishGetsAvx2KernelsUnlessTheAppNamesAnInstructionSet()
    {
        string app = packages.ConsoleProject("AotDefaults", "System.Console.WriteLine();");
        // Restored once (that brings in the package's buildTransitive files); then only evaluated, nothing published.
        PackedPackages.Succeed(app, "restore");
        string Evaluate(params string[] properties)
            => PackedPackages.Succeed(app, ["msbuild", "-getProperty:IlcInstructionSet", "-p:RuntimeIdentifier=linux-x64", .. properties]).Trim();

        Assert.Equal("x86-64-v3", Evaluate("-p:PublishAot=true"));
        Assert.Equal("x86-64-v4", Evaluate("-p:PublishAot=true", "-p:IlcInstructionSet=x86-64-v4"));
        Assert.Equal("", Evaluate());
    }
}
