using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using Xunit;

namespace GraphGen.Tests.Packaging;

/// <summary>The tests that consume the packed packages: they share one pack and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "Packed packages";
}

/// <summary>
/// GraphGen and GraphGen.Testing packed once, from this checkout, into a local feed in a temporary folder that also
/// holds a nuget.config naming that feed and a Directory.Build.props that gives every project below it a package
/// folder of its own (so the NuGet cache never serves a stale package of the same version) and warnings as errors.
/// Packing at test time, in Release whatever the tests were built as, means a <c>--no-build</c> run needs nothing
/// prepared beforehand.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    public string Work { get; } = Path.Combine(Path.GetTempPath(), "graphgen-package-" + Guid.NewGuid().ToString("N"));

    /// <summary>The version both packages were packed as (the repository's Version).</summary>
    public string Version { get; }

    public PackedPackages()
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "../../.."));
        string feed = Path.Combine(Work, "feed");
        Directory.CreateDirectory(Work);
        // One solution of the two projects, so a single `dotnet pack` packs both.
        string solution = Path.Combine(Work, "packages.slnx");
        File.WriteAllText(solution, $"""
            <Solution>
              <Project Path="{Path.Combine(root, "src/GraphGen/GraphGen.csproj")}" />
              <Project Path="{Path.Combine(root, "src/GraphGen.Testing/GraphGen.Testing.csproj")}" />
            </Solution>
            """);
        Succeed(Work, "pack", solution, "-c", "Release", "-p:PackageOutputPath=" + feed, "-p:ContinuousIntegrationBuild=true");

        string runtime = Assert.Single(Directory.GetFiles(feed, "GraphGen.*.nupkg"), p => !Path.GetFileName(p).StartsWith("GraphGen.Testing.", StringComparison.Ordinal));
        Version = Path.GetFileNameWithoutExtension(runtime)["GraphGen.".Length..];
        AssertHolds(runtime, "lib/net10.0/GraphGen.dll", "analyzers/dotnet/cs/GraphGen.Generators.dll",
            "buildTransitive/GraphGen.props", "buildTransitive/GraphGen.targets");
        string testing = Path.Combine(feed, $"GraphGen.Testing.{Version}.nupkg");
        AssertHolds(testing, "lib/net10.0/GraphGen.Testing.dll", "buildTransitive/GraphGen.Testing.targets");
        using (var zip = ZipFile.OpenRead(testing))
        using (var nuspec = new StreamReader(zip.GetEntry("GraphGen.Testing.nuspec")!.Open()))
            Assert.Contains($"<dependency id=\"GraphGen\" version=\"{Version}\"", nuspec.ReadToEnd());

        File.WriteAllText(Path.Combine(Work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><add key="graphgen-local" value="{feed}" /></packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Work, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <RestorePackagesPath>{Path.Combine(Work, "packages")}</RestorePackagesPath>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            </Project>
            """);
    }

    /// <summary>
    /// The project file that <c>dotnet new console</c> then <c>dotnet add package GraphGen</c> write (README: Install),
    /// in a new folder <paramref name="name"/> of the work folder; returns the folder.
    /// </summary>
    public string ConsoleProject(string name, string program)
    {
        string folder = Path.Combine(Work, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="GraphGen" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
        return folder;
    }

    /// <summary>Runs dotnet and fails, with its output, unless it exits with 0.</summary>
    public static string Succeed(string directory, params string[] arguments)
    {
        var (exitCode, output) = DotNet(directory, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({exitCode}):\n{output}");
        return output;
    }

    /// <summary>Runs dotnet in <paramref name="directory"/>: its exit code, and its standard output then error.</summary>
    public static (int ExitCode, string Output) DotNet(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // A developer accepting this repository's snapshots must not make the fresh project accept its own.
        start.Environment.Remove(GraphGen.Testing.Snapshot.AcceptVariable);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} ran past {Limit.TotalMinutes} minutes:\n{stdout.Result}\n{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + "\n" + stderr.Result);
    }

    public void Dispose()
    {
        if (Directory.Exists(Work)) Directory.Delete(Work, recursive: true);
    }

    private static void AssertHolds(string package, params string[] entries)
    {
        using var zip = ZipFile.OpenRead(package);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        foreach (string entry in entries) Assert.Contains(entry, names);
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
