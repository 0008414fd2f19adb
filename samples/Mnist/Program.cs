using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GraphGen.Data;
using GraphGen.Training;
using Mnist;

var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 5 };
var batchSize = new Option<int>("--batch-size") { Description = "Samples per mini-batch.", DefaultValueFactory = _ => 128 };
var optimizerName = new Option<string>("--optimizer") { Description = "Optimizer: sgd.", DefaultValueFactory = _ => "sgd" };
var learningRate = new Option<float>("--learning-rate") { Description = "Learning rate.", DefaultValueFactory = _ => 0.1f };
var init = new Option<string>("--init") { Description = "Weight initializer: glorot | uniform:MIN:MAX | normal:MEAN:STD (biases start at zero).", DefaultValueFactory = _ => "glorot" };
var seed = new Option<int>("--seed") { Description = "Seed for the weights and the batch order.", DefaultValueFactory = _ => 42 };
var trainLimit = new Option<int?>("--train-limit") { Description = "Train on the first N training images only." };
var json = new Option<string?>("--json") { Description = "Write the figures of the run as JSON to this path." };
var data = new Option<string?>("--data") { Description = "Folder holding the MNIST IDX files (default: GRAPHGEN_DATA/mnist, samples/data/mnist, /usr/share/datasets/mnist)." };

var root = new RootCommand("Trains the chapter-2 MNIST classifier (784 → 512 relu → 10 softmax) compiled by GraphGen.")
{
    epochs, batchSize, optimizerName, learningRate, init, seed, trainLimit, json, data,
};
root.SetAction(parsed =>
{
    try
    {
        return Run(parsed.GetValue(epochs), parsed.GetValue(batchSize), parsed.GetValue(optimizerName)!, parsed.GetValue(learningRate),
            parsed.GetValue(init)!, parsed.GetValue(seed), parsed.GetValue(trainLimit), parsed.GetValue(json), parsed.GetValue(data));
    }
    catch (Exception e) when (e is DataFormatException or IOException or FormatException or ArgumentException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
});
return root.Parse(args).Invoke();

static int Run(int epochs, int batchSize, string optimizerName, float learningRate, string init, int seed, int? trainLimit, string? jsonPath, string? dataPath)
{
    if (epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {epochs}.");
    if (batchSize < 1) throw new ArgumentException($"--batch-size must be at least 1, got {batchSize}.");
    Optimizer optimizer = optimizerName.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(learningRate),
        _ => throw new ArgumentException($"--optimizer '{optimizerName}' is not known; available: sgd."),
    };

    var (train, test) = GraphGen.Data.Mnist.Load(dataPath);
    if (trainLimit is int limit) train = train.Take(limit);
    var model = new MnistClassifier(seed, Initializer.Parse(init));
    Console.WriteLine($"MNIST: {train.Count} training and {test.Count} test images; {model.ParameterCount:N0} parameters in {model.Weights.Count} tensors");
    Console.WriteLine($"Training: {epochs} epochs, batch {batchSize}, {optimizer}, init {init}, seed {seed}");

    var epochRecords = new List<EpochRecord>();
    var batchLosses = new List<BatchLoss>();
    model.Fit(train.Images, train.Labels, epochs, batchSize, optimizer,
        onBatchEnd: b =>
        {
            if (b.Batch % 100 != 0) return;
            batchLosses.Add(new BatchLoss(b.Batch, b.Loss));
            Console.WriteLine($"  epoch {b.Epoch} batch {b.Batch,4}/{b.BatchesPerEpoch}: loss {b.Loss:F4}");
        },
        onEpochEnd: e =>
        {
            Console.WriteLine($"epoch {e.Epoch}/{epochs}: loss {e.Loss:F4}, accuracy {e.Accuracy:F4} ({e.Seconds:F2} s)");
            epochRecords.Add(new EpochRecord(e.Epoch, e.Loss, e.Accuracy, e.Seconds, [.. batchLosses]));
            batchLosses.Clear();
        });

    var result = model.Evaluate(test.Images, test.Labels);
    Console.WriteLine($"test: loss {result.Loss:F4}, accuracy {result.Accuracy:F4}");
    if (jsonPath is not null)
    {
        var report = new RunReport(epochRecords, result.Loss, result.Accuracy ?? 0, train.Count, model.ParameterCount);
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, options));
        Console.WriteLine($"wrote {jsonPath}");
    }
    return 0;
}

record BatchLoss(int Batch, float Loss);
record EpochRecord(int Epoch, double Loss, double? Accuracy, double Seconds, List<BatchLoss> BatchLosses);
record RunReport(List<EpochRecord> Epochs, double TestLoss, double TestAccuracy, int TrainSamples, long Parameters);
