using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace GraphGen.Cpu;

/// <summary>One piece of a parallel job; the parts of one job are independent.</summary>
internal interface IParallelWork
{
    void Execute(int part);
}

/// <summary>
/// Persistent worker threads, one per core beside the caller. A job is cut into parts that the caller and the
/// helpers claim one at a time; the caller takes parts too, so a one-core machine needs no thread at all, and a
/// job ends when its parts are done, whether or not a helper arrived. Nothing is allocated per job.
/// <para>
/// A training step is a chain of kernels from a few to a few hundred microseconds long, and waking a blocked
/// thread costs tens of microseconds (a futex round trip, more in a VM): paid per kernel, that was a third of the
/// reference model's step. So an idle helper polls the job counter for <see cref="SpinTime"/>, yielding its core
/// to any other runnable thread as it polls, and only then blocks; a caller releases only helpers that blocked.
/// </para>
/// A part index is claimed by one atomic increment; the caller closes the counter when its job is done, so a
/// helper that arrives late claims nothing, or claims a part of the next job, whose fields were written before the
/// counter reopened. A second caller arriving while a job runs does its own job on its own thread instead of
/// queuing (callers never block each other), and so does a part that starts a job of its own.
/// </summary>
internal sealed class WorkerPool
{
    public static WorkerPool Shared { get; } = new(Environment.ProcessorCount);

    /// <summary>How long an idle helper polls for the next job before it blocks.</summary>
    public static readonly TimeSpan SpinTime = TimeSpan.FromMicroseconds(250);
    private static readonly long s_spinTicks = (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
    // The claims counter: the job's part count in the high 32 bits, the next part in the low 32. One atomic increment
    // returns both, so a claim is checked against the part count of the job it was taken from: a helper late from a job
    // whose claim landed just before the counter closed cannot compare it with the next job's count and run a part twice.
    // Closed (between jobs) is a count of 0, so every claim then is past the end.
    private const long Closed = 0;

    // 1 while a caller runs a job. Not a Monitor: that is reentrant, so a part that the caller runs itself and that starts
    // a job of its own (a fused kernel calling a GEMM) would take it again and overwrite the running job.
    private int _busy;
    private readonly SemaphoreSlim[] _wake;
    // Per helper: 1 while it is blocked (or about to block) on its semaphore and must be released to see a job.
    private readonly int[] _sleeping;
    // Per helper, a cache line apart: the bytes that thread had allocated when it last finished a part (see
    // HelperAllocatedBytes).
    private readonly long[] _helperAllocated;
    private const int CacheLineLongs = 8;
    private long _generation;
    private IParallelWork? _work;
    private long _claims = Closed;
    private int _pending;

    public WorkerPool(int threads)
    {
        Threads = Math.Max(1, threads);
        _wake = new SemaphoreSlim[Threads - 1];
        _sleeping = new int[Threads - 1];
        _helperAllocated = new long[(Threads - 1) * CacheLineLongs];
        for (int i = 0; i < _wake.Length; i++)
        {
            _wake[i] = new SemaphoreSlim(0);
            int index = i;
            new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"GraphGen worker {i + 1}" }.Start();
        }
    }

    /// <summary>How many threads a job runs on at most (helpers plus the caller).</summary>
    public int Threads { get; }

    // Run, Drain and the helpers' loop are compiled optimised at once: under tiering, dynamic PGO inlined a guarded copy
    // of each hot job's Execute into Run and Drain, 15 ms of tier-1 JIT in the first epoch for one indirect call saved.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || _wake.Length == 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) work.Execute(p);
            return;
        }
        try
        {
            _work = work;
            _pending = parts;
            Interlocked.Exchange(ref _claims, (long)parts << 32);   // a full fence: whoever claims a part sees the job above
            Interlocked.Increment(ref _generation);
            for (int i = 0; i < Math.Min(_wake.Length, parts - 1); i++)
                if (Interlocked.Exchange(ref _sleeping[i], 0) == 1) _wake[i].Release();
            Drain(helper: -1);
            var spinner = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
        }
        finally
        {
            Interlocked.Exchange(ref _claims, Closed);
            _work = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>
    /// Bytes the helpers have allocated so far, as each published it on finishing a part: a job's parts are done
    /// before <see cref="Run"/> returns, so this plus the caller's own <c>GC.GetAllocatedBytesForCurrentThread</c>
    /// counts every byte a call allocated on the threads that ran it, and nothing any other thread of the process
    /// (a test runner reporting results, the JIT's) allocated meanwhile. The allocation tests read it.
    /// </summary>
    internal long HelperAllocatedBytes()
    {
        long sum = 0;
        for (int i = 0; i < _wake.Length; i++) sum += Volatile.Read(ref _helperAllocated[i * CacheLineLongs]);
        return sum;
    }

    /// <summary>Claims and runs parts until none is left; <paramref name="helper"/> is the helper's index, or −1 for the caller.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Drain(int helper)
    {
        while (true)
        {
            long claim = Interlocked.Increment(ref _claims) - 1;
            int part = (int)(claim & 0xFFFF_FFFF), parts = (int)(claim >> 32);
            if (part >= parts) return;
            _work!.Execute(part);
            // Published before the part counts as done, so the caller that sees the job finished sees the count too.
            if (helper >= 0) Volatile.Write(ref _helperAllocated[helper * CacheLineLongs], GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Decrement(ref _pending);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HelperLoop(int index)
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForJob(index, seen);
            Drain(index);
        }
    }

    /// <summary>Polls for a generation after <paramref name="seen"/>, then blocks; returns the generation it saw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long WaitForJob(int index, long seen)
    {
        long start = Stopwatch.GetTimestamp();
        var spinner = new SpinWait();
        do
        {
            long generation = Volatile.Read(ref _generation);
            if (generation != seen) return generation;
            spinner.SpinOnce(sleep1Threshold: -1); // spins briefly, then yields: polling never starves another thread
        } while (Stopwatch.GetTimestamp() - start < s_spinTicks);

        // Announce the sleep before the last look (both full fences): a caller that bumps the generation after that
        // look finds the flag set and releases the semaphore, so no job is missed.
        Interlocked.Exchange(ref _sleeping[index], 1);
        if (Volatile.Read(ref _generation) == seen || Interlocked.Exchange(ref _sleeping[index], 0) == 0)
            _wake[index].Wait(); // either nothing yet, or a caller already took the flag and releases (or released) us
        return Volatile.Read(ref _generation);
    }
}
