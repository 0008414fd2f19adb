using System.Text.Json.Serialization;

namespace GraphGen.Samples;

/// <summary>--json of samples/Mnist and samples/FashionMnist.</summary>
public sealed record ClassifierFigures(List<EpochRecord> Epochs, double TestLoss, double TestAccuracy, int TrainSamples, long Parameters,
    string Optimizer, int Seed);

/// <summary>--json of samples/Digits: the MLP's figures, the seed loop's full-batch losses and the perceptron's.</summary>
public sealed record DigitsFigures(List<EpochRecord> Epochs, double TestLoss, double TestAccuracy, int TrainSamples, long Parameters,
    string Optimizer, int Seed, List<double> FullBatchSteps, double PerceptronTestLoss, double PerceptronTestAccuracy);

/// <summary>--json of samples/Diabetes: test MSE and MAE, and the MSE of always predicting the training mean.</summary>
public sealed record DiabetesFigures(List<EpochRecord> Epochs, double TestLoss, double TestMae, double MeanBaselineMse, int TrainSamples,
    long Parameters, string Optimizer, int Seed);

/// <summary>
/// The figures' JSON, written by System.Text.Json's source generator rather than by reflection, so that a sample also
/// publishes as a NativeAOT app (samples/Directory.Build.props). snake_case names, as the README's schema; NaN and
/// infinities as JSON strings, where a diverged run has them.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ClassifierFigures))]
[JsonSerializable(typeof(DigitsFigures))]
[JsonSerializable(typeof(DiabetesFigures))]
internal sealed partial class SampleJson : JsonSerializerContext;
