using System.CommandLine;
using System.Text.Json;
using GraphGen.Data;
using GraphGen.Distributed;
using GraphGen.Reporting;
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
            catch (Exception e) when (e is DllNotFoundException or MpiException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (Exception e) when (e is DataFormatException or IOException or FormatException or ArgumentException or InvalidDataException
                or UnauthorizedAccessException or InvalidOperationException or NotSupportedException or Cuda.CudaUnavailableException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        try
        {
            return root.Parse(args).Invoke();
        }
        finally
        {
            s_distribution?.Dispose();
        }
    }

    private static DataParallel? s_distribution;

    /// <summary>Rank 0 of a --distributed run, or a run of one process: the one that prints and writes files.</summary>
    public static bool IsRoot => s_distribution is not { IsRoot: false };

    /// <summary>
    /// --distributed: joins the MPI job (a job of one without mpirun). Every rank but 0 prints nothing from here on;
    /// errors still reach stderr.
    /// </summary>
    public static DataParallel StartDistribution()
    {
        if (s_distribution is { } running) return running;
        s_distribution = DataParallel.Start();
        if (!s_distribution.IsRoot) Console.SetOut(TextWriter.Null);
        else Console.WriteLine($"Distributed: {s_distribution.Size} ranks (mpirun), each a shard of every batch");
        return s_distribution;
    }

    /// <summary>--report: the page, written by rank 0 alone (every rank builds it: its predictions are collective).</summary>
    public static void SaveReport(HtmlReport report, string path)
    {
        if (!IsRoot) return;
        report.Save(path);
        Console.WriteLine($"wrote {path}");
    }

    /// <summary>--save: the trained weights as safetensors, when a path was given.</summary>
    public static void SaveWeights(CompiledModel model, string? path)
    {
        if (path is null || !IsRoot) return;
        model.SaveWeights(path);
        Console.WriteLine($"wrote {path}");
    }

    /// <summary>--json: the run's figures (<see cref="ClassifierFigures"/>, <see cref="DigitsFigures"/> or <see cref="DiabetesFigures"/>).</summary>
    public static void WriteJson<TFigures>(string path, TFigures figures) where TFigures : notnull
    {
        if (!IsRoot) return;
        var type = SampleJson.Default.GetTypeInfo(typeof(TFigures))
            ?? throw new InvalidOperationException($"{typeof(TFigures).Name} is not one of the figures SampleJson writes.");
        File.WriteAllText(path, JsonSerializer.Serialize(figures, type));
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
