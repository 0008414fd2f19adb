using System.CommandLine;
using System.Text.Json;
using GraphGen.Data;
using GraphGen.Training;

namespace GraphGen.Samples;

/// <summary>Runs a sample's command line: bad input or data is one line on stderr and exit code 1, never a stack trace.</summary>
public static class SampleRun
{
    public static int Invoke(RootCommand root, string[] args, Func<ParseResult, int> run)
    {
        root.SetAction(parsed =>
        {
            try
            {
                return run(parsed);
            }
            catch (Exception e) when (e is DataFormatException or IOException or FormatException or ArgumentException or InvalidDataException
                or UnauthorizedAccessException or InvalidOperationException or NotSupportedException or Cuda.CudaUnavailableException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return root.Parse(args).Invoke();
    }

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>--save: the trained weights as safetensors, when a path was given.</summary>
    public static void SaveWeights(CompiledModel model, string? path)
    {
        if (path is null) return;
        model.SaveWeights(path);
        Console.WriteLine($"wrote {path}");
    }

    public static void WriteJson(string path, object report)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(report, report.GetType(), s_json));
        Console.WriteLine($"wrote {path}");
    }
}

/// <summary>Keeps the loss of every N-th batch for the JSON figures.</summary>
public sealed class BatchLossRecorder(int every = 100) : Callback
{
    private readonly List<BatchLoss> _current = [];
    public List<EpochRecord> Epochs { get; } = [];

    public override void OnBatchEnd(TrainingContext context, in BatchEnd batch)
    {
        if (batch.Batch % every == 0) _current.Add(new BatchLoss(batch.Batch, batch.Loss));
    }

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        Epochs.Add(new EpochRecord(log.Epoch, log.Loss, log.TryGetValue("accuracy", out double a) ? a : null, log.Seconds,
            [.. _current], new Dictionary<string, double>(log.Values)));
        _current.Clear();
    }
}

public sealed record BatchLoss(int Batch, float Loss);

/// <summary>One epoch in the samples' JSON: the samples/Mnist schema, plus every logged value under "logs".</summary>
public sealed record EpochRecord(int Epoch, double Loss, double? Accuracy, double Seconds, List<BatchLoss> BatchLosses, Dictionary<string, double> Logs);
