using System.CommandLine;
using GraphGen;
using GraphGen.Reporting;
using GraphGen.Samples;
using GraphGen.Training;
using Mnist;

// Chapter 2 of Deep Learning with Python. Keras's run is the default (RMSprop, lr 0.001, 5 epochs, batch 128);
// the hand-written one is --init uniform:0:0.1 --optimizer sgd --learning-rate 0.001 --epochs 10.
var options = new SampleOptions(epochs: 5, batchSize: 128, optimizer: "rmsprop", learningRate: 0.001f);
var init = new Option<string>("--init") { Description = $"Weight initializer ({Initializer.Grammar}); biases start at zero.", DefaultValueFactory = _ => "glorot_uniform" };
var trainLimit = new Option<int?>("--train-limit") { Description = "Train on the first N training images only." };
var root = new RootCommand("Trains the chapter-2 MNIST classifier (784 → 512 relu → 10 softmax) compiled by GraphGen.") { init, trainLimit };
foreach (var option in options.All.Append(options.Dropout)) root.Options.Add(option);

return SampleRun.Invoke(root, args, parsed =>
{
    int epochs = parsed.GetValue(options.Epochs), batchSize = parsed.GetValue(options.BatchSize), seed = parsed.GetValue(options.Seed);
    SampleOptions.CheckPositive(epochs, "--epochs");
    SampleOptions.CheckPositive(batchSize, "--batch-size");
    var optimizer = SampleOptions.CreateOptimizer(parsed.GetValue(options.Optimizer)!, parsed.GetValue(options.LearningRate));
    string initName = parsed.GetValue(init)!;

    var (train, test) = GraphGen.Data.Mnist.Load(parsed.GetValue(options.Data));
    if (parsed.GetValue(trainLimit) is int limit) train = train.Take(limit);
    var weights = Initializer.Parse(initName);
    double dropout = parsed.GetValue(options.Dropout);
    var model = SampleOptions.ByDropout<CompiledModel<int>>(dropout,
        (0, () => new MnistClassifier(seed, weights)), (0.2, () => new MnistClassifierDropout20(seed, weights)),
        (0.5, () => new MnistClassifierDropout50(seed, weights))).To(options.DeviceOf(parsed));
    Console.WriteLine($"MNIST: {train.Count} training and {test.Count} test images; {model.ParameterCount:N0} parameters in {model.Weights.Count} tensors");
    Console.WriteLine($"Training: {epochs} epochs, batch {batchSize}, {optimizer}, init {initName}, seed {seed}{(dropout > 0 ? $", dropout {dropout}" : "")}");

    var recorder = new BatchLossRecorder(every: 100);
    var history = model.Fit(train.Images, train.Labels, epochs, batchSize, optimizer, callbacks: [recorder], verbose: parsed.GetValue(options.Verbose));
    var result = model.Evaluate(test.Images, test.Labels);
    Console.WriteLine($"test: {result}");

    SampleRun.SaveWeights(model, parsed.GetValue(options.Save));
    if (parsed.GetValue(options.Json) is string json)
        SampleRun.WriteJson(json, new
        {
            Epochs = recorder.Epochs, TestLoss = result.Loss, TestAccuracy = result.Accuracy ?? 0, TrainSamples = train.Count,
            Parameters = model.ParameterCount, Optimizer = optimizer.ToString(), Seed = seed,
        });
    if (parsed.GetValue(options.Report) is string report)
    {
        var (predicted, confidence) = model.PredictClassesWithScores(test.Images);
        new HtmlReport("MNIST: 784 → 512 relu → 10 softmax")
            .AddFigures("Run", [("optimizer", optimizer.ToString()), ("epochs", epochs.ToString()), ("batch size", batchSize.ToString()),
                ("test accuracy", $"{result.Accuracy:P2}"), ("test loss", $"{result.Loss:F4}")])
            .AddCurves("Loss per epoch", history, "loss", "val_loss")
            .AddCurves("Accuracy per epoch", history, "accuracy", "val_accuracy")
            .AddImageGrid("First test images: predicted label (probability)", test.Images, test.Width, test.Height, predicted, confidence, test.Labels)
            .Save(report);
        Console.WriteLine($"wrote {report}");
    }
    return 0;
});
