using GraphGen;
using GraphGen.Serialization;
using GraphGen.Training;

// CrashChild FOLDER EPOCHS [STALL_EPOCH]: trains CrashNet (batch normalisation and dropout) on seeded data with Adam, a checkpoint (FOLDER/checkpoint.safetensors)
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

/// <summary>
/// 32 → 64, batch-normalised, relu, dropout 0.3 → 4 softmax: a resumed run must also restore the moving statistics
/// and the dropout stream (seed and step) to end bitwise where the uninterrupted one does.
/// </summary>
[Model]
public sealed partial class CrashNet
{
    [Parameter(32, 64)] public partial Parameter W1 { get; }
    [Parameter(64)] public partial Parameter B1 { get; }
    [Parameter(64, Init = "ones")] public partial Parameter Gamma { get; }
    [Parameter(64)] public partial Parameter Beta { get; }
    [Parameter(64, Trainable = false)] public partial Parameter MovingMean { get; }
    [Parameter(64, Trainable = false, Init = "ones")] public partial Parameter MovingVariance { get; }
    [Parameter(64, 4)] public partial Parameter W2 { get; }
    [Parameter(4)] public partial Parameter B2 { get; }

    [Forward]
    public Tensor Call([Shape(32)] Tensor x)
    {
        var hidden = Op.Relu(Op.BatchNormalization(Op.MatMul(x, W1) + B1, Gamma, Beta, MovingMean, MovingVariance));
        return Op.Softmax(Op.MatMul(Op.Dropout(hidden, 0.3f), W2) + B2);
    }
}
