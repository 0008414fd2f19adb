using System.Diagnostics;
using GraphGen.Serialization;
using Xunit;

namespace GraphGen.Tests.Training;

/// <summary>
/// Checkpoints survive SIGKILL. The child process (tests/GraphGen.CrashChild) trains with a checkpoint after every
/// epoch; it is killed during epoch 3, resumed, killed again in the middle of epoch 4's checkpoint write, resumed
/// again, and must finish with weights bitwise-identical to a run that was never interrupted. Its model normalises its
/// batches and drops out, so the moving statistics and the dropout stream must resume bitwise too.
/// </summary>
public class CrashSafetyTests
{
    private const int Epochs = 5;

    [Fact]
    public void TrainingKilledMidEpochAndMidCheckpointResumesToTheSameWeights()
    {
        string root = Directory.CreateTempSubdirectory("graphgen-crash").FullName;
        try
        {
            string straight = Directory.CreateDirectory(Path.Combine(root, "straight")).FullName;
            Assert.Contains("done", Run(straight, Epochs));

            string killed = Directory.CreateDirectory(Path.Combine(root, "killed")).FullName;
            string checkpoint = Path.Combine(killed, "checkpoint.safetensors");

            // 1. SIGKILL in the middle of epoch 3: the checkpoint of epoch 2 is what is left.
            var lines = RunUntilKilled(killed, Epochs, stall: null, killAfter: "epoch 3 begins", delay: TimeSpan.FromMilliseconds(20));
            Assert.DoesNotContain("done", lines);
            Assert.Equal("2", SafeTensors.Open(checkpoint).Metadata["epoch"]);

            // 2. Resume; SIGKILL in the middle of epoch 4's checkpoint write (header on disk, data not).
            lines = RunUntilKilled(killed, Epochs, stall: 4, killAfter: "writing", delay: TimeSpan.Zero);
            Assert.Contains("resumed after epoch 2", lines);
            // The previous checkpoint is intact and still the one on file; the half-written one is a temporary beside it.
            Assert.Equal("3", SafeTensors.Open(checkpoint).Metadata["epoch"]);
            Assert.Single(Directory.GetFiles(killed, ".checkpoint.safetensors.*.tmp"));

            // 3. Resume to the end.
            lines = Run(killed, Epochs);
            Assert.Contains("resumed after epoch 3", lines);
            Assert.Contains("done", lines);
            Assert.Empty(Directory.GetFiles(killed, "*.tmp")); // the dead writer's temporary was cleared by the next write

            var expected = SafeTensors.Open(Path.Combine(straight, "final.safetensors"));
            Assert.Contains(expected.Entries, e => e.Name == "MovingVariance");
            var actual = SafeTensors.Open(Path.Combine(killed, "final.safetensors"));
            Assert.Equal(expected.Entries.Select(e => e.Name).Order(), actual.Entries.Select(e => e.Name).Order());
            foreach (var entry in expected.Entries)
                Assert.True(expected.ReadF32(entry.Name).AsSpan().SequenceEqual(actual.ReadF32(entry.Name)), $"{entry.Name} differs from the uninterrupted run");
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>The built crash child (tests/GraphGen.CrashChild), beside this test assembly's build.</summary>
    internal static string ChildPath()
    {
        // tests/GraphGen.Tests/bin/CONFIG/net10.0 → tests/GraphGen.CrashChild/bin/CONFIG/net10.0
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = here.Parent!.Name;
        string path = Path.GetFullPath(Path.Combine(here.FullName, "../../../../GraphGen.CrashChild/bin", configuration, here.Name, "GraphGen.CrashChild.dll"));
        Assert.True(File.Exists(path), $"the crash child is not built at {path}");
        return path;
    }

    private static Process Start(string folder, int epochs, int? stall)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { ChildPath(), folder, epochs.ToString() }.Concat(stall is int s ? [s.ToString()] : [])) start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("the crash child did not start");
    }

    private static List<string> Run(string folder, int epochs)
    {
        using var child = Start(folder, epochs, null);
        var lines = new List<string>();
        while (child.StandardOutput.ReadLine() is { } line) lines.Add(line);
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), "the crash child did not finish");
        Assert.True(child.ExitCode == 0, $"the crash child failed: {child.StandardError.ReadToEnd()}");
        return lines;
    }

    /// <summary>Runs the child until it prints <paramref name="killAfter"/>, waits <paramref name="delay"/>, then SIGKILLs it.</summary>
    private static List<string> RunUntilKilled(string folder, int epochs, int? stall, string killAfter, TimeSpan delay)
    {
        using var child = Start(folder, epochs, stall);
        var lines = new List<string>();
        while (child.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
            if (line != killAfter) continue;
            if (delay > TimeSpan.Zero) Thread.Sleep(delay);
            child.Kill(); // SIGKILL on Unix: no handler, no finally, no flush
            break;
        }
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), "the crash child outlived its kill");
        Assert.Contains(killAfter, lines);
        return lines;
    }
}
