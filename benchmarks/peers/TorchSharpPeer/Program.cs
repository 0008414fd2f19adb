using System.Text.Json;
using TorchSharp;
using TorchSharpPeer;

// The TorchSharp-cpu peer of GraphGen.Bench (benchmarks/compare.sh builds and runs it): the reference MLP and the MNIST
// convnet on LibTorch's CPU kernels, the data resident as tensors, on --threads intra-op threads. Prints one JSON object.
//   TorchSharpPeer [--epochs N] [--cnn-epochs N] [--steps N] [--cnn-steps N] [--threads N] [--data DIR]
int epochs = 3, cnnEpochs = 3, steps = 300, cnnSteps = 50, threads = Environment.ProcessorCount;
string? data = null;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(Next()); break;
        case "--cnn-epochs": cnnEpochs = int.Parse(Next()); break;
        case "--steps": steps = int.Parse(Next()); break;
        case "--cnn-steps": cnnSteps = int.Parse(Next()); break;
        case "--threads": threads = int.Parse(Next()); break;
        case "--data": data = Next(); break;
        default: Console.Error.WriteLine($"error: unknown argument '{args[i]}' (see the header of Program.cs)"); return 2;
    }
}
if (epochs < 1 || cnnEpochs < 1 || steps < 5 || cnnSteps < 5 || threads < 1) { Console.Error.WriteLine("error: --epochs, --cnn-epochs and --threads must be positive, --steps and --cnn-steps at least 5"); return 2; }

torch.set_num_threads(threads);
var (train, test) = MnistTensors.Load(data);
var figures = new Dictionary<string, object>
{
    ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
    ["threads"] = torch.get_num_threads(),
    ["aten_cpu_capability"] = Environment.GetEnvironmentVariable("ATEN_CPU_CAPABILITY") ?? "default",
    ["onednn_max_cpu_isa"] = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "default",
    ["omp_wait_policy"] = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "default",
};
foreach (var (key, value) in MlpRun.Run(train, test, epochs, steps)) figures[key] = value;
foreach (var (key, value) in CnnRun.Run(train, test, cnnEpochs, cnnSteps)) figures[key] = value;
Console.WriteLine(JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
return 0;
