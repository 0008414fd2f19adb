using System.Diagnostics;
using System.Runtime.InteropServices;
using GraphGen;
using GraphGen.Distributed;
using GraphGen.Training;

// MpiChild MODE …, run alone (one process, MPI never loaded) or under mpirun -np N (a DataParallel over the job):
//   steps OUT OPTIMIZER dense|forward [ROWS]  one epoch of global batch 128 over ROWS rows (2,560: 20 steps); rank 0 writes OUT/losses.bin,
//                                       OUT/weights.bin (every weight, flat) and OUT/evaluation.bin (Evaluate, Predict).
//   regularized OUT                     one epoch of RegularizedMpiNet (batch normalisation, dropout); every rank writes
//                                       OUT/weights-RANK.bin and OUT/moving-RANK.bin (its moving mean, then variance).
//   resume FOLDER EPOCHS [KILL_EPOCH]   trains with a checkpoint per epoch, resuming from it when it exists; rank 1
//                                       kills itself (SIGKILL) in the middle of KILL_EPOCH; rank 0 writes FOLDER/final.bin.
//   stall TIMEOUT_SECONDS               rank 1 stops itself (SIGSTOP) after its third step: the watchdog must end the job.
// Every line is flushed at once: the parent acts on them.
string mode = args.Length > 0 ? args[0] : "";
using var distribution = DataParallel.LaunchedByMpirun
    ? DataParallel.Start(mode == "stall" ? TimeSpan.FromSeconds(double.Parse(args[1])) : null) : null;
int rank = distribution?.Rank ?? 0;
Say($"rank {rank} of {distribution?.Size ?? 1}: {string.Join(' ', args)}");
const int features = 20;
var (x, y) = Data(rows: 128 * 20, classes: 4);

if (mode == "steps")
{
    string folder = args[1];
    CompiledModel<int> model = args[3] == "forward" ? new ForwardMpiNet(seed: 5) : new DenseMpiNet(seed: 5);
    model.Distribution = distribution;
    Optimizer optimizer = args[2] switch { "sgd" => new Sgd(0.1f), "rmsprop" => new RmsProp(), "adam" => new Adam(), _ => throw new ArgumentException($"optimizer {args[2]}") };
    int rows = args.Length > 4 ? int.Parse(args[4]) : x.Length / features;
    var losses = new List<float>();
    model.Fit(x[..(rows * features)], y[..rows], epochs: 1, batchSize: 128, optimizer, verbose: 0, callbacks: [new LambdaCallback(onBatchEnd: b => losses.Add(b.Loss))]);
    // Odd row counts and chunk sizes: the shards and chunks do not line up.
    var evaluation = model.Evaluate(x.AsSpan(0, 1001 * features), y.AsSpan(0, 1001), batchSize: 300);
    var predicted = model.Predict(x.AsSpan(0, 999 * features));
    if (rank == 0)
    {
        Write(Path.Combine(folder, "losses.bin"), [.. losses]);
        Write(Path.Combine(folder, "weights.bin"), [.. model.Weights.SelectMany(p => p.Data.ToArray())]);
        Write(Path.Combine(folder, "evaluation.bin"), [(float)evaluation.Loss, (float)evaluation.Accuracy!.Value, evaluation.Samples, .. predicted]);
    }
    Say("done");
}
else if (mode == "regularized")
{
    var model = new RegularizedMpiNet(seed: 5) { Distribution = distribution };
    model.Fit(x, y, epochs: 1, batchSize: 128, new Adam(), verbose: 0);
    Write(Path.Combine(args[1], $"weights-{rank}.bin"), [.. model.Weights.SelectMany(p => p.Data.ToArray())]);
    Write(Path.Combine(args[1], $"moving-{rank}.bin"), [.. model.Norm.MovingMean.Data.ToArray(), .. model.Norm.MovingVariance.Data.ToArray()]);
    Say("done");
}
else if (mode == "resume")
{
    string folder = args[1];
    int epochs = int.Parse(args[2]), killEpoch = args.Length > 3 ? int.Parse(args[3]) : -1;
    string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
    var model = new DenseMpiNet(seed: 7) { Distribution = distribution };
    var optimizer = new Adam();
    int done = File.Exists(checkpoint) ? model.LoadCheckpoint(checkpoint, optimizer) : 0;
    Say($"resumed after epoch {done}");
    var killer = new LambdaCallback(onBatchEnd: b =>
    {
        if (rank == 1 && b.Epoch == killEpoch && b.Batch == 5)
        {
            Say($"rank 1 kills itself in epoch {b.Epoch}");
            Process.GetCurrentProcess().Kill();
        }
    });
    model.Fit(x, y, epochs, batchSize: 64, optimizer, verbose: 0, initialEpoch: done, callbacks: [killer, new ModelCheckpoint(checkpoint)]);
    if (rank == 0) Write(Path.Combine(folder, "final.bin"), [.. model.Weights.SelectMany(p => p.Data.ToArray())]);
    Say("done");
}
else if (mode == "stall")
{
    var model = new DenseMpiNet(seed: 7) { Distribution = distribution };
    var stopper = new LambdaCallback(onBatchEnd: b =>
    {
        if (rank != 1 || b.Batch != 2) return;
        Say("rank 1 stops itself");
        Process.Start("kill", ["-STOP", Environment.ProcessId.ToString()])!.WaitForExit();
    });
    model.Fit(x, y, epochs: 1, batchSize: 64, new Sgd(0.1f), verbose: 0, callbacks: [stopper]);
    Say("done (the watchdog did not fire)");
}
else
{
    Console.Error.WriteLine("usage: MpiChild steps OUT sgd|rmsprop|adam dense|forward | resume FOLDER EPOCHS [KILL_EPOCH] | stall TIMEOUT_SECONDS");
    return 2;
}
return 0;

static (float[] X, int[] Y) Data(int rows, int classes)
{
    var random = new Random(3);
    var x = new float[rows * features];
    var y = new int[rows];
    for (int i = 0; i < rows; i++)
    {
        y[i] = random.Next(classes);
        for (int f = 0; f < features; f++) x[i * features + f] = (float)(random.NextDouble() - 0.5) + (f % classes == y[i] ? 0.4f : 0f);
    }
    return (x, y);
}

static void Write(string path, float[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

static void Say(string line)
{
    Console.WriteLine(line);
    Console.Out.Flush();
}

[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(20)]
public sealed partial class DenseMpiNet
{
    [Dense(32, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(4, Activation.Softmax)] public partial DenseLayer Output { get; }
}

[Model(Loss = Loss.SparseCategoricalCrossentropy)]
public sealed partial class ForwardMpiNet
{
    [Parameter(20, 32)] public partial Parameter W1 { get; }
    [Parameter(32)] public partial Parameter B1 { get; }
    [Parameter(32, 4)] public partial Parameter W2 { get; }
    [Parameter(4)] public partial Parameter B2 { get; }

    [Forward]
    public Tensor Call([Shape(20)] Tensor x) => Op.Softmax(Op.MatMul(Op.Tanh(Op.MatMul(x, W1) + B1), W2) + B2);
}

/// <summary>Batch normalisation and dropout: the moving statistics are state each rank moves from its own shard.</summary>
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(20)]
public sealed partial class RegularizedMpiNet
{
    [Dense(32, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [BatchNormalization(Momentum = 0.9)] public partial BatchNormalizationLayer Norm { get; }
    [Dropout(0.3)] public partial Layer Dropout { get; }
    [Dense(4, Activation.Softmax)] public partial DenseLayer Output { get; }
}
