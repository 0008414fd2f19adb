using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Bench;

/// <summary>The FMA peak of one vector width: GFLOP/s on one thread and on every thread at once.</summary>
public sealed record FmaWidthFigures(int VectorBits, double OneThreadGflops, double AllThreadsGflops);

/// <summary>
/// The machine's FMA peak as this run measured it: each accelerated width; the best of them, judged on one thread (on a
/// shared machine another process can hold a core while every thread runs, and then a narrower width could win); and
/// the ceiling the step is held to, the higher of its all-threads figure and one thread's times the threads, so that a
/// disturbed all-threads measurement cannot make the step look closer to the peak than it is.
/// </summary>
public sealed record FmaPeakFigures(int Threads, IReadOnlyList<FmaWidthFigures> Widths)
{
    public FmaWidthFigures Best => Widths.MaxBy(w => w.OneThreadGflops)!;
    public double Ceiling => Math.Max(Best.AllThreadsGflops, Best.OneThreadGflops * Threads);
}

/// <summary>
/// The physical limit the step is measured against: a loop of nothing but independent FMAs, timed in the same run as
/// the step (so the same clock, load and ISA setting: DOTNET_EnableAVX512=0 leaves Vector512 unaccelerated). Twelve
/// accumulators cover the FMA latency times the FMA ports of current x86 cores (4 × 2 = 8 in flight) and, with the
/// multiplier and the addend, fit the 16 registers of AVX2. Vector512 is measured where accelerated: on Zen 4 it is
/// double-pumped and peaks no higher than Vector256.
/// </summary>
public static class FmaPeak
{
    private const int Accumulators = 12;

    public static FmaPeakFigures Measure(int threads)
    {
        var widths = new List<FmaWidthFigures> { MeasureWidth(256, Loop256, threads) };
        if (Vector512.IsHardwareAccelerated) widths.Add(MeasureWidth(512, Loop512, threads));
        return new FmaPeakFigures(threads, widths);
    }

    private static FmaWidthFigures MeasureWidth(int bits, Func<long, float> loop, int threads)
    {
        double flopsPerIteration = 2.0 * Accumulators * (bits / 32);
        loop(1000);
        // Iterations for ~0.1 s at a guessed 4 GFMA/s per core; the best of five runs.
        long iterations = (long)(0.1 * 4e9 * 2 / flopsPerIteration);
        double one = double.MaxValue, all = double.MaxValue;
        for (int r = 0; r < 5; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Sink(loop(iterations));
            one = Math.Min(one, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        for (int r = 0; r < 3; r++) all = Math.Min(all, OnAllThreads(loop, iterations, threads));
        return new FmaWidthFigures(bits, flopsPerIteration * iterations / one / 1e9, flopsPerIteration * iterations * threads / all / 1e9);
    }

    /// <summary>
    /// Wall seconds for <paramref name="threads"/> threads, the caller one of them, to run the loop once each, all
    /// released together: from the first one's start to the last one's end, each read by the thread itself. It was
    /// timed by the caller around <paramref name="threads"/> extra threads, one thread more than cores, so the figure
    /// hung on when the caller ran: in one compare.sh run (2 cores, AVX-512) two threads read 464 GFLOP/s on Vector256,
    /// four times one thread's 118, and in two of its three rounds Vector512 read no more than one thread did (215 and
    /// 231 against 225 and 235).
    /// </summary>
    private static double OnAllThreads(Func<long, float> loop, long iterations, int threads)
    {
        using var ready = new Barrier(threads);
        var starts = new long[threads];
        var ends = new long[threads];
        void Run(int t)
        {
            ready.SignalAndWait();
            starts[t] = Stopwatch.GetTimestamp();
            Sink(loop(iterations));
            ends[t] = Stopwatch.GetTimestamp();
        }
        var workers = Enumerable.Range(1, threads - 1).Select(t => new Thread(() => Run(t))).ToArray();
        foreach (var w in workers) w.Start();
        Run(0);
        foreach (var w in workers) w.Join();
        return Stopwatch.GetElapsedTime(starts.Min(), ends.Max()).TotalSeconds;
    }

    /// <summary>Keeps the loop's result alive so the JIT cannot drop the loop.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sink(float value) => _sink = value;
    private static float _sink;

    // acc = acc·m + c with m just below 1: the values settle near c / (1 − m), never overflow nor turn denormal.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        var m = Vector256.Create(0.9999f);
        var c = Vector256.Create(1e-3f);
        Vector256<float> a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        var m = Vector512.Create(0.9999f);
        var c = Vector512.Create(1e-3f);
        Vector512<float> a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
