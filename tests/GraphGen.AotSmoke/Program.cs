using System.Runtime.CompilerServices;
using System.Text.Json;
using GraphGen;
using GraphGen.Training;

// Runs GraphGen's CPU path end to end and writes what it computed as JSON: .ci/run publishes this with NativeAOT, runs
// it, runs it again under the JIT, and compares the two files (the same numbers, to float rounding). Exit code 1 with
// the failed check on stderr. Arguments: --json PATH [--expect-aot].
string? json = null;
bool expectAot = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--json" && i + 1 < args.Length) json = args[++i];
    else if (args[i] == "--expect-aot") expectAot = true;
    else return Fail($"unexpected argument '{args[i]}' (expected --json PATH [--expect-aot])");
}
if (json is null) return Fail("--json PATH is required");
// Compiled ahead of time when nothing was JIT-compiled. (RuntimeFeature.IsDynamicCodeSupported is false under the JIT
// too in a PublishAot project: its runtimeconfig switches dynamic code off, so `dotnet run` behaves as the native app.)
bool aot = System.Runtime.JitInfo.GetCompiledMethodCount() == 0;
Console.WriteLine($"GraphGen.AotSmoke: {(aot ? "NativeAOT" : "JIT")}, {Devices.List()[0]}");
if (expectAot && !aot) return Fail("--expect-aot: this is not a NativeAOT build (run the published binary)");
// GraphGen's buildTransitive targets give an x64 NativeAOT publish x86-64-v3 unless the app names an instruction set:
// .NET's own default there has no hardware Vector256, and every kernel would run on emulated vectors.
if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64
    && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
    return Fail("Vector256 is not hardware-accelerated: the build was not compiled for x86-64-v3 (AVX2) or later");

var (train, test) = GraphGen.Data.Mnist.Load();
var figures = new Dictionary<string, double>();
string dir = Directory.CreateTempSubdirectory("graphgen-aot-").FullName;

// The reference MLP on a slice: Fit with a validation split and callbacks, Evaluate, Predict.
var mlp = new Mlp(seed: 7);
var history = mlp.Fit(train.Images.AsSpan(0, 6000 * 784).ToArray(), train.Labels.AsSpan(0, 6000).ToArray(), 2, 128, new RmsProp(),
    validationSplit: 0.1, verbose: 0, callbacks: [new ModelCheckpoint(Path.Combine(dir, "best.safetensors")), new EarlyStopping()]);
figures["mlp_loss"] = history.Epochs[^1].Loss;
var evaluation = mlp.Evaluate(test.Images, test.Labels);
figures["mlp_test_loss"] = evaluation.Loss;
figures["mlp_test_accuracy"] = evaluation.Accuracy ?? double.NaN;
float[] predicted = mlp.Predict(test.Images);
figures["mlp_predict_sum"] = predicted.Sum(p => (double)p * p);
if (evaluation.Accuracy is not > 0.85) return Fail($"the MLP reached test accuracy {evaluation.Accuracy}, expected > 0.85");

// Weights and checkpoints round-trip; the ONNX export is written.
string weights = Path.Combine(dir, "mlp.safetensors"), checkpoint = Path.Combine(dir, "mlp.ckpt.safetensors"), onnx = Path.Combine(dir, "mlp.onnx");
mlp.SaveWeights(weights);
var reloaded = new Mlp(seed: 1);
reloaded.LoadWeights(weights);
if (!reloaded.Predict(test.Images).AsSpan().SequenceEqual(predicted)) return Fail("Predict after SaveWeights/LoadWeights differs");
var optimizer = new RmsProp();
mlp.SaveCheckpoint(checkpoint, optimizer, 2);
if (new Mlp(seed: 1).LoadCheckpoint(checkpoint, new RmsProp()) != 2) return Fail("LoadCheckpoint did not return the saved epoch");
mlp.ExportOnnx(onnx);
if (new FileInfo(onnx).Length < 100_000) return Fail($"ExportOnnx wrote {new FileInfo(onnx).Length} bytes");

// The convnet's kernels (convolution, pooling) through TrainStep and Evaluate.
var cnn = new Mnist.MnistConvnet(seed: 7);
var cnnOptimizer = new RmsProp();
for (int b = 0; b < 15; b++)
    figures["cnn_last_step_loss"] = cnn.TrainStep(train.Images.AsSpan(b * 128 * 784, 128 * 784), train.Labels.AsSpan(b * 128, 128), cnnOptimizer);
var cnnEvaluation = cnn.Evaluate(test.Images.AsSpan(0, 2000 * 784), test.Labels.AsSpan(0, 2000));
figures["cnn_test_loss"] = cnnEvaluation.Loss;
figures["cnn_test_accuracy"] = cnnEvaluation.Accuracy ?? double.NaN;

// ILGPU builds kernels from IL at run time: without dynamic code its devices are refused by name, and only the CPU is listed.
if (!RuntimeFeature.IsDynamicCodeSupported)
{
    if (Devices.List().Count != 1) return Fail($"Devices.List() without dynamic code: {string.Join("; ", Devices.List())}, expected the CPU alone");
    foreach (var device in new[] { Device.IlgpuCpu, Device.Cuda(0) })
    {
        try
        {
            new Mlp(seed: 1).To(device);
            return Fail($"To({device}) without dynamic code did not throw");
        }
        catch (PlatformNotSupportedException e) when (e.Message.Contains(device.ToString()) && e.Message.Contains("NativeAOT"))
        {
            Console.WriteLine($"To({device}): {e.Message}");
        }
    }
    if (Devices.CudaStatus?.Contains("NativeAOT") != true) return Fail($"Devices.CudaStatus without dynamic code: {Devices.CudaStatus}");
}

using (var stream = File.Create(json))
using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
{
    writer.WriteStartObject();
    writer.WriteBoolean("aot", aot);
    foreach (var (name, value) in figures) writer.WriteNumber(name, value);
    writer.WriteEndObject();
}
Directory.Delete(dir, recursive: true);
Console.WriteLine($"ok: {string.Join(", ", figures.Select(f => $"{f.Key} {f.Value:G6}"))}; wrote {json}");
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 1;
}

/// <summary>The chapter-2 model at a quarter of its hidden width: 784 → 128 relu → 10 softmax.</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(28 * 28)]
public sealed partial class Mlp
{
    [Dense(128, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
