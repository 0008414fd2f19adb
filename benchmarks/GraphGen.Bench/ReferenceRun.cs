using System.Diagnostics;
using GraphGen.Data;
using GraphGen.Training;

namespace GraphGen.Bench;

/// <summary>What one training configuration of the reference model measured.</summary>
/// <summary>What one training configuration of the reference model measured; JitSeconds is the JIT's own compilation time
/// (all threads, <see cref="System.Runtime.JitInfo"/>) during each epoch.</summary>
public sealed record TrainingFigures(int Hidden, int Batch, int Epochs, double[] EpochSeconds, double EpochSeconds_Median,
    double StepSeconds, double StepGflops, double AllocBytesPerStep, double FinalLoss, double TestAccuracy, double[] JitSeconds);

/// <summary>
/// Trains 784 → hidden relu → 10 softmax with RMSprop and times it three ways: whole epochs through Fit (shuffling,
/// gathering, metrics and all), bare TrainSteps in a loop (the step's own throughput), and allocations per step.
/// </summary>
public static class ReferenceRun
{
    /// <summary>Floating-point operations of one training step: 2·B·(2·784·h + 3·h·10) — forward, δ·Wᵀ and both weight gradients.</summary>
    public static double StepFlops(int batch, int hidden) => 2.0 * batch * (2.0 * 784 * hidden + 3.0 * hidden * 10);

    /// <summary>Floating-point operations of a forward pass over <paramref name="rows"/> rows.</summary>
    public static double ForwardFlops(int rows, int hidden) => 2.0 * rows * (784.0 * hidden + hidden * 10.0);

    public static CompiledModel<int> Create(int hidden, int seed = 42) => hidden switch
    {
        256 => new Reference256(seed),
        512 => new Reference512(seed),
        1024 => new Reference1024(seed),
        2048 => new Reference2048(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "Hidden widths declared for the bench: 256, 512, 1024, 2048."),
    };

    public static TrainingFigures Train(LabeledImages train, LabeledImages test, int hidden, int batch, int epochs, int stepsToTime)
    {
        var model = Create(hidden);
        var jit = new List<double>();
        var compiled = System.Runtime.JitInfo.GetCompilationTime();
        var jitClock = new LambdaCallback(onEpochEnd: _ =>
        {
            var now = System.Runtime.JitInfo.GetCompilationTime();
            jit.Add((now - compiled).TotalSeconds);
            compiled = now;
        });
        var history = model.Fit(train.Images, train.Labels, epochs, batch, new RmsProp(), verbose: 0, callbacks: [jitClock]);
        double[] seconds = history.Epochs.Select(e => e.Seconds).ToArray();
        var accuracy = model.Evaluate(test.Images, test.Labels).Accuracy ?? double.NaN;

        var (stepSeconds, allocPerStep) = TimeSteps(model, train, batch, stepsToTime);
        return new TrainingFigures(hidden, batch, epochs, seconds, Timing.WarmMedian(seconds), stepSeconds,
            StepFlops(batch, hidden) / stepSeconds / 1e9, allocPerStep, history.Epochs[^1].Loss, accuracy, jit.ToArray());
    }

    /// <summary>
    /// Bare TrainSteps over consecutive batches (already warm from Fit): the best of five windows of
    /// <paramref name="steps"/>/5 steps, as the kernels and the SGEMM peer are timed, and the bytes allocated per step
    /// by all threads over every window.
    /// </summary>
    private static (double Seconds, double AllocBytes) TimeSteps(CompiledModel<int> model, LabeledImages train, int batch, int steps)
    {
        var optimizer = new RmsProp();
        int batches = train.Count / batch, window = Math.Max(1, steps / 5), done = 0;
        for (int s = 0; s < 20; s++) Step(s);
        double best = double.MaxValue;
        // Timestamps, not a Stopwatch: its object would be the only allocation counted.
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int w = 0; w < 5; w++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int s = 0; s < window; s++) Step(done++);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / window);
        }
        long allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        return (best, (double)(allocatedAfter - allocated) / done);

        void Step(int s)
        {
            int b = s % batches;
            model.TrainStep(train.Images.AsSpan(b * batch * 784, batch * 784), train.Labels.AsSpan(b * batch, batch), optimizer);
        }
    }

    /// <summary>Predict over every test image, best of <paramref name="repeats"/>.</summary>
    public static double TimePredict(CompiledModel model, LabeledImages test, int repeats)
    {
        var output = new float[test.Count * 10];
        model.Predict(test.Images, output);
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            model.Predict(test.Images, output);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
