using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace GraphGen.Training;

/// <summary>
/// Keras's progress output. Verbose 1 on a terminal redraws one line as batches finish
/// (<c>123/469 ━━━━━━━━━━━━━━━━━━━━ 1s 3ms/step - accuracy: 0.9670 - loss: 0.1117</c>) and leaves the finished
/// bar, with the validation figures, at the epoch's end; redirected, or with verbose 2, it writes one line per epoch.
/// Metrics appear in alphabetical order, as Keras prints them.
/// </summary>
public sealed class ProgressLogger : Callback
{
    private const int BarWidth = 20;
    private static readonly TimeSpan s_redrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly TextWriter _writer;
    private readonly bool _live;
    private readonly int _verbose;
    private readonly Stopwatch _epochClock = new();
    private TimeSpan _lastDraw;

    /// <param name="verbose">1: progress bar; 2: one line per epoch.</param>
    /// <param name="writer">Where to write; the console by default.</param>
    /// <param name="live">Redraw the bar in place; by default only when writing to a console that is not redirected.</param>
    public ProgressLogger(int verbose = 1, TextWriter? writer = null, bool? live = null)
    {
        if (verbose is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "Verbose must be 1 (progress bar) or 2 (one line per epoch).");
        _verbose = verbose;
        _writer = writer ?? Console.Out;
        _live = verbose == 1 && (live ?? (writer is null && !Console.IsOutputRedirected));
    }

    public override void OnEpochBegin(TrainingContext context, int epoch)
    {
        _writer.WriteLine($"Epoch {epoch}/{context.Epochs}");
        _epochClock.Restart();
        _lastDraw = TimeSpan.Zero;
    }

    public override void OnBatchEnd(TrainingContext context, in BatchEnd batch)
    {
        if (!_live) return;
        var now = _epochClock.Elapsed;
        bool last = batch.Batch + 1 == batch.BatchesPerEpoch;
        if (last || now - _lastDraw < s_redrawInterval) return;
        _lastDraw = now;
        int done = batch.Batch + 1;
        double perStep = now.TotalSeconds / done;
        string figures = Figures(context.RunningMetrics.Append(("loss", context.RunningLoss)));
        _writer.Write($"\r{Bar(done, batch.BatchesPerEpoch)} {Seconds(perStep * (batch.BatchesPerEpoch - done))} {StepTime(perStep)}{figures}\u001b[K");
        _writer.Flush();
    }

    public override void OnEpochEnd(TrainingContext context, EpochLog log)
    {
        double perStep = log.Seconds / Math.Max(1, log.Steps);
        string figures = Figures(log.Values.Select(v => (v.Key, v.Value)));
        string line = _verbose == 2
            ? $"{log.Steps}/{log.Steps} - {Seconds(log.Seconds)} - {StepTime(perStep)}{figures}"
            : $"{Bar(log.Steps, log.Steps)} {Seconds(log.Seconds)} {StepTime(perStep)}{figures}";
        _writer.WriteLine(_live ? "\r" + line + "\u001b[K" : line);
        if (context.StopTraining && context.StopReason is not null) _writer.WriteLine($"Stopped after epoch {log.Epoch}: {context.StopReason}.");
        _writer.Flush();
    }

    private static string Bar(int done, int total)
    {
        int filled = total == 0 ? BarWidth : (int)((long)done * BarWidth / total);
        string count = total.ToString(CultureInfo.InvariantCulture);
        return $"{done.ToString(CultureInfo.InvariantCulture).PadLeft(count.Length)}/{count} {new string('━', filled)}{new string(' ', BarWidth - filled)}";
    }

    private static string Figures(IEnumerable<(string Key, double Value)> values)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in values.Where(v => v.Key != "learning_rate").OrderBy(v => v.Key, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $" - {key}: {value:F4}");
        return text.ToString();
    }

    private static string Seconds(double seconds) => seconds >= 60
        ? $"{(int)(seconds / 60)}m{(int)(seconds % 60)}s"
        : $"{Math.Round(seconds).ToString(CultureInfo.InvariantCulture)}s";

    private static string StepTime(double seconds) => seconds >= 1
        ? $"{seconds.ToString("F0", CultureInfo.InvariantCulture)}s/step"
        : seconds >= 1e-3 ? $"{(seconds * 1e3).ToString("F0", CultureInfo.InvariantCulture)}ms/step"
        : $"{(seconds * 1e6).ToString("F0", CultureInfo.InvariantCulture)}us/step";
}
