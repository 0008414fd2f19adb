using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using Xunit;

namespace GraphGen.Tests.Packaging;

/// <summary>
/// What a user gets from NuGet: <c>dotnet pack src/GraphGen</c> gives one package with the runtime under lib/
/// and the generator under analyzers/dotnet/cs; a fresh console project referencing only that package declares a
/// model, builds (the generator runs from the package) and trains a step.
/// </summary>
public class PackageConsumptionTests
{
    [Fact]
    [Trait("Category", "Packaging")]
    public void AFreshProjectBuildsAndTrainsFromThePackageAlone()
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "../../.."));
        string work = Path.Combine(Path.GetTempPath(), "graphgen-package-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        try
        {
            Run(root, "pack", "src/GraphGen/GraphGen.csproj", "-c", "Release", "-o", feed, "-p:ContinuousIntegrationBuild=true");
            string package = Assert.Single(Directory.GetFiles(feed, "GraphGen.*.nupkg"));
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("lib/net10.0/GraphGen.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/GraphGen.Generators.dll", entries);
            }
            string version = Path.GetFileNameWithoutExtension(package)["GraphGen.".Length..];

            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources><add key="graphgen-local" value="{feed}" /></packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <RestorePackagesPath>{Path.Combine(work, "packages")}</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup><PackageReference Include="GraphGen" Version="{version}" /></ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
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
            string output = Run(app, "run", "-c", "Release");
            Assert.Contains("first step loss", output);
            Assert.Contains("predicted 0,1,1,0", output);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    private static string Run(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stdout}\n{stderr.Result}");
        return stdout;
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
