using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace GraphGen.Tests.Distributed;

/// <summary>A test that launches mpirun: skipped, saying why, where Open MPI's launcher is not installed (CI installs it).</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (MpiRun.Launcher is null) Skip = "mpirun is not installed: apt-get install openmpi-bin libopenmpi-dev (.ci/run installs them)";
    }
}

/// <inheritdoc cref="MpiFactAttribute"/>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    public MpiTheoryAttribute()
    {
        if (MpiRun.Launcher is null) Skip = "mpirun is not installed: apt-get install openmpi-bin libopenmpi-dev (.ci/run installs them)";
    }
}

/// <summary>Runs the MPI child (tests/GraphGen.MpiChild) alone or under <c>mpirun -np N</c>.</summary>
internal static class MpiRun
{
    public sealed record Result(int ExitCode, string Output, string Errors, TimeSpan Elapsed);

    /// <summary>mpirun's full path, or null when it is not on PATH.</summary>
    public static string? Launcher { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    /// <summary>The built child, beside this test assembly's build.</summary>
    public static string ChildPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.GetFullPath(Path.Combine(here.FullName, "../../../../GraphGen.MpiChild/bin", here.Parent!.Name, here.Name, "GraphGen.MpiChild.dll"));
        Assert.True(File.Exists(path), $"the MPI child is not built at {path}");
        return path;
    }

    /// <summary>The child on <paramref name="ranks"/> ranks (0: alone, without mpirun), killed if it outlives <paramref name="limit"/>.</summary>
    public static Result Child(int ranks, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        var start = new ProcessStartInfo(ranks == 0 ? "dotnet" : Launcher!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Not bound to cores: this machine's cores are shared, and a rank pinned behind a busy one waits for it.
        if (ranks > 0) foreach (string a in new[] { "-np", ranks.ToString(), "--oversubscribe", "--bind-to", "none", "dotnet" }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(ChildPath());
        foreach (string a in args) start.ArgumentList.Add(a);
        // mpirun refuses root without these; TERM=dumb keeps escape codes out of every rank's output.
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        start.Environment["TERM"] = "dumb";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the MPI child ({string.Join(' ', args)}, {ranks} ranks) ran past {limit.TotalSeconds} s; output:\n{output.Result}\n{errors.Result}");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, output.Result, errors.Result, clock.Elapsed);
    }

    public static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
