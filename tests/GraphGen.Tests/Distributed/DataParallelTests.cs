using GraphGen.Distributed;
using Xunit;
using Xunit.Abstractions;

namespace GraphGen.Tests.Distributed;

/// <summary>
/// Data-parallel training under mpirun on this machine: two ranks with a global batch of 128 step as one process with
/// batch 128 (summation order the only difference), a lone process never maps libmpi, a killed rank ends the job and
/// a new mpirun resumes to the uninterrupted weights bit for bit, and a stopped rank is named by the watchdog.
/// </summary>
public class DataParallelTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [MpiTheory]
    [InlineData("sgd", "dense")]
    [InlineData("rmsprop", "dense")]
    [InlineData("adam", "dense")]
    [InlineData("sgd", "forward")]
    [InlineData("rmsprop", "forward")]
    [InlineData("adam", "forward")]
    // 2,523 rows: the last batch holds 91, split 45 and 46, so the ranks' shares of the gradient differ.
    [InlineData("adam", "dense", 2523)]
    public void TwoRanksTrainAsOneProcessOnTheWholeBatch(string optimizer, string model, int rows = 2560)
    {
        using var alone = new TempFolder();
        using var split = new TempFolder();
        Succeeds(MpiRun.Child(0, Limit, null, "steps", alone.Path, optimizer, model, rows.ToString()));
        Succeeds(MpiRun.Child(2, Limit, null, "steps", split.Path, optimizer, model, rows.ToString()));
        foreach (string file in new[] { "losses.bin", "weights.bin", "evaluation.bin" })
        {
            float[] expected = MpiRun.ReadFloats(Path.Combine(alone.Path, file)), actual = MpiRun.ReadFloats(Path.Combine(split.Path, file));
            Assert.Equal(expected.Length, actual.Length);
            double worst = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                // Relative to the value, or to 1e-3 for values near zero (a bias that starts at zero).
                double error = Math.Abs(expected[i] - actual[i]) / Math.Max(Math.Abs(expected[i]), 1e-3);
                worst = Math.Max(worst, error);
                Assert.True(error <= 1e-5, $"{file}[{i}]: one process {expected[i]:R}, two ranks {actual[i]:R} ({error:E2} relative)");
            }
            log.WriteLine($"{file}: {expected.Length} values, largest relative difference {worst:E2}");
        }
        Assert.Equal((rows + 127) / 128, MpiRun.ReadFloats(Path.Combine(split.Path, "losses.bin")).Length);
    }

    [Fact]
    public void ALoneProcessNeverLoadsMpi()
    {
        // The same program that trains under mpirun, run alone; glibc's LD_DEBUG lists every library it maps.
        using var folder = new TempFolder();
        var run = MpiRun.Child(0, Limit, new Dictionary<string, string> { ["LD_DEBUG"] = "libs" }, "steps", folder.Path, "adam", "dense");
        Succeeds(run);
        Assert.Contains("calling init:", run.Errors); // LD_DEBUG works here, so silence below means something
        Assert.DoesNotContain("libmpi", run.Errors);
    }

    [Fact]
    public void AMissingMpiNamesThePackagesToInstall()
    {
        var error = Assert.Throws<DllNotFoundException>(() => Mpi.Load("libmpi-absent.so.40"));
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", error.Message);
    }

    [MpiFact]
    public void AKilledRankEndsTheJobAndANewRunResumesToTheSameWeights()
    {
        using var uninterrupted = new TempFolder();
        using var interrupted = new TempFolder();
        Succeeds(MpiRun.Child(2, Limit, null, "resume", uninterrupted.Path, "5"));

        var killed = MpiRun.Child(2, Limit, null, "resume", interrupted.Path, "5", "3");
        log.WriteLine($"killed run: exit {killed.ExitCode} after {killed.Elapsed.TotalSeconds:F1} s\n{killed.Errors}");
        Assert.Contains("rank 1 kills itself in epoch 3", killed.Output);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Matches("(?s)rank 1.*(signal 9|Killed)", killed.Errors); // mpirun names the rank that died
        Assert.False(File.Exists(Path.Combine(interrupted.Path, "final.bin")));

        var resumed = MpiRun.Child(2, Limit, null, "resume", interrupted.Path, "5");
        Succeeds(resumed);
        Assert.Contains("resumed after epoch 2", resumed.Output);
        Assert.Equal(MpiRun.ReadFloats(Path.Combine(uninterrupted.Path, "final.bin")), MpiRun.ReadFloats(Path.Combine(interrupted.Path, "final.bin")));
    }

    [MpiFact]
    public void TheWatchdogNamesAStoppedRankAndTheStep()
    {
        var run = MpiRun.Child(2, Limit, null, "stall", "3");
        log.WriteLine($"exit {run.ExitCode} after {run.Elapsed.TotalSeconds:F1} s\n{run.Output}\n{run.Errors}");
        Assert.Contains("rank 1 stops itself", run.Output);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("rank 1 did not reach the gradient allreduce of training step 4 (epoch 1, batch 4) within 3 s", run.Errors);
        Assert.DoesNotContain("did not fire", run.Output);
    }

    [MpiFact]
    public void EveryRankKeepsTheSameMovingStatistics()
    {
        // Each rank normalises its shard by the shard's own statistics (as Keras's replicas do), so each moves the
        // moving averages its own way; the step averages them over the ranks, so the weights stay the same everywhere.
        using var folder = new TempFolder();
        Succeeds(MpiRun.Child(2, Limit, null, "regularized", folder.Path));
        float[] zero = MpiRun.ReadFloats(Path.Combine(folder.Path, "weights-0.bin")), one = MpiRun.ReadFloats(Path.Combine(folder.Path, "weights-1.bin"));
        Assert.Equal(zero, one);
        float[] moving = MpiRun.ReadFloats(Path.Combine(folder.Path, "moving-0.bin"));
        int channels = moving.Length / 2;
        Assert.Contains(moving[..channels], m => Math.Abs(m) > 1e-3); // the moving mean moved from its zeros
        Assert.Contains(moving[channels..], v => Math.Abs(v - 1) > 1e-3); // and the variance from its ones
    }

    private void Succeeds(MpiRun.Result run)
    {
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}\n{run.Errors}");
        log.WriteLine($"{run.Elapsed.TotalSeconds:F1} s: {run.Output.Trim()}");
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("graphgen-mpi").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
