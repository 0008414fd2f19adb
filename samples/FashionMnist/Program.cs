using System.CommandLine;
using GraphGen;
using GraphGen.Data;
using GraphGen.Reporting;
using GraphGen.Samples;
using GraphGen.Training;
using FashionMnist;

// The seed's homework: an MLP on Fashion-MNIST. Adam with a cosine-decayed learning rate; the last 10 % of the
// training images are held out to watch over-fitting, and the test set is scored once at the end. --model cnn trains
// FashionConvnet instead (20 epochs at a learning rate of 0.002 unless --epochs and --learning-rate say otherwise: batch
// normalisation takes the larger rate); an image is the same row of 784 floats, read as 28×28×1.
var options = new SampleOptions(epochs: 20, batchSize: 128, optimizer: "adam", learningRate: 0.001f);
var trainLimit = new Option<int?>("--train-limit") { Description = "Train on the first N training images only." };
var modelName = new Option<string>("--model") { Description = "mlp (784 → 512 → 256 → 10) or cnn (conv 32 → norm → pool → conv 64 → norm → pool → dropout → dense 128 → dropout → 10).", DefaultValueFactory = _ => "mlp" };
modelName.AcceptOnlyFromAmong("mlp", "cnn");
var root = new RootCommand("An MLP (784 → 512 → 256 → 10), or with --model cnn a convnet, on Fashion-MNIST, compiled by GraphGen.") { trainLimit, modelName };
foreach (var option in options.All.Append(options.Dropout)) root.Options.Add(option);

return SampleRun.Invoke(root, args, parsed =>
{
    bool cnn = parsed.GetValue(modelName) == "cnn";
    // The convnet's epochs cost ~15× an MLP's: its default is 20 (7 min 12 s here), within the 10-minute budget of a default run.
    int epochs = cnn && IsDefault(options.Epochs) ? 20 : parsed.GetValue(options.Epochs);
    float learningRate = cnn && IsDefault(options.LearningRate) ? 0.002f : parsed.GetValue(options.LearningRate);
    int batchSize = parsed.GetValue(options.BatchSize), seed = parsed.GetValue(options.Seed);
    SampleOptions.CheckPositive(epochs, "--epochs");
    SampleOptions.CheckPositive(batchSize, "--batch-size");
    var (train, test) = GraphGen.Data.FashionMnist.Load(parsed.GetValue(options.Data));
    if (parsed.GetValue(trainLimit) is int limit) train = train.Take(limit);
    var optimizer = SampleOptions.CreateOptimizer(parsed.GetValue(options.Optimizer)!, learningRate);
    int stepsPerEpoch = (int)Math.Ceiling(train.Count * 0.9 / batchSize);
    optimizer.LearningRate = LearningRateSchedule.CosineDecay(optimizer.CurrentLearningRate, (long)epochs * stepsPerEpoch, alpha: 0.05f);
    double dropout = parsed.GetValue(options.Dropout);
    if (cnn && dropout > 0) throw new ArgumentException("--dropout applies to the MLP (--model mlp); the convnet declares its own layers.");
    var model = options.Place(cnn ? new FashionConvnet(seed) : SampleOptions.ByDropout<CompiledModel<int>>(dropout,
        (0, () => new FashionMlp(seed)), (0.2, () => new FashionMlpDropout20(seed)), (0.5, () => new FashionMlpDropout50(seed))), parsed);
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
    OnnxCheck.Export(model, parsed.GetValue(options.Onnx), test.Images, classifier: true);
    if (parsed.GetValue(options.Json) is string json)
        SampleRun.WriteJson(json, new ClassifierFigures(recorder.Epochs, result.Loss, result.Accuracy ?? 0, train.Count,
            model.ParameterCount, optimizer.ToString(), seed));
    if (parsed.GetValue(options.Report) is string report)
    {
        SampleRun.SaveReport(new HtmlReport(cnn ? "Fashion-MNIST: convnet conv 32 → norm → pool → conv 64 → norm → pool → dropout → dense 128 → dropout → 10" : "Fashion-MNIST: MLP 784 → 512 → 256 → 10")
            .AddFigures("Test set", [("accuracy", $"{result.Accuracy:P2}"), ("loss", $"{result.Loss:F4}"), ("optimizer", optimizer.ToString())])
            .AddCurves("Loss per epoch", history, "loss", "val_loss")
            .AddCurves("Accuracy per epoch", history, "accuracy", "val_accuracy")
            .AddImageGrid("First test images: predicted class (probability)", test.Images, 28, 28, predicted,
                confidence, test.Labels, GraphGen.Data.FashionMnist.ClassNames), report);
    }
    return 0;

    bool IsDefault(Option option) => parsed.GetResult(option) is null or { Implicit: true };
});
