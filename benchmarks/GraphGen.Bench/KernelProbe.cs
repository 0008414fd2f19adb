using System.Diagnostics;
using GraphGen.Cpu;

namespace GraphGen.Bench;

/// <summary>One GEMM shape as the training step calls it, and its measured speed.</summary>
public sealed record KernelFigures(string Name, string Layout, int M, int N, int K, double Gflops, double Microseconds);

/// <summary>Times each GEMM of the reference step (and the 2048³ square) on random data, best of several runs.</summary>
public static class KernelProbe
{
    /// <summary>The five GEMMs of one 784-512-10 step at batch 128, in the order the generated code calls them.</summary>
    public static IEnumerable<(string Name, GemmLayout Layout, int M, int N, int K, bool Relu)> StepShapes(int batch, int hidden) =>
    [
        ("hidden forward x·W1 (+bias, relu)", GemmLayout.NN, batch, hidden, 784, true),
        ("output forward h·W2 (+bias)", GemmLayout.NN, batch, 10, hidden, false),
        ("output weight gradient hᵀ·δ2", GemmLayout.TN, hidden, 10, batch, false),
        ("hidden delta δ2·W2ᵀ (⊙ relu')", GemmLayout.NT, batch, hidden, 10, true),
        ("hidden weight gradient xᵀ·δ1", GemmLayout.TN, 784, hidden, batch, false),
    ];

    public static KernelFigures Measure(string name, GemmLayout layout, int m, int n, int k, bool relu, double seconds = 0.3)
    {
        var random = new Random(7);
        float[] a = Fill(m * k), b = Fill(k * n), c = new float[m * n], bias = Fill(n), saved = Fill(m * n);
        Action run = (layout, relu) switch
        {
            (GemmLayout.NN, true) => () => Gemm.Multiply(layout, m, n, k, a, b, c, new BiasActivation<Relu>(bias)),
            (GemmLayout.NN, false) => () => Gemm.Multiply(layout, m, n, k, a, b, c, new BiasActivation<Linear>(bias)),
            (_, true) => () => Gemm.Multiply(layout, m, n, k, a, b, c, new ActivationGradient<Relu>(saved, n)),
            _ => () => Gemm.Multiply(layout, m, n, k, a, b, c),
        };
        for (int i = 0; i < 3; i++) run();
        // Calls per run: enough for ~seconds/5 per run; the best of five runs.
        var probe = Stopwatch.StartNew();
        run();
        int calls = Math.Max(1, (int)(seconds / 5 / Math.Max(probe.Elapsed.TotalSeconds, 1e-7)));
        double best = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds / calls);
        }
        return new KernelFigures(name, layout.ToString(), m, n, k, 2.0 * m * n * k / best / 1e9, best * 1e6);

        float[] Fill(int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() - 0.5);
            return values;
        }
    }
}
