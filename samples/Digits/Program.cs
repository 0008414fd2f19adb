using System.CommandLine;
using GraphGen;
using GraphGen.Data;
using GraphGen.Reporting;
using GraphGen.Samples;
using GraphGen.Training;
using Digits;

// The seed notebook on sklearn's 8×8 digits: its hand MLP with ten full-batch gradient steps, the same MLP
// trained properly on mini-batches, and the single-layer perceptron; 20 % of the images held out for testing.
var options = new SampleOptions(epochs: 60, batchSize: 32, optimizer: "adam", learningRate: 0.001f);
var root = new RootCommand("The tanh MLP (64-100-50-10) and the perceptron (64-10) on sklearn's 8×8 digits, compiled by GraphGen.");
foreach (var option in options.All) root.Options.Add(option);

return SampleRun.Invoke(root, args, parsed =>
{
    int epochs = parsed.GetValue(options.Epochs), batchSize = parsed.GetValue(options.BatchSize), seed = parsed.GetValue(options.Seed);
    int verbose = parsed.GetValue(options.Verbose);
    SampleOptions.CheckPositive(epochs, "--epochs");
    SampleOptions.CheckPositive(batchSize, "--batch-size");
    var digits = GraphGen.Data.Digits.Load(parsed.GetValue(options.Data));
    var (train, test) = Preprocessing.TrainValidationSplit(digits.Images, digits.Labels, 64, 0.2, seed);
    Console.WriteLine($"Digits: {train.Y.Length} training and {test.Y.Length} held-out 8×8 images");

    // 1. The seed's loop: full-batch gradient descent, lr 0.1, 10 steps.
    Console.WriteLine("Hand MLP, full-batch gradient descent (lr 0.1):");
    var seedModel = options.Place(new DigitsMlp(seed), parsed);
    var gd = new Sgd(0.1f);
    var steps = new List<double>();
    for (int step = 1; step <= 10; step++)
    {
        float loss = seedModel.TrainStep(train.X, train.Y, gd);
        steps.Add(loss);
        Console.WriteLine($"Step {step}/10 : loss = {loss:F4}");
    }

    // 2. The same network trained properly.
    var optimizer = SampleOptions.CreateOptimizer(parsed.GetValue(options.Optimizer)!, parsed.GetValue(options.LearningRate));
    Console.WriteLine($"Hand MLP, {epochs} epochs of batch {batchSize}, {optimizer}:");
    var mlp = options.Place(new DigitsMlp(seed), parsed);
    var recorder = new BatchLossRecorder(every: 20);
    var history = mlp.Fit(train.X, train.Y, epochs, batchSize, optimizer, validationData: test, callbacks: [recorder], verbose: verbose);
    var mlpResult = mlp.Evaluate(test.X, test.Y);
    Console.WriteLine($"MLP held-out: {mlpResult}");

    // 3. The perceptron.
    var perceptron = options.Place(new DigitsPerceptron(seed), parsed);
    perceptron.Fit(train.X, train.Y, epochs, batchSize, SampleOptions.CreateOptimizer(parsed.GetValue(options.Optimizer)!, parsed.GetValue(options.LearningRate) * 10), verbose: 0);
    var perceptronResult = perceptron.Evaluate(test.X, test.Y);
    Console.WriteLine($"Perceptron held-out: {perceptronResult}");
    var (predicted, confidence) = mlp.PredictClassesWithScores(test.X);
    var confusion = new ConfusionMatrix(test.Y, predicted, 10);
    Console.WriteLine("MLP confusion matrix (rows: true digit):");
    Console.Write(confusion);

    SampleRun.SaveWeights(mlp, parsed.GetValue(options.Save));
    OnnxCheck.Export(mlp, parsed.GetValue(options.Onnx), test.X, classifier: true);
    if (parsed.GetValue(options.Json) is string json)
        SampleRun.WriteJson(json, new DigitsFigures(recorder.Epochs, mlpResult.Loss, mlpResult.Accuracy ?? 0, train.Y.Length,
            mlp.ParameterCount, optimizer.ToString(), seed, steps, perceptronResult.Loss, perceptronResult.Accuracy ?? 0));
    if (parsed.GetValue(options.Report) is string report)
    {
        SampleRun.SaveReport(new HtmlReport("Digits: tanh MLP 64 → 100 → 50 → 10")
            .AddFigures("Held-out results", [("MLP accuracy", $"{mlpResult.Accuracy:P2}"), ("MLP loss", $"{mlpResult.Loss:F4}"),
                ("perceptron accuracy", $"{perceptronResult.Accuracy:P2}"), ("optimizer", optimizer.ToString())])
            .AddCurves("Loss per epoch", history, "loss", "val_loss")
            .AddCurves("Accuracy per epoch", history, "accuracy", "val_accuracy")
            .AddImageGrid("Held-out images: predicted digit (probability)", test.X, 8, 8, predicted,
                confidence, test.Y, count: 32), report);
    }
    return 0;
});
