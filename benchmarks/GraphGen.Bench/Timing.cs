using System.Diagnostics;

namespace GraphGen.Bench;

/// <summary>How the bench and its TorchSharp peer time a kernel: a few warm-up calls, then the best of five windows.
/// The peer compiles this same file (a link in its project), so both sides time alike.</summary>
internal static class Timing
{
    /// <summary>Seconds per call: the best of five windows of enough calls to fill about <paramref name="budget"/>/5 seconds each.</summary>
    public static double BestSeconds(Action run, double budget = 0.3)
    {
        for (int i = 0; i < 3; i++) run();
        long probe = Stopwatch.GetTimestamp();
        run();
        double once = Math.Max(Stopwatch.GetElapsedTime(probe).TotalSeconds, 1e-7);
        return BestOfWindows(run, Math.Max(1, (int)(budget / 5 / once)));
    }

    /// <summary>Seconds per call: the best of <paramref name="windows"/> windows of <paramref name="calls"/> calls each.</summary>
    public static double BestOfWindows(Action run, int calls, int windows = 5)
    {
        double best = double.MaxValue;
        for (int r = 0; r < windows; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / calls);
        }
        return best;
    }

    /// <summary>The middle value, or the mean of the two middle ones.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The epochs after the first (the first pays for warm-up), or the only one.</summary>
    public static double WarmMedian(double[] epochs) => Median(epochs.Length > 1 ? epochs[1..] : epochs);
}
