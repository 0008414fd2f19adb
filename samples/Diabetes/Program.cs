using System.CommandLine;
using GraphGen;
using GraphGen.Data;
using GraphGen.Reporting;
using GraphGen.Samples;
using GraphGen.Training;
using Diabetes;

// The perceptron regression on sklearn's diabetes data: y = x·w + b, trained on 80 % of the patients and scored
// on the rest against the baseline of always predicting the training mean.
var options = new SampleOptions(epochs: 100, batchSize: 32, optimizer: "sgd", learningRate: 0.01f);
var root = new RootCommand("A linear perceptron regression (10 features → 1) on sklearn's diabetes data, compiled by GraphGen.");
foreach (var option in options.All) root.Options.Add(option);

return SampleRun.Invoke(root, args, parsed =>
{
    int epochs = parsed.GetValue(options.Epochs), batchSize = parsed.GetValue(options.BatchSize), seed = parsed.GetValue(options.Seed);
    SampleOptions.CheckPositive(epochs, "--epochs");
    SampleOptions.CheckPositive(batchSize, "--batch-size");
    var data = GraphGen.Data.Diabetes.Load(parsed.GetValue(options.Data), scaled: false);
    var (train, test) = Preprocessing.TrainValidationSplit(data.Features, data.Targets, 10, 0.2, seed);
    var scaler = Standardizer.Fit(train.X, 10); // fitted on the training rows only
    float[] trainX = scaler.Transform(train.X), testX = scaler.Transform(test.X);
    Console.WriteLine($"Diabetes: {train.Y.Length} training and {test.Y.Length} test patients, 10 standardised features");

    var optimizer = SampleOptions.CreateOptimizer(parsed.GetValue(options.Optimizer)!, parsed.GetValue(options.LearningRate));
    var model = options.Place(new DiabetesPerceptron(seed), parsed);
    var recorder = new BatchLossRecorder(every: 5);
    var history = model.Fit(trainX, train.Y, epochs, batchSize, optimizer, validationData: (testX, test.Y), callbacks: [recorder],
        verbose: parsed.GetValue(options.Verbose) == 1 ? 0 : parsed.GetValue(options.Verbose));
    var result = model.Evaluate(testX, test.Y);
    double mean = train.Y.Average(v => (double)v);
    double baseline = test.Y.Average(v => (v - mean) * (v - mean));
    Console.WriteLine($"after {epochs} epochs: train loss {history["loss"][^1]:F1}");
    Console.WriteLine($"test MSE {result.Loss:F1} (MAE {result.Metrics["mae"]:F1}); predicting the training mean {mean:F1}: MSE {baseline:F1}");
    Console.WriteLine($"weights: {string.Join(", ", GraphGen.Data.Diabetes.FeatureNames.Select((n, i) => $"{n} {model.Output.Weight.Data[i]:F2}"))}; bias {model.Output.Bias.Data[0]:F2}");

    SampleRun.SaveWeights(model, parsed.GetValue(options.Save));
    OnnxCheck.Export(model, parsed.GetValue(options.Onnx), testX, classifier: false);
    if (parsed.GetValue(options.Json) is string json)
        SampleRun.WriteJson(json, new DiabetesFigures(recorder.Epochs, result.Loss, result.Metrics["mae"], baseline,
            train.Y.Length, model.ParameterCount, optimizer.ToString(), seed));
    if (parsed.GetValue(options.Report) is string report)
    {
        SampleRun.SaveReport(new HtmlReport("Diabetes: linear perceptron, 10 features → 1")
            .AddFigures("Test set", [("MSE", $"{result.Loss:F1}"), ("MAE", $"{result.Metrics["mae"]:F1}"), ("MSE of the training mean", $"{baseline:F1}")])
            .AddCurves("MSE per epoch", history, "loss", "val_loss")
            .AddCurves("MAE per epoch", history, "mae", "val_mae")
            .AddScatter("Test patients: predicted against actual progression", test.Y, model.Predict(testX)), report);
    }
    return 0;
});
