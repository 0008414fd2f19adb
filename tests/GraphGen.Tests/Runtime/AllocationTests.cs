using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>The allocation tests count every thread's allocations, so nothing else may run beside them.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>
/// A warm TrainStep or Predict allocates nothing on any thread: not on the caller, not on the worker pool's helpers
/// (which run the GEMMs' other parts and the optimizer's other chunks). Batch 128 on 784-512-10 makes every GEMM and
/// the 784×512 update big enough to be cut across the pool.
/// </summary>
[Collection(nameof(AllocationCollection))]
public class AllocationTests
{
    public static IEnumerable<object[]> Optimizers() => [["sgd"], ["rmsprop"], ["adam"], ["adagrad"]];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void DenseTrainStepAllocatesNothingOnAnyThread(string optimizerName)
    {
        var model = new MnistReference(seed: 5);
        Optimizer optimizer = optimizerName switch { "sgd" => new Sgd(0.01f), "rmsprop" => new RmsProp(), "adam" => new Adam(), _ => new Adagrad() };
        var x = GeneratedModelTests.Data(128 * 784, seed: 1);
        var labels = Enumerable.Range(0, 128).Select(i => i % 10).ToArray();
        Assert.Equal(0, BytesAllocatedOnAllThreads(() => model.TrainStep(x, labels, optimizer)));
    }

    [Fact]
    public void ForwardModelTrainStepAllocatesNothingOnAnyThread()
    {
        var model = new TwoInputNet(seed: 1);
        var x = GeneratedModelTests.Data(32 * 69, 1);
        var labels = Enumerable.Range(0, 32).Select(i => (i * 7 + 3) % 3).ToArray();
        var optimizer = new Adam();
        Assert.Equal(0, BytesAllocatedOnAllThreads(() => model.TrainStep(x, labels, optimizer)));
    }

    [Fact]
    public void PredictIntoABufferAllocatesNothingOnAnyThread()
    {
        var model = new MnistReference(seed: 5);
        var x = GeneratedModelTests.Data(300 * 784, seed: 2);
        var output = new float[300 * 10];
        Assert.Equal(0, BytesAllocatedOnAllThreads(() => model.Predict(x, output, batchSize: 128)));
    }

    [Fact]
    public void TheProbeSeesAnAllocationInTheCallOnAnyThread()
    {
        // The least over the windows still holds every byte the call itself allocates, on its thread or another.
        byte[]? kept = null;
        Assert.True(BytesAllocatedOnAllThreads(() => kept = new byte[1000]) >= 5 * 1000);
        Assert.True(BytesAllocatedOnAllThreads(() => Task.Run(() => kept = new byte[1000]).Wait()) >= 5 * 1000);
        GC.KeepAlive(kept);
    }

    /// <summary>
    /// Bytes allocated by all threads during a few calls once warm, the least over several windows. Warm means past
    /// tiered compilation: enough calls for every method to be promoted, and time for the background JIT to install
    /// tier 1 — otherwise the runtime's own call-counting bookkeeping shows up as a few stray bytes. The count covers
    /// every thread of the process, the test runner's too, which may report a result while a window runs; an
    /// allocation in the call itself shows in every window, a stray one in some, so the least is the call's own.
    /// </summary>
    private static long BytesAllocatedOnAllThreads(Action call, int measuredCalls = 5, int windows = 5)
    {
        for (int i = 0; i < 40; i++) call();
        Thread.Sleep(300);
        for (int i = 0; i < 40; i++) call();
        long least = long.MaxValue;
        for (int w = 0; w < windows && least > 0; w++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < measuredCalls; i++) call();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        return least;
    }
}
