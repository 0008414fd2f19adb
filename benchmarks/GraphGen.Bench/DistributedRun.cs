using GraphGen.Distributed;
using GraphGen.Training;

namespace GraphGen.Bench;

/// <summary>
/// The reference model under <c>mpirun -np N</c> (or alone, one rank): epoch time through Fit with a
/// <see cref="DataParallel"/> strategy, the gradient allreduce's share of it, and from the measured compute per step a
/// projection to N machines: step = compute of one rank / N + ring allreduce 2(N−1)/N × gradient bytes / bandwidth.
/// </summary>
public static class DistributedRun
{
    public static int Run(int epochs, string? json)
    {
        using var distribution = DataParallel.Start();
        var (train, _) = GraphGen.Data.Mnist.Load();
        var model = ReferenceRun.Create(512);
        model.Distribution = distribution;
        var history = model.Fit(train.Images, train.Labels, epochs, 128, new RmsProp(), verbose: 0);
        if (!distribution.IsRoot) return 0;

        double[] seconds = history.Epochs.Select(e => e.Seconds).ToArray();
        int steps = history.Epochs[0].Steps;
        // Epoch time: the mean after the first (the JIT's warm-up); the allreduce: its mean over every step.
        double timed = epochs > 1 ? seconds[1..].Sum() : seconds.Sum();
        double allreducePerStep = distribution.AllreduceTime.TotalSeconds / Math.Max(1, distribution.Allreduces);
        double epoch = timed / Math.Max(1, epochs - 1);
        double stepSeconds = epoch / steps, computePerStep = stepSeconds - allreducePerStep;
        long gradientBytes = model.ParameterCount * 4 + 4;
        Console.WriteLine($"ranks {distribution.Size} ({Environment.ProcessorCount} thread(s) each): epochs {string.Join(", ", seconds.Select(s => $"{s:F3}"))} s; " +
            $"{steps} steps of global batch 128; step {stepSeconds * 1e3:F2} ms, of which allreduce {allreducePerStep * 1e3:F3} ms " +
            $"({allreducePerStep / stepSeconds:P1}; waiting for the slower rank included); gradient {gradientBytes / 1e6:F2} MB");

        // Compute of the whole global batch on one rank: this run's compute per step × its ranks (each did 1/N).
        double computeOneRank = computePerStep * distribution.Size;
        var rows = new List<object>();
        Console.WriteLine($"projection from compute {computeOneRank * 1e3:F2} ms per global step on one rank, ring allreduce of {gradientBytes / 1e6:F2} MB:");
        Console.WriteLine("| machines | 10 Gb/s epoch | speed-up | 25 Gb/s epoch | speed-up | 100 Gb/s epoch | speed-up |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int n in new[] { 1, 2, 4, 8, 16, 32 })
        {
            var cells = new List<string>();
            foreach (double gbps in new[] { 10.0, 25.0, 100.0 })
            {
                double ring = n == 1 ? 0 : 2.0 * (n - 1) / n * gradientBytes * 8 / (gbps * 1e9);
                double step = computeOneRank / n + ring;
                cells.Add($"{step * steps:F3} s | {computeOneRank / step:F2}×");
                rows.Add(new { machines = n, gbps, step_ms = step * 1e3, epoch_s = step * steps, speedup = computeOneRank / step });
            }
            Console.WriteLine($"| {n} | {string.Join(" | ", cells)} |");
        }
        if (json is not null)
        {
            File.WriteAllText(json, System.Text.Json.JsonSerializer.Serialize(new
            {
                ranks = distribution.Size, threads = Environment.ProcessorCount, epochs_s = seconds, steps, step_ms = stepSeconds * 1e3,
                allreduce_ms = allreducePerStep * 1e3, allreduce_share = allreducePerStep / stepSeconds, gradient_bytes = gradientBytes, projection = rows,
            }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }
}
