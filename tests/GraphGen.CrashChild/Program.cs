using GraphGen;
using GraphGen.Serialization;
using GraphGen.Training;

// CrashChild FOLDER EPOCHS [STALL_EPOCH]: trains CrashNet on seeded data with Adam, a checkpoint (FOLDER/checkpoint.safetensors)
// after every epoch, resuming from that checkpoint when it exists; writes FOLDER/final.safetensors at the end. With
// STALL_EPOCH it stops forever in the middle of that epoch's checkpoint write, after printing "writing", to be killed.
// Every line it prints is flushed at once: the parent acts on them.
if (args.Length < 2 || !int.TryParse(args[1], out int epochs))
{
    Console.Error.WriteLine("usage: CrashChild FOLDER EPOCHS [STALL_EPOCH]");
    return 2;
}
string folder = args[0];
int stallEpoch = args.Length > 2 ? int.Parse(args[2]) : -1;
string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
Console.Out.Flush();

var random = new Random(3);
const int rows = 3000, features = 32;
var x = new float[rows * features];
var y = new int[rows];
for (int i = 0; i < rows; i++)
{
    y[i] = random.Next(4);
    for (int f = 0; f < features; f++) x[i * features + f] = (float)(random.NextDouble() - 0.5) + (f % 4 == y[i] ? 0.5f : 0f);
}

var model = new CrashNet(seed: 11);
var optimizer = new Adam();
int done = File.Exists(checkpoint) ? model.LoadCheckpoint(checkpoint, optimizer) : 0;
Say($"resumed after epoch {done}");
int epoch = done;
SafeTensors.MidWriteHook = path =>
{
    if (epoch != stallEpoch || path != Path.GetFullPath(checkpoint)) return;
    Say("writing");
    Thread.Sleep(Timeout.Infinite);
};
model.Fit(x, y, epochs, batchSize: 32, optimizer, verbose: 0, initialEpoch: done,
    callbacks: [new Announce(e => { epoch = e; Say($"epoch {e} begins"); }), new ModelCheckpoint(checkpoint)]);
model.SaveWeights(Path.Combine(folder, "final.safetensors"));
Say("done");
return 0;

static void Say(string line)
{
    Console.WriteLine(line);
    Console.Out.Flush();
}

/// <summary>Announces each epoch, and paces its batches so a kill lands inside the epoch it aims at.</summary>
sealed class Announce(Action<int> onEpochBegin) : Callback
{
    public override void OnEpochBegin(TrainingContext context, int epoch) => onEpochBegin(epoch);
    public override void OnBatchEnd(TrainingContext context, in BatchEnd batch) => Thread.Sleep(1);
}

[Model]
[Input(32)]
public sealed partial class CrashNet
{
    [Dense(64, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(4, Activation.Softmax)] public partial DenseLayer Output { get; }
}
