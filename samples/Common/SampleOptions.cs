using System.CommandLine;
using GraphGen.Training;

namespace GraphGen.Samples;

/// <summary>The options every sample takes, with each sample's own defaults.</summary>
public sealed class SampleOptions
{
    public SampleOptions(int epochs, int batchSize, string optimizer, float learningRate)
    {
        Epochs = new("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => epochs };
        BatchSize = new("--batch-size") { Description = "Samples per mini-batch.", DefaultValueFactory = _ => batchSize };
        Optimizer = new("--optimizer") { Description = "sgd | momentum | nesterov | rmsprop | adam | adagrad (Keras's update rules and defaults).", DefaultValueFactory = _ => optimizer };
        LearningRate = new("--learning-rate") { Description = "Learning rate.", DefaultValueFactory = _ => learningRate };
    }

    public Option<int> Epochs { get; }
    public Option<int> BatchSize { get; }
    public Option<string> Optimizer { get; }
    public Option<float> LearningRate { get; }
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for the weights and the batch order.", DefaultValueFactory = _ => 42 };
    public Option<string?> Json { get; } = new("--json") { Description = "Write the figures of the run as JSON to this path." };
    public Option<string?> Report { get; } = new("--report") { Description = "Write an HTML page with the curves and predictions to this path." };
    public Option<string?> Save { get; } = new("--save") { Description = "Write the trained weights as safetensors to this path." };
    public Option<string?> Onnx { get; } = new("--onnx")
    {
        Description = "Write the trained model as ONNX (opset 17) to this path, and check that ONNX Runtime predicts the test set as the model does.",
    };
    public Option<string?> Data { get; } = new("--data") { Description = "Folder holding the data set (default: GRAPHGEN_DATA, samples/data, /usr/share/datasets)." };
    public Option<int> Verbose { get; } = new("--verbose") { Description = "0 silent, 1 progress bar, 2 one line per epoch.", DefaultValueFactory = _ => 1 };
    public Option<string> Device { get; } = new("--device")
    {
        Description = "Where the model runs: cpu, cuda (GPU 0), cuda:INDEX, or ilgpu-cpu (ILGPU's CPU accelerator, for tests: slow).",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>
    /// <c>--dropout RATE</c> for the MLP samples: Dropout after each hidden Dense layer. A rate is part of a model's
    /// declaration (<c>[Dropout(0.5)]</c>, as Keras's layer argument), so a sample offers the rates it declares a model
    /// for; 0 is the model without dropout. Not in <see cref="All"/>: a sample adds it where it has such models.
    /// </summary>
    public Option<double> Dropout { get; } = new("--dropout")
    {
        Description = "Dropout rate after each hidden Dense layer: 0 (none), 0.2 or 0.5 (the rates the sample's models declare).",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>The model declared with dropout <paramref name="rate"/>, or a clear error listing the rates there are.</summary>
    public static TModel ByDropout<TModel>(double rate, params (double Rate, Func<TModel> Create)[] models)
    {
        foreach (var (declared, create) in models)
            if (declared == rate) return create();
        throw new ArgumentException($"--dropout {rate} has no model: this sample declares dropout rates {string.Join(", ", models.Select(m => m.Rate))} (a rate is compiled into the model).");
    }

    public Option<bool> Distributed { get; } = new("--distributed")
    {
        Description = "Train data-parallel over the processes of mpirun -np N (Open MPI): each takes its shard of every batch; rank 0 alone prints and writes files.",
    };

    public IEnumerable<Option> All => [Epochs, BatchSize, Optimizer, LearningRate, Seed, Json, Report, Save, Onnx, Data, Verbose, Device, Distributed];

    /// <summary>The device <c>--device</c> names (<see cref="GraphGen.Device.Parse"/>).</summary>
    public GraphGen.Device DeviceOf(ParseResult parsed) => GraphGen.Device.Parse(parsed.GetValue(Device) ?? "cpu");

    /// <summary>
    /// The model on the <c>--device</c> it names, and with <c>--distributed</c> under the job's data-parallel strategy
    /// (started on first use; <see cref="SampleRun"/> silences every rank but 0 and ends MPI after the run).
    /// </summary>
    public TModel Place<TModel>(TModel model, ParseResult parsed) where TModel : CompiledModel
    {
        model = model.To(DeviceOf(parsed));
        if (parsed.GetValue(Distributed)) model.Distribution = SampleRun.StartDistribution();
        return model;
    }

    /// <summary>The optimizer named on the command line, with Keras's defaults apart from the learning rate.</summary>
    public static Optimizer CreateOptimizer(string name, float learningRate) => name.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(learningRate),
        "momentum" => new Sgd(learningRate, momentum: 0.9f),
        "nesterov" => new Sgd(learningRate, momentum: 0.9f, nesterov: true),
        "rmsprop" => new RmsProp(learningRate),
        "adam" => new Adam(learningRate),
        "adagrad" => new Adagrad(learningRate),
        _ => throw new ArgumentException($"--optimizer '{name}' is not known; use sgd, momentum, nesterov, rmsprop, adam or adagrad."),
    };

    public static void CheckPositive(int value, string option)
    {
        if (value < 1) throw new ArgumentException($"{option} must be at least 1, got {value}.");
    }
}
