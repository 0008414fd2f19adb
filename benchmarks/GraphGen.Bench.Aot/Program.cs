using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Text.Json;
using GraphGen.Bench;

// GraphGen.Bench's reference run (784-512-10, batch 128, RMSprop, data resident), compiled ahead of time: the epochs
// of Fit, the bare step and Predict, written as JSON for benchmarks/compare.sh. Arguments: [--epochs N] [--json PATH].
int epochs = 3;
string? json = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--epochs" && i + 1 < args.Length && int.TryParse(args[i + 1], out epochs) && epochs >= 1) i++;
    else if (args[i] == "--json" && i + 1 < args.Length) json = args[++i];
    else
    {
        Console.Error.WriteLine($"error: unexpected argument '{args[i]}' (expected --epochs N (N ≥ 1; the first over the later ones needs 2), --json PATH)");
        return 2;
    }
}

// Compiled ahead of time when nothing was JIT-compiled (a PublishAot project's runtimeconfig turns
// RuntimeFeature.IsDynamicCodeSupported off under the JIT too, so that flag cannot tell).
bool aot = System.Runtime.JitInfo.GetCompiledMethodCount() == 0;
string isa = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "scalar";
Console.WriteLine($"GraphGen.Bench.Aot: {(aot ? "NativeAOT" : "JIT (run the published binary for NativeAOT)")}, {Environment.ProcessorCount} cores, {isa}");
var (train, test) = GraphGen.Data.Mnist.Load();

long start = Stopwatch.GetTimestamp();
var figures = ReferenceRun.Train(train, test, 512, 128, epochs, 300);
double total = Stopwatch.GetElapsedTime(start).TotalSeconds;
double predict = ReferenceRun.TimePredict(ReferenceRun.Create(512), test, 5);
double first = figures.EpochSeconds[0], later = figures.EpochSeconds_Median;
Console.WriteLine($"epochs {string.Join(", ", figures.EpochSeconds.Select(s => $"{s:F3}"))} s: first over the later ones {first / later:F2}; " +
    $"bare step {figures.StepSeconds * 1e3:F3} ms = {figures.StepGflops:F1} GFLOP/s; predict 10,000 images {predict * 1e3:F1} ms; " +
    $"test accuracy {figures.TestAccuracy:F4}");

if (json is not null)
{
    using var stream = File.Create(json);
    using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
    w.WriteStartObject();
    w.WriteBoolean("aot", aot);
    w.WriteString("isa", isa);
    w.WriteNumber("cores", Environment.ProcessorCount);
    w.WriteStartArray("epochs_s");
    foreach (var s in figures.EpochSeconds) w.WriteNumberValue(s);
    w.WriteEndArray();
    w.WriteNumber("first_epoch_s", first);
    w.WriteNumber("epoch_s", later);
    w.WriteNumber("run_s", total);
    w.WriteNumber("step_ms", figures.StepSeconds * 1e3);
    w.WriteNumber("step_gflops", figures.StepGflops);
    w.WriteNumber("alloc_bytes_per_step", figures.AllocBytesPerStep);
    w.WriteNumber("predict_10k_s", predict);
    w.WriteNumber("test_accuracy", figures.TestAccuracy);
    w.WriteEndObject();
}
return 0;
