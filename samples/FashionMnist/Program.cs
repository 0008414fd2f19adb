using System.CommandLine;
using GraphGen;
using GraphGen.Data;
using GraphGen.Reporting;
using GraphGen.Samples;
using GraphGen.Training;
using FashionMnist;

// The seed's homework: an MLP on Fashion-MNIST. Adam with a cosine-decayed learning rate; the last 10 % of the
// training images are held out to watch over-fitting, and the test set is scored once at the end.
var options = new SampleOptions(epochs: 20, batchSize: 128, optimizer: "adam", learningRate: 0.001f);
var trainLimit = new Option<int?>("--train-limit") { Description = "Train on the first N training images only." };
var root = new RootCommand("An MLP (784 → 512 → 256 → 10) on Fashion-MNIST, compiled by GraphGen.") { trainLimit };
foreach (var option in options.All.Append(options.Dropout)) root.Options.Add(option);

return SampleRun.Invoke(root, args, parsed =>
{
    int epochs = parsed.GetValue(options.Epochs), batchSize = parsed.GetValue(options.BatchSize), seed = parsed.GetValue(options.Seed);
    SampleOptions.CheckPositive(epochs, "--epochs");
    SampleOptions.CheckPositive(batchSize, "--batch-size");
    var (train, test) = GraphGen.Data.FashionMnist.Load(parsed.GetValue(options.Data));
    if (parsed.GetValue(trainLimit) is int limit) train = train.Take(limit);
    var optimizer = SampleOptions.CreateOptimizer(parsed.GetValue(options.Optimizer)!, parsed.GetValue(options.LearningRate));
    int stepsPerEpoch = (int)Math.Ceiling(train.Count * 0.9 / batchSize);
    optimizer.LearningRate = LearningRateSchedule.CosineDecay(optimizer.CurrentLearningRate, (long)epochs * stepsPerEpoch, alpha: 0.05f);
    double dropout = parsed.GetValue(options.Dropout);
    var model = SampleOptions.ByDropout<CompiledModel<int>>(dropout,
        (0, () => new FashionMlp(seed)), (0.2, () => new FashionMlpDropout20(seed)), (0.5, () => new FashionMlpDropout50(seed))).To(options.DeviceOf(parsed));
    Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images; {model.ParameterCount:N0} parameters");
    Console.WriteLine($"Training: {epochs} epochs, batch {batchSize}, {optimizer}, seed {seed}{(dropout > 0 ? $", dropout {dropout} after each hidden layer" : "")}");

    var recorder = new BatchLossRecorder(every: 100);
    var history = model.Fit(train.Images, train.Labels, epochs, batchSize, optimizer, validationSplit: 0.1, callbacks: [recorder],
        verbose: parsed.GetValue(options.Verbose));
    var result = model.Evaluate(test.Images, test.Labels);
    Console.WriteLine($"test: {result}");
    var (predicted, confidence) = model.PredictClassesWithScores(test.Images);
    var confusion = new ConfusionMatrix(test.Labels, predicted, 10);
    Console.WriteLine("per class (precision / recall): " + string.Join(", ",
        Enumerable.Range(0, 10).Select(c => $"{GraphGen.Data.FashionMnist.ClassNames[c]} {confusion.Precision(c):P0}/{confusion.Recall(c):P0}")));

    SampleRun.SaveWeights(model, parsed.GetValue(options.Save));
    if (parsed.GetValue(options.Json) is string json)
        SampleRun.WriteJson(json, new
        {
            Epochs = recorder.Epochs, TestLoss = result.Loss, TestAccuracy = result.Accuracy ?? 0, TrainSamples = train.Count,
            Parameters = model.ParameterCount, Optimizer = optimizer.ToString(), Seed = seed,
        });
    if (parsed.GetValue(options.Report) is string report)
    {
        new HtmlReport("Fashion-MNIST: MLP 784 → 512 → 256 → 10")
            .AddFigures("Test set", [("accuracy", $"{result.Accuracy:P2}"), ("loss", $"{result.Loss:F4}"), ("optimizer", optimizer.ToString())])
            .AddCurves("Loss per epoch", history, "loss", "val_loss")
            .AddCurves("Accuracy per epoch", history, "accuracy", "val_accuracy")
            .AddImageGrid("First test images: predicted class (probability)", test.Images, 28, 28, predicted,
                confidence, test.Labels, GraphGen.Data.FashionMnist.ClassNames)
            .Save(report);
        Console.WriteLine($"wrote {report}");
    }
    return 0;
});
