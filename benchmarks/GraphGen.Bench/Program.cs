using System.CommandLine;
using System.Runtime.Intrinsics;
using System.Text.Json;
using GraphGen.Bench;
using GraphGen.Cpu;

// The reference model's speed on this machine: epochs, the step's throughput, allocations, Predict, each GEMM of the
// step; optionally how cost grows with batch and width, and the generator's own cost. benchmarks/compare.sh runs it
// beside PyTorch and OpenBLAS and prints the ratios.
var epochs = new Option<int>("--epochs") { Description = "Epochs of the reference run (the first is warm-up; the median of the rest is reported).", DefaultValueFactory = _ => 3 };
var json = new Option<string?>("--json") { Description = "Write the figures to this JSON file." };
var scaling = new Option<bool>("--scaling") { Description = "Also time one epoch for batch 32/128/512 and hidden 256/512/1024/2048." };
var generator = new Option<bool>("--generator") { Description = "Also time the source generator on projects of 1 and 20 models." };
var steps = new Option<int>("--steps") { Description = "Bare TrainSteps timed after the epochs.", DefaultValueFactory = _ => 300 };
var cnnEpochs = new Option<int>("--cnn-epochs")
{
    Description = "Full epochs of the MNIST convnet (TrainStep over 60,000 images); 0 (the default) times --cnn-steps bare steps only and scales them to an epoch.",
    DefaultValueFactory = _ => 0,
};
var cnnSteps = new Option<int>("--cnn-steps") { Description = "Bare convnet TrainSteps timed (five windows).", DefaultValueFactory = _ => 50 };
var distributed = new Option<bool>("--distributed")
{
    Description = "Only the data-parallel figures, under mpirun -np N (or alone: one rank): epoch time, the allreduce's share, a projection to N machines.",
};
var root = new RootCommand("GraphGen CPU benchmark: the chapter-2 MNIST model (784-512-10, batch 128, RMSprop).") { epochs, json, scaling, generator, steps, cnnEpochs, cnnSteps, distributed };

root.SetAction(parsed =>
{
    int epochCount = parsed.GetValue(epochs);
    if (epochCount < 1) { Console.Error.WriteLine($"error: --epochs must be positive, got {epochCount}"); return 1; }
    int stepCount = parsed.GetValue(steps);
    if (stepCount < 1) { Console.Error.WriteLine($"error: --steps must be positive, got {stepCount}"); return 1; }
    int cnnEpochCount = parsed.GetValue(cnnEpochs), cnnStepCount = parsed.GetValue(cnnSteps);
    if (cnnEpochCount < 0 || cnnStepCount < 5) { Console.Error.WriteLine($"error: --cnn-epochs must be 0 or more and --cnn-steps at least 5, got {cnnEpochCount} and {cnnStepCount}"); return 1; }
    if (parsed.GetValue(distributed)) return DistributedRun.Run(epochCount, parsed.GetValue(json));

    string isa = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "scalar";
    Console.WriteLine($"GraphGen.Bench: {Environment.ProcessorCount} cores, {isa}, .NET {Environment.Version}");
    var (train, test) = GraphGen.Data.Mnist.Load();
    var peak = FmaPeak.Measure(Environment.ProcessorCount);
    foreach (var w in peak.Widths)
        Console.WriteLine($"FMA peak, Vector{w.VectorBits}: {w.OneThreadGflops:F1} GFLOP/s on 1 thread, {w.AllThreadsGflops:F1} on {peak.Threads}");

    var reference = ReferenceRun.Train(train, test, 512, 128, epochCount, stepCount);
    Console.WriteLine($"reference 784-512-10, batch 128, RMSprop: epochs {string.Join(", ", reference.EpochSeconds.Select(s => $"{s:F3}"))} s; " +
        $"median {reference.EpochSeconds_Median:F3} s; test accuracy {reference.TestAccuracy:F4}");
    Console.WriteLine($"  bare step {reference.StepSeconds * 1e3:F3} ms = {reference.StepGflops:F1} GFLOP/s = {reference.StepGflops / peak.Ceiling:P0} of the FMA peak; " +
        $"{reference.AllocBytesPerStep:F1} bytes allocated per step");

    var model = ReferenceRun.Create(512);
    double predict = ReferenceRun.TimePredict(model, test, 5);
    double predictGflops = ReferenceRun.ForwardFlops(test.Count, 512) / predict / 1e9;
    Console.WriteLine($"  predict 10,000 images: {predict * 1e3:F2} ms = {predictGflops:F1} GFLOP/s");
    var onnx = OnnxPeer.TimePredict(model, test, 5);
    Console.WriteLine($"  ONNX Runtime (CPU provider, {onnx.Threads} threads) on the ExportOnnx file, 10,000 images: {onnx.Seconds * 1e3:F2} ms; " +
        $"GraphGen {onnx.Seconds / predict:F2}× its speed; largest relative difference {onnx.MaxRelativeDifference:E1}");
    // The same comparison on the MNIST sample's convnet (untrained weights: the time does not depend on them).
    var convnet = new Mnist.MnistConvnet(seed: 42);
    double cnnPredict = ReferenceRun.TimePredict(convnet, test, 3);
    var cnnOnnx = OnnxPeer.TimePredict(convnet, test, 3);
    Console.WriteLine($"  convnet (conv 32, pool, conv 64, pool, dense 10) predict 10,000 images: {cnnPredict * 1e3:F2} ms; ONNX Runtime {cnnOnnx.Seconds * 1e3:F2} ms; " +
        $"GraphGen {cnnOnnx.Seconds / cnnPredict:F2}× its speed; largest relative difference {cnnOnnx.MaxRelativeDifference:E1}");

    var cnn = CnnRun.Train(train, cnnEpochCount, cnnStepCount);
    Console.WriteLine($"  convnet training, batch 128, RMSprop: epochs {(cnn.EpochSeconds.Length == 0 ? "not run" : string.Join(", ", cnn.EpochSeconds.Select(s => $"{s:F3}")) + " s")}; " +
        $"bare step {cnn.StepSeconds * 1e3:F2} ms = {cnn.StepGflops:F1} GFLOP/s ({cnn.EpochSecondsFromSteps(train.Count):F2} s per epoch at that rate)");
    foreach (var l in cnn.Layers)
        Console.WriteLine($"  {l.Name} batch 128: forward {l.ForwardMs:F2} ms = {l.ForwardGflops:F1} GFLOP/s, backward {l.BackwardMs:F2} ms = {l.BackwardGflops:F1} GFLOP/s");

    var kernels = KernelProbe.StepShapes(128, 512)
        .Select(s => KernelProbe.Measure(s.Name, s.Layout, s.M, s.N, s.K, s.Relu))
        .Append(KernelProbe.Measure("square", GemmLayout.NN, 2048, 2048, 2048, false, seconds: 2))
        .ToList();
    foreach (var k in kernels)
        Console.WriteLine($"  GEMM {k.Layout} {k.M}×{k.N}×{k.K} {k.Name}: {k.Gflops:F1} GFLOP/s ({k.Microseconds:F1} µs)");

    List<TrainingFigures>? growth = null;
    if (parsed.GetValue(scaling))
    {
        growth = [];
        foreach (var (hidden, batch) in new[] { (512, 32), (512, 128), (512, 512), (256, 128), (1024, 128), (2048, 128) })
        {
            var f = ReferenceRun.Train(train, test, hidden, batch, 2, 50);
            growth.Add(f);
            Console.WriteLine($"  scaling hidden {hidden,4}, batch {batch,3}: epoch {f.EpochSeconds[^1]:F3} s, step {f.StepGflops:F1} GFLOP/s");
        }
    }

    List<GeneratorFigures>? generatorFigures = null;
    if (parsed.GetValue(generator))
    {
        generatorFigures = [GeneratorCost.Measure(1), GeneratorCost.Measure(20)];
        foreach (var g in generatorFigures)
            Console.WriteLine($"  generator, {g.Models} model(s): full run {g.FullRunMs:F1} ms, unrelated edit {g.UnrelatedEditMs:F2} ms, every step cached: {g.EditLeftEveryStepCached}");
    }

    if (parsed.GetValue(json) is string path)
    {
        var figures = new Dictionary<string, object?>
        {
            ["graphgen_epoch_s"] = reference.EpochSeconds_Median,
            ["graphgen_epochs_s"] = reference.EpochSeconds,
            ["first_epoch_s"] = reference.EpochSeconds[0],
            ["jit_epochs_s"] = reference.JitSeconds,
            ["fma_peak_gflops_1thread"] = peak.Best.OneThreadGflops,
            ["fma_peak_gflops_all"] = peak.Best.AllThreadsGflops,
            ["fma_peak_vector_bits"] = peak.Best.VectorBits,
            ["fma_peak_threads"] = peak.Threads,
            ["fma_peak_widths"] = peak.Widths.Select(w => new { bits = w.VectorBits, gflops_1thread = w.OneThreadGflops, gflops_all = w.AllThreadsGflops }),
            // The bare step's throughput over the FMA ceiling measured in this run (FmaPeakFigures.Ceiling: the all-threads
            // peak, or one thread's times the threads where another process held a core and dragged the former down).
            ["fma_peak_ceiling"] = peak.Ceiling,
            ["step_share_of_peak"] = reference.StepGflops / peak.Ceiling,
            ["step_gflops"] = reference.StepGflops,
            ["step_ms"] = reference.StepSeconds * 1e3,
            // Fit's whole epoch as throughput: the step's FLOPs over every batch (the last one partial), shuffling and metrics included.
            ["fit_gflops"] = ReferenceRun.StepFlops(1, 512) * train.Count / reference.EpochSeconds_Median / 1e9,
            ["alloc_bytes_per_step"] = reference.AllocBytesPerStep,
            ["predict_10k_s"] = predict,
            ["predict_gflops"] = predictGflops,
            ["onnxruntime_predict_10k_s"] = onnx.Seconds,
            ["onnxruntime_threads"] = onnx.Threads,
            // ONNX Runtime's time over GraphGen's: above 1, GraphGen's Predict is faster.
            ["onnxruntime_over_graphgen"] = onnx.Seconds / predict,
            ["onnxruntime_max_relative_difference"] = onnx.MaxRelativeDifference,
            ["onnxruntime_cnn_predict_10k_s"] = cnnOnnx.Seconds,
            ["graphgen_cnn_predict_10k_s"] = cnnPredict,
            ["onnxruntime_cnn_over_graphgen"] = cnnOnnx.Seconds / cnnPredict,
            ["onnxruntime_cnn_max_relative_difference"] = cnnOnnx.MaxRelativeDifference,
            // Full epochs only where --cnn-epochs asked for them; the _from_steps figure always.
            ["cnn_epochs_s"] = cnn.EpochSeconds,
            ["cnn_epoch_s"] = cnn.EpochSeconds.Length == 0 ? null : cnn.EpochSecondsMedian,
            ["cnn_first_epoch_s"] = cnn.EpochSeconds.Length == 0 ? null : cnn.EpochSeconds[0],
            ["cnn_epoch_s_from_steps"] = cnn.EpochSecondsFromSteps(train.Count),
            ["cnn_step_ms"] = cnn.StepSeconds * 1e3,
            ["cnn_step_gflops"] = cnn.StepGflops,
            ["cnn_step_share_of_peak"] = cnn.StepGflops / peak.Ceiling,
            ["test_accuracy"] = reference.TestAccuracy,
            ["cores"] = Environment.ProcessorCount,
            ["isa"] = isa,
            ["kernels"] = kernels.Select(k => new { name = k.Name, layout = k.Layout, m = k.M, n = k.N, k = k.K, gflops = k.Gflops, us = k.Microseconds }),
            ["scaling"] = growth?.Select(f => new { hidden = f.Hidden, batch = f.Batch, epoch_s = f.EpochSeconds[^1], step_gflops = f.StepGflops }),
            ["generator"] = generatorFigures?.Select(g => new { models = g.Models, full_run_ms = g.FullRunMs, unrelated_edit_ms = g.UnrelatedEditMs, cached = g.EditLeftEveryStepCached }),
        };
        foreach (var l in cnn.Layers)
        {
            figures[$"{l.Name}_forward_ms"] = l.ForwardMs;
            figures[$"{l.Name}_forward_gflops"] = l.ForwardGflops;
            figures[$"{l.Name}_backward_ms"] = l.BackwardMs;
            figures[$"{l.Name}_backward_gflops"] = l.BackwardGflops;
        }
        File.WriteAllText(path, JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
    }
    return 0;
});
return root.Parse(args).Invoke();
