using GraphGen.Cpu;
using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>The allocation tests read the worker pool's counters, so no other test may run jobs on it meanwhile.</summary>
[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>
/// A warm TrainStep or Predict allocates nothing on the threads that run it: not on the caller, not on the worker
/// pool's helpers (which run the GEMMs' other parts and the optimizer's other chunks). Batch 128 on 784-512-10 makes
/// every GEMM and the 784×512 update big enough to be cut across the pool. The count is exact, so it holds in Debug
/// builds too (where the JIT does not optimise, and so cannot remove an allocation that escape analysis would).
/// </summary>
[Collection(nameof(AllocationCollection))]
public class AllocationTests
{
    public static IEnumerable<object[]> Optimizers() => [["sgd"], ["rmsprop"], ["adam"], ["adagrad"]];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void DenseTrainStepAllocatesNothingOnItsThreads(string optimizerName)
    {
        var model = new MnistReference(seed: 5);
        Optimizer optimizer = optimizerName switch { "sgd" => new Sgd(0.01f), "rmsprop" => new RmsProp(), "adam" => new Adam(), _ => new Adagrad() };
        var x = GeneratedModelTests.Data(128 * 784, seed: 1);
        var labels = Enumerable.Range(0, 128).Select(i => i % 10).ToArray();
        Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() => model.TrainStep(x, labels, optimizer)));
    }

    [Fact]
    public void ForwardModelTrainStepAllocatesNothingOnItsThreads()
    {
        var model = new TwoInputNet(seed: 1);
        var x = GeneratedModelTests.Data(32 * 69, 1);
        var labels = Enumerable.Range(0, 32).Select(i => (i * 7 + 3) % 3).ToArray();
        var optimizer = new Adam();
        Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() => model.TrainStep(x, labels, optimizer)));
    }

    [Theory]
    [InlineData(32)] // batch normalisation and dropout cut across the cores
    [InlineData(3)]
    public void DropoutAndBatchNormalisationTrainStepAllocatesNothingOnItsThreads(int batch)
    {
        var model = new ImageBatchNormNet(seed: 1);
        var x = GeneratedModelTests.Data(batch * 1024, 2);
        var targets = GeneratedModelTests.Data(batch * 2, 3);
        var optimizer = new RmsProp();
        Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() => model.TrainStep(x, targets, optimizer)));
        var dense = new DropoutBatchNormNet(seed: 1);
        var xs = GeneratedModelTests.Data(batch * 6, 4);
        var labels = Enumerable.Range(0, batch).Select(i => i % 3).ToArray();
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() => dense.TrainStep(xs, labels, sgd)));
    }

    [Fact]
    public void ConvnetTrainStepAllocatesNothingOnItsThreads()
    {
        // The small-patch convolution (a 3×3 window on one channel, 8 filters) forward and for its kernel's gradient,
        // max-pool and its gradient, on the pool's threads.
        var model = new SmallCnn(seed: 3);
        var x = GeneratedModelTests.Data(64 * 784, seed: 4);
        var labels = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
        var optimizer = new Adam();
        Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() => model.TrainStep(x, labels, optimizer)));
        // The implicit GEMM (a 5×5 window on three channels: forward, input and kernel gradients, with per-part
        // partials) and the pointwise convolution's GEMMs.
        var odd = new OddCnn(seed: 3);
        var images = GeneratedModelTests.Data(48 * 9 * 7 * 3, seed: 5);
        var targets = GeneratedModelTests.Data(48 * 2, seed: 6);
        var rmsprop = new RmsProp();
        Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() => odd.TrainStep(images, targets, rmsprop)));
    }

    [Fact]
    public void EveryConvolutionPathAllocatesNothingOnItsThreads()
    {
        // The MNIST convnet's layers at a small batch: the first (small-patch kernels) and the second (implicit GEMM,
        // its input gradient included, which no first layer of a model runs), each pass as the generated step calls it.
        foreach (var (shape, filters) in new[] { (new ConvShape(8, 28, 28, 1, 3, 3, 1, 0, 0, 26, 26), 32), (new ConvShape(8, 13, 13, 32, 3, 3, 1, 0, 0, 11, 11), 64) })
        {
            float[] x = GeneratedModelTests.Data(shape.InputCount, seed: 7), w = GeneratedModelTests.Data(shape.Patch * filters, seed: 8);
            float[] bias = new float[filters], y = new float[shape.Pixels * filters], dy = GeneratedModelTests.Data(y.Length, seed: 9);
            float[] dx = new float[x.Length], dw = new float[w.Length];
            Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() =>
            {
                Convolution.Forward(x, w, y, shape, filters, new BiasActivation<Relu>(bias));
                Convolution.BackwardFilter(x, dy, dw, shape, filters);
                Convolution.BackwardInput(dy, w, dx, shape, filters);
            }));
        }
    }

    [Fact]
    public void PredictIntoABufferAllocatesNothingOnItsThreads()
    {
        var model = new MnistReference(seed: 5);
        var x = GeneratedModelTests.Data(300 * 784, seed: 2);
        var output = new float[300 * 10];
        Assert.Equal(0, BytesAllocatedOnGraphGenThreads(() => model.Predict(x, output, batchSize: 128)));
    }

    [Fact]
    public void TheProbeSeesAnAllocationOnTheCallerAndOnAHelper()
    {
        byte[]? kept = null;
        Assert.True(BytesAllocatedOnGraphGenThreads(() => kept = new byte[1000], warmCalls: 0, measuredCalls: 1) >= 1000);
        // Two parts that each wait for the other to start run on two threads at once, the caller and a helper; each
        // allocates 1000 bytes, so a count below 2000 missed the helper's.
        var pool = WorkerPool.Shared;
        if (pool.Threads == 1) return; // a one-core machine has no helpers to count
        var work = new BothPartsAllocate();
        long bytes = BytesAllocatedOnGraphGenThreads(() => pool.Run(work, 2), warmCalls: 0, measuredCalls: 1);
        Assert.True(work.RanTogether, "the two parts did not run on two threads at once");
        Assert.True(bytes >= 2000, $"{bytes} bytes seen");
        GC.KeepAlive(kept);
    }

    private sealed class BothPartsAllocate : IParallelWork
    {
        private int _started;
        public byte[]?[] Kept { get; } = new byte[2][];
        public bool RanTogether { get; private set; } = true;

        public void Execute(int part)
        {
            Interlocked.Increment(ref _started);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref _started) < 2 && DateTime.UtcNow < deadline) Thread.SpinWait(100);
            if (Volatile.Read(ref _started) < 2) RanTogether = false;
            Kept[part] = new byte[1000];
        }
    }

    /// <summary>
    /// Bytes allocated by the caller and by the worker pool's helpers during a few calls once warm, the least over a
    /// few windows. Warm means past tiered compilation: enough calls for every method to be promoted, and time for the
    /// background JIT to install tier 1 — otherwise the runtime's own call-counting bookkeeping shows up as a few
    /// stray bytes. Other threads of the process (the test runner reporting results, the runtime's own) are not
    /// counted: they were the noise that made an all-thread count fail in Debug builds, where each call is slower.
    /// </summary>
    private static long BytesAllocatedOnGraphGenThreads(Action call, int warmCalls = 40, int measuredCalls = 5, int windows = 3)
    {
        for (int i = 0; i < warmCalls; i++) call();
        if (warmCalls > 0) Thread.Sleep(300);
        for (int i = 0; i < warmCalls; i++) call();
        long least = long.MaxValue;
        for (int w = 0; w < windows && least > 0; w++)
        {
            long before = Count();
            for (int i = 0; i < measuredCalls; i++) call();
            least = Math.Min(least, Count() - before);
        }
        return least;

        static long Count() => GC.GetAllocatedBytesForCurrentThread() + WorkerPool.Shared.HelperAllocatedBytes();
    }
}
